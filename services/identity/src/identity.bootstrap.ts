import type { ApolloServer } from '@apollo/server';
import { OutboxRelay, type EventBus } from '@switchboard/messaging';
import { openSqlSession } from '@switchboard/persistence';
import {
  createEventBus,
  createMetricsRegistry,
  createRateLimiter,
  mountSubgraph,
  observeBus,
  registerOperationalRoutes,
  registerOutboxBacklogGauge,
  startNestService,
  type Logger,
  type RunningService,
  type SubgraphContext,
} from '@switchboard/service-kit';
import { LoginService } from './auth/login.service';
import { PasswordHasher } from './auth/password-hasher';
import { registerEmployeeAccessRoute } from './employees/employee-access.route';
import { announceUnannouncedEmployees } from './employees/employee-events';
import { ensureInitialAdmin } from './employees/initial-admin';
import { createIdentityResolvers } from './graphql/identity.resolvers';
import { IDENTITY_TYPE_DEFS } from './graphql/identity.type-defs';
import type { IdentityConfig } from './identity.config';
import { createIdentityDataSource, IDENTITY_SCHEMA, migrateIdentitySchema } from './identity.data-source';
import { IdentityMetrics } from './identity.metrics';
import { IdentityModule } from './identity.module';

const SERVICE_NAME = 'identity';

/**
 * Starts the identity service: migrates its schema, seeds the first admin (before serving, so a fresh
 * deployment can be logged into as soon as it answers), announces employees not announced yet, relays
 * employee events from its outbox, then serves the subgraph at /graphql plus /health, /ready and /metrics.
 * stop() closes HTTP and GraphQL first, then the relay, the bus (only if it created it), the database pool.
 */
export async function startIdentityService(options: { config: IdentityConfig; logger: Logger; bus?: EventBus }): Promise<RunningService> {
  const { config, logger } = options;
  const dataSource = createIdentityDataSource(config.DATABASE_URL);
  await dataSource.initialize();
  const registry = createMetricsRegistry(SERVICE_NAME);
  const bus = observeBus({
    bus: options.bus ?? createEventBus({ config, clientId: SERVICE_NAME, databaseUrl: config.DATABASE_URL, logger }),
    registry,
    owned: !options.bus,
  });
  const relay = new OutboxRelay({
    schema: IDENTITY_SCHEMA,
    transport: bus.transport,
    logger: logger.child({ component: 'outbox' }),
    openSession: () => openSqlSession(dataSource),
  });
  const rateLimiter = createRateLimiter({ config, logger });
  let graphql: ApolloServer<SubgraphContext> | undefined;
  const release = async (): Promise<void> => {
    await graphql?.stop();
    await rateLimiter.close();
    await relay.stop();
    if (!options.bus) await bus.close();
    if (dataSource.isInitialized) await dataSource.destroy();
  };
  try {
    const applied = await migrateIdentitySchema(dataSource);
    if (applied.length > 0) logger.info({ migrations: applied }, 'identity schema migrated');
    const hasher = new PasswordHasher();
    await ensureInitialAdmin({ dataSource, config, logger, hasher });
    const announced = await announceUnannouncedEmployees(dataSource);
    if (announced > 0) logger.info({ employees: announced }, 'announced employees that existed before employee events');
    await bus.transport.connect();
    relay.start();

    registerOutboxBacklogGauge({ registry, prefix: SERVICE_NAME, relay });
    const running = await startNestService({
      name: SERVICE_NAME,
      module: IdentityModule.forRoot({ config, dataSource, hasher, metrics: new IdentityMetrics(registry), rateLimiter }),
      port: config.PORT,
      logger,
      configure: async (app, nest) => {
        registerOperationalRoutes(app, {
          service: SERVICE_NAME,
          registry,
          checks: { database: async () => void (await dataSource.query('SELECT 1')), bus: () => bus.transport.ping() },
        });
        registerEmployeeAccessRoute(app, { dataSource, jwtSecret: config.JWT_SECRET, logger });
        graphql = await mountSubgraph({
          app,
          typeDefs: IDENTITY_TYPE_DEFS,
          resolvers: createIdentityResolvers({ dataSource, login: nest.get(LoginService), hasher, onEmployeesChanged: () => relay.notify() }),
          jwtSecret: config.JWT_SECRET,
          logger,
        });
      },
    });

    let stopped: Promise<void> | undefined;
    const stop = async (): Promise<void> => {
      try {
        await running.stop();
      } finally {
        await release();
      }
    };
    return { ...running, stop: () => (stopped ??= stop()) };
  } catch (error) {
    // Start-up failed part way: release what was opened, or the process would hang on the pool.
    await release();
    throw error;
  }
}
