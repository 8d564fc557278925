import { GraphQLError } from 'graphql';
import { ERROR_CODES } from '@switchboard/service-kit';

/**
 * UNAUTHENTICATED with HTTP 401. Apollo Server takes the status from extensions.http (and strips it from
 * the response body), so clients can tell "log in" apart from a failed operation without parsing errors.
 */
export function unauthenticated(message: string, originalError?: Error): GraphQLError {
  return new GraphQLError(message, {
    originalError,
    extensions: { code: ERROR_CODES.unauthenticated, http: { status: 401 } },
  });
}
