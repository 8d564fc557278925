import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { formatGraphQLError, type Logger } from '@switchboard/service-kit';
import { QUERY_TOO_COSTLY, QueryTooCostlyError } from './query-cost.rule';
import { QUERY_TOO_DEEP, QueryTooDeepError } from './query-depth.rule';

/**
 * The shared formatter (typed domain errors, no leaked internals) plus the gateway's own validation
 * codes, which Apollo Server would otherwise report as GRAPHQL_VALIDATION_FAILED.
 */
export function formatGatewayError(logger: Logger): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  const format = formatGraphQLError(logger);
  return (formatted, error) => {
    const original = error instanceof GraphQLError ? error.originalError : undefined;
    if (original instanceof QueryTooDeepError) {
      return { ...formatted, extensions: { ...formatted.extensions, code: QUERY_TOO_DEEP } };
    }
    if (original instanceof QueryTooCostlyError) {
      return { ...formatted, extensions: { ...formatted.extensions, code: QUERY_TOO_COSTLY } };
    }
    return format(formatted, error);
  };
}
