import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ZodError, z } from 'zod';
import { AuthenticationError, ForbiddenError } from '../auth/access-token';
import type { Logger } from 'pino';
import { RateLimitExceededError } from '../rate-limit/rate-limiter';

/** Error codes clients can switch on (extensions.code); messages are for humans. */
export const ERROR_CODES = {
  unauthenticated: 'UNAUTHENTICATED',
  forbidden: 'FORBIDDEN',
  badUserInput: 'BAD_USER_INPUT',
  notFound: 'NOT_FOUND',
  conflict: 'CONFLICT',
  /** Too many attempts; extensions.retryAfterSeconds says when to try again. */
  rateLimited: 'RATE_LIMITED',
  internal: 'INTERNAL_SERVER_ERROR',
} as const;

export function badUserInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ERROR_CODES.badUserInput, ...(field ? { field } : {}) } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ERROR_CODES.notFound } });
}

/** Parses resolver input with zod and turns failures into BAD_USER_INPUT naming each field. */
export function parseInput<TSchema extends z.ZodType>(schema: TSchema, input: unknown): z.output<TSchema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  throw badUserInput(z.prettifyError(result.error), first?.path.join('.'));
}

/**
 * Maps domain errors to typed GraphQL errors. Unexpected errors are logged with their stack and
 * answered with a generic message, so internals never leak to clients but nothing is swallowed.
 */
export function formatGraphQLError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    if (original instanceof AuthenticationError || original instanceof ForbiddenError) {
      return { ...formatted, message: original.message, extensions: { ...formatted.extensions, code: original.code } };
    }
    if (original instanceof RateLimitExceededError) {
      return {
        ...formatted,
        message: original.message,
        extensions: { ...formatted.extensions, code: ERROR_CODES.rateLimited, retryAfterSeconds: original.retryAfterSeconds },
      };
    }
    if (original instanceof ZodError) {
      return { ...formatted, message: z.prettifyError(original), extensions: { ...formatted.extensions, code: ERROR_CODES.badUserInput } };
    }
    const code = formatted.extensions?.code;
    if (code === ERROR_CODES.internal || code === undefined) {
      logger.error({ err: original, path: formatted.path }, 'unexpected GraphQL resolver error');
      return { message: 'Internal server error', path: formatted.path, extensions: { code: ERROR_CODES.internal } };
    }
    return formatted;
  };
}
