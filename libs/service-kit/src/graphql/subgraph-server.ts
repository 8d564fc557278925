import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import express, { type Express } from 'express';
import { parse } from 'graphql';
import type { Logger } from 'pino';
import { bearerToken, verifyAccessToken, type Principal } from '../auth/access-token';
import { formatGraphQLError } from './graphql-errors';

export interface SubgraphContext {
  /** Undefined for anonymous calls; resolvers that need a caller use requirePrincipal(). */
  principal?: Principal;
  /** The gateway's x-correlation-id of the request, kept with audit entries and logs. */
  correlationId?: string;
}

/**
 * Mounts a federation subgraph at /graphql. The gateway forwards the caller's access token and the
 * subgraph verifies it itself: a subgraph reached directly is no less protected than through the gateway.
 */
export async function mountSubgraph(options: {
  app: Express;
  typeDefs: string;
  // Resolver maps are loosely typed by @apollo/subgraph itself.
  resolvers: GraphQLResolverMap<SubgraphContext>;
  jwtSecret: string;
  logger: Logger;
}): Promise<ApolloServer<SubgraphContext>> {
  const server = new ApolloServer<SubgraphContext>({
    schema: buildSubgraphSchema({ typeDefs: parse(options.typeDefs), resolvers: options.resolvers as GraphQLResolverMap<unknown> }),
    formatError: formatGraphQLError(options.logger),
    // Inline tracing (federated traces) is off: it logs on every start and we report through metrics.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled()],
    includeStacktraceInErrorResponses: false,
    // The service's own shutdown drains consumers before the process exits; Apollo must not re-raise signals.
    stopOnTerminationSignals: false,
  });
  await server.start();
  options.app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(server, {
      context: async ({ req }): Promise<SubgraphContext> => {
        const token = bearerToken(req.headers.authorization);
        const header = req.headers['x-correlation-id'];
        const correlationId = typeof header === 'string' && header.length > 0 && header.length <= 200 ? header : undefined;
        return {
          ...(token ? { principal: await verifyAccessToken(token, options.jwtSecret) } : {}),
          ...(correlationId ? { correlationId } : {}),
        };
      },
    }),
  );
  return server;
}
