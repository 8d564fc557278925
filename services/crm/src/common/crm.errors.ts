import { ERROR_CODES, notFound } from '@switchboard/service-kit';
import { GraphQLError } from 'graphql';

/**
 * Why an input was refused, beside extensions.code: clients switch on extensions.reason to show the right
 * message; extensions.field names the input field.
 */
export const CRM_ERROR_REASONS = {
  chatNotVisible: 'CHAT_NOT_FOUND',
  targetNotFound: 'TARGET_NOT_FOUND',
  unsupportedTarget: 'UNSUPPORTED_TARGET',
  duplicate: 'DUPLICATE',
} as const;
export type CrmErrorReason = (typeof CRM_ERROR_REASONS)[keyof typeof CRM_ERROR_REASONS];

export function refused(reason: CrmErrorReason, message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ERROR_CODES.badUserInput, reason, ...(field ? { field } : {}) } });
}

export function conflict(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ERROR_CODES.conflict, reason: CRM_ERROR_REASONS.duplicate, ...(field ? { field } : {}) } });
}

/** A chat the caller may not see answers exactly like one that does not exist (decision 0010). */
export function chatNotFound(chatId: string): GraphQLError {
  return notFound(`Chat ${chatId} does not exist or you may not see it`);
}
