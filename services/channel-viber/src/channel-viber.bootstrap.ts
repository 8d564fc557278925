import { OutboxRelay, type EventBus } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema, openSqlSession } from '@switchboard/persistence';
import {
  CredentialCipher,
  InternalFilesClient,
  PeriodicJobs,
  RateLimitMetrics,
  createEventBus,
  createMetricsRegistry,
  createRateLimiter,
  mountSubgraph,
  observeBus,
  registerOperationalRoutes,
  registerOutboxBacklogGauge,
  retainSentCommands,
  startNestService,
  ShutdownSequence,
  type RunningService,
} from '@switchboard/service-kit';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { CHANNEL_VIBER_SCHEMA, CHANNEL_VIBER_SERVICE, type ChannelViberConfig } from './channel-viber.config';
import { ChannelViberMetrics } from './channel-viber.metrics';
import { viberWebhookEndpoint } from './viber-webhook.endpoint';
import { channelViberResolvers, channelViberTypeDefs } from './graphql/channel-viber.resolvers';
import { CHANNEL_VIBER_MIGRATIONS } from './migrations/0001-init.migration';
import { SentCommandRepository } from './sent-command.repository';
import { viberApiFactory } from './viber-api.client';
import { ViberCallbackHandler } from './viber-callback.handler';
import { ViberConnectionRepository } from './viber-connection.repository';
import { ViberConnectionService, type ConnectViberBotInput, type ViberConnectionView } from './viber-connection.service';
import { ViberInboundStore } from './viber-inbound.store';
import { ViberMediaFetcher } from './viber-media.fetcher';
import { registerViberMediaRoute } from './viber-media.route';
import { ViberOutboundConsumer } from './viber-outbound.consumer';
import { ViberTokenVault } from './viber-token.vault';

export interface StartChannelViberOptions {
  config: ChannelViberConfig;
  logger: Logger;
  /** A bus shared with other in-process services (standalone, tests); the service creates its own otherwise. */
  bus?: EventBus;
  /** Host to listen on (default 0.0.0.0). */
  host?: string;
}

export interface RunningChannelViber extends RunningService {
  connections: ViberConnectionService;
  /** Programmatic connect (tests, seeding): same validation and effects as connectViberBot. */
  connectBot(input: ConnectViberBotInput): Promise<ViberConnectionView>;
  bus: EventBus;
  metrics: Registry;
}

/**
 * Starts the Viber connector: migrates its schema, then the outbox relay, the outbound consumer and the HTTP
 * app (webhooks, /graphql, /health, /ready, /metrics). stop() drains in reverse: no new HTTP work, then the
 * consumer, the relay, the bus (only if it created it), the database.
 */
