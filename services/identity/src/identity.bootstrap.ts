import type { ApolloServer } from '@apollo/server';
import {
  createMetricsRegistry,
  mountSubgraph,
  registerOperationalRoutes,
  startNestService,
  type Logger,
  type RunningService,
  type SubgraphContext,
} from '@switchboard/service-kit';
import { LoginService } from './auth/login.service';
import { PasswordHasher } from './auth/password-hasher';
import { ensureInitialAdmin } from './employees/initial-admin';
import { createIdentityResolvers } from './graphql/identity.resolvers';
import { IDENTITY_TYPE_DEFS } from './graphql/identity.type-defs';
import type { IdentityConfig } from './identity.config';
import { createIdentityDataSource, migrateIdentitySchema } from './identity.data-source';
import { IdentityMetrics } from './identity.metrics';
import { IdentityModule } from './identity.module';

const SERVICE_NAME = 'identity';

/**
 * Starts the identity service: migrates its schema, seeds the first admin (before serving, so a fresh
 * deployment can be logged into as soon as it answers), then serves the subgraph at /graphql plus /health,
 * /ready and /metrics. stop() closes HTTP and GraphQL first, then the database pool.
 */
export async function startIdentityService(options: { config: IdentityConfig; logger: Logger }): Promise<RunningService> {
  const { config, logger } = options;
  const dataSource = createIdentityDataSource(config.DATABASE_URL);
  await dataSource.initialize();
  let graphql: ApolloServer<SubgraphContext> | undefined;
  try {
    const applied = await migrateIdentitySchema(dataSource);
    if (applied.length > 0) logger.info({ migrations: applied }, 'identity schema migrated');
    const hasher = new PasswordHasher();
    await ensureInitialAdmin({ dataSource, config, logger, hasher });

    const registry = createMetricsRegistry(SERVICE_NAME);
    const running = await startNestService({
      name: SERVICE_NAME,
      module: IdentityModule.forRoot({ config, dataSource, hasher, metrics: new IdentityMetrics(registry) }),
      port: config.PORT,
      logger,
      configure: async (app, nest) => {
        registerOperationalRoutes(app, {
          service: SERVICE_NAME,
          registry,
          checks: { database: async () => void (await dataSource.query('SELECT 1')) },
        });
        graphql = await mountSubgraph({
          app,
          typeDefs: IDENTITY_TYPE_DEFS,
          resolvers: createIdentityResolvers({ dataSource, login: nest.get(LoginService), hasher }),
          jwtSecret: config.JWT_SECRET,
          logger,
        });
      },
    });

    let stopped: Promise<void> | undefined;
    const stop = async (): Promise<void> => {
      try {
        await running.stop();
        await graphql?.stop();
      } finally {
        if (dataSource.isInitialized) await dataSource.destroy();
      }
    };
    return { ...running, stop: () => (stopped ??= stop()) };
  } catch (error) {
    // Start-up failed part way: release what was opened, or the process would hang on the pool.
    await graphql?.stop();
    if (dataSource.isInitialized) await dataSource.destroy();
    throw error;
  }
}
