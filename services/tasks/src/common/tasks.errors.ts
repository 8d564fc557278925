import { ERROR_CODES, notFound } from '@switchboard/service-kit';
import { GraphQLError } from 'graphql';

/**
 * Why an input was refused, beside extensions.code (BAD_USER_INPUT or CONFLICT): clients switch on
 * extensions.reason to show the right message; extensions.field names the input field.
 */
export const TASK_ERROR_REASONS = {
  fireTimeInPast: 'FIRE_TIME_IN_PAST',
  fireTimeTooFar: 'FIRE_TIME_TOO_FAR',
  endBeforeStart: 'END_BEFORE_START',
  eventTooLong: 'EVENT_TOO_LONG',
  rangeTooLong: 'RANGE_TOO_LONG',
  chatNotVisible: 'CHAT_NOT_FOUND',
  wrongState: 'WRONG_STATE',
} as const;
export type TaskErrorReason = (typeof TASK_ERROR_REASONS)[keyof typeof TASK_ERROR_REASONS];

export function refused(reason: TaskErrorReason, message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ERROR_CODES.badUserInput, reason, ...(field ? { field } : {}) } });
}

/** The item exists and is the caller's, but its state does not allow the change (e.g. completing a cancelled task). */
export function wrongState(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ERROR_CODES.conflict, reason: TASK_ERROR_REASONS.wrongState } });
}

/**
 * Someone else's item answers exactly like a missing one (as chats do, decision 0010): ids of other
 * employees' tasks are never confirmed.
 */
export function itemNotFound(kind: 'Task' | 'Event' | 'Reminder', id: string): GraphQLError {
  return notFound(`${kind} ${id} does not exist or is not yours`);
}