export async function startChannelViberService(options: StartChannelViberOptions): Promise<RunningChannelViber> {
  const { config, logger } = options;
  const shutdown = new ShutdownSequence('channel-viber', logger);

  try {
    const dataSource = createServiceDataSource({
      url: config.DATABASE_URL,
      schema: CHANNEL_VIBER_SCHEMA,
      migrations: CHANNEL_VIBER_MIGRATIONS,
      applicationName: CHANNEL_VIBER_SERVICE,
    });
    await dataSource.initialize();
    shutdown.add('database', () => dataSource.destroy());
    const applied = await migrateSchema(dataSource, CHANNEL_VIBER_SCHEMA);
    if (applied.length > 0) logger.info({ applied }, 'channel-viber migrations applied');

    const registry = createMetricsRegistry(CHANNEL_VIBER_SERVICE);
    // This service's own view of the bus: counts its published, consumed, lagging and dead-lettered
    // records on its /metrics (decision 0028); a shared bus stays open when this view closes.
    const bus = observeBus({
      bus: options.bus ?? createEventBus({ config, clientId: CHANNEL_VIBER_SERVICE, databaseUrl: config.DATABASE_URL, logger }),
      registry,
      owned: !options.bus,
    });
    if (!options.bus) {
      await bus.transport.connect();
      shutdown.add('bus', () => bus.close());
    }

    const metrics = new ChannelViberMetrics(registry);
    const rateLimiter = createRateLimiter({ config, logger });
    shutdown.add('rate limiter', () => rateLimiter.close());
    const tokens = new ViberTokenVault(new CredentialCipher(config.CREDENTIALS_KEY));
    const api = viberApiFactory({ baseUrl: config.VIBER_API_BASE_URL, timeoutMs: config.VIBER_API_TIMEOUT_MS });
    const repository = new ViberConnectionRepository(dataSource);

    const relay = new OutboxRelay({
      schema: CHANNEL_VIBER_SCHEMA,
      openSession: () => openSqlSession(dataSource),
      transport: bus.transport,
      logger: logger.child({ component: 'outbox-relay' }),
    });
    relay.start();
    shutdown.add('outbox relay', () => relay.stop());
    registerOutboxBacklogGauge({ registry, prefix: 'viber', relay });

    const sentCommands = new SentCommandRepository(dataSource);
    const outbound = new ViberOutboundConsumer({
      bus,
      dataSource,
      relay,
      connections: repository,
      sentCommands,
      tokens,
      api,
      metrics,
      files: new InternalFilesClient({ jwtSecret: config.JWT_SECRET, service: 'channel-viber' }),
      logger,
      sendAttempts: config.VIBER_SEND_ATTEMPTS,
      backoffMs: config.VIBER_SEND_BACKOFF_MS,
    });
    await outbound.start();
    shutdown.add('outbound consumer', () => outbound.stop());

    const connections = new ViberConnectionService({ repository, tokens, api, publicWebhookBaseUrl: config.PUBLIC_WEBHOOK_BASE_URL, logger });
    const store = new ViberInboundStore({ dataSource, relay });
    const housekeeping = new PeriodicJobs(logger.child({ component: 'housekeeping' }))
      .retain('callback dedupe rows', config.VIBER_DEDUPE_RETENTION_HOURS, (olderThan) => store.pruneCallbacks(olderThan))
      .retain('downloaded media', config.VIBER_MEDIA_RETENTION_HOURS, (olderThan) => store.pruneMedia(olderThan));
    retainSentCommands(housekeeping, dataSource, sentCommands.table, config.SENT_COMMANDS_RETENTION_HOURS);
    housekeeping.start();
    shutdown.add('housekeeping', () => housekeeping.stop());
    const handler = new ViberCallbackHandler({
      store,
      media: new ViberMediaFetcher({ timeoutMs: config.VIBER_MEDIA_TIMEOUT_MS, maxBytes: config.VIBER_MEDIA_MAX_BYTES }),
      metrics,
      logger: logger.child({ component: 'viber-inbound' }),
    });

    const running = await startNestService({
      name: CHANNEL_VIBER_SERVICE,
      webhooks: [
        viberWebhookEndpoint(
          { connections: repository, tokens, handler, metrics, logger: logger.child({ component: 'viber-webhook' }) },
          { limiter: rateLimiter, perMinute: config.WEBHOOK_RATE_LIMIT_PER_MINUTE, metrics: new RateLimitMetrics(registry) },
        ),
      ],
      port: config.PORT,
      // The webhook limit keys on the client IP: behind the ingress it is in X-Forwarded-For.
      trustProxy: config.TRUST_PROXY,
      ...(options.host ? { host: options.host } : {}),
      logger,
      configure: async (app) => {
        registerOperationalRoutes(app, {
          service: CHANNEL_VIBER_SERVICE,
          registry,
          checks: {
            database: async () => void (await dataSource.query('SELECT 1')),
            bus: () => bus.transport.ping(),
          },
        });
        registerViberMediaRoute(app, {
          dataSource,
          jwtSecret: config.JWT_SECRET,
          maxBytes: config.VIBER_MEDIA_MAX_BYTES,
          logger: logger.child({ component: 'viber-media' }),
        });
        const graphql = await mountSubgraph({
          app,
          typeDefs: channelViberTypeDefs,
          resolvers: channelViberResolvers(connections, dataSource),
          jwtSecret: config.JWT_SECRET,
          logger,
        });
        shutdown.add('graphql', () => graphql.stop());
      },
    });
    shutdown.add('http', () => running.stop());

    return {
      ...running,
      connections,
      connectBot: (input) => connections.connectBot(input),
      bus,
      metrics: registry,
      stop: () => shutdown.stop(),
    };
  } catch (error) {
    logger.error({ err: error }, 'channel-viber failed to start; releasing what started');
    await shutdown.stop().catch((stopError: unknown) => logger.error({ err: stopError }, 'cleanup after failed start also failed'));
    throw error;
  }
}
