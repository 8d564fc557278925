import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type FragmentDefinitionNode } from 'graphql';
import { ERROR_CODES, type RateLimiter, type RateLimitMetrics, type RateLimitRule } from '@switchboard/service-kit';
import type { GatewayContext } from './gateway-context';
import { rootFieldNames } from './public-operations.plugin';

/** Root fields whose every call counts against the caller's IP: the ones that guess credentials. */
const LIMITED_ROOT_FIELDS = new Set(['login']);

/**
 * Login attempts per client IP, counted at the gateway because only the gateway sees the caller's address
 * (subgraphs see the gateway's). The identity service limits per email and locks accounts on its own: an
 * attacker spreading guesses over many emails from one address is stopped here, one spreading them over
 * many addresses against one email is stopped there. Refusals are HTTP 429 with code RATE_LIMITED.
 */
export function loginRateLimitPlugin(options: { limiter: RateLimiter; rule: RateLimitRule; metrics?: RateLimitMetrics }): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation, document }) {
          // Apollo always resolves an operation before this hook; publicOperationsPlugin fails closed if not.
          if (!operation) return;
          const fragments = new Map(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
          );
          // One hit per login field, aliases included: each one is a guess.
          const attempts = rootFieldNames(operation, fragments).filter((field) => LIMITED_ROOT_FIELDS.has(field)).length;
          for (let i = 0; i < attempts; i++) {
            const decision = await options.limiter.hit(options.rule, contextValue.clientIp);
            if (!decision.allowed) {
              options.metrics?.refused.inc({ rule: options.rule.name });
              contextValue.logger.warn({ clientIp: contextValue.clientIp, rule: options.rule.name }, 'login attempts over the per-IP limit');
              throw new GraphQLError(`Too many login attempts from your address; retry after ${decision.retryAfterSeconds} s`, {
                extensions: {
                  code: ERROR_CODES.rateLimited,
                  retryAfterSeconds: decision.retryAfterSeconds,
                  http: { status: 429, headers: new Map([['retry-after', String(decision.retryAfterSeconds)]]) },
                },
              });
            }
          }
        },
      };
    },
  };
}
