import { OutboxRelay, SentCommandRepository, type EventBus } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema, openSqlSession } from '@switchboard/persistence';
import {
  CredentialCipher,
  InboundMediaLinks,
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
  ShutdownSequence,
  startNestService,
  type RunningService,
} from '@switchboard/service-kit';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { CHANNEL_META_SCHEMA, CHANNEL_META_SERVICE, type ChannelMetaConfig } from './channel-meta.config';
import { ChannelMetaMetrics } from './channel-meta.metrics';
import { ChannelMetaModule } from './channel-meta.module';
import { metaWebhookEndpoint } from './webhook/meta-webhook.endpoint';
import { MetaConnectionRepository } from './connections/meta-connection.repository';
import { MetaConnectionService, type ConnectPageInput, type MetaConnectionView } from './connections/meta-connection.service';
import { MetaCredentialsVault } from './connections/meta-credentials.vault';
import { metaApiFactory } from './graph-api/meta-graph-api.client';
import { channelMetaResolvers, channelMetaTypeDefs } from './graphql/channel-meta.resolvers';
import { registerMetaMediaRoute } from './media/meta-media.route';
import { CHANNEL_META_MIGRATIONS } from './migrations/0001-init.migration';
import { MetaOutboundConsumer } from './outbound/meta-outbound.consumer';
import { MetaTypingForwarder } from './outbound/meta-typing.forwarder';
import { CommentRepository } from './webhook/comment.repository';
import { MetaInboundPublisher } from './webhook/meta-inbound.publisher';

export interface StartChannelMetaOptions {
  config: ChannelMetaConfig;
  logger: Logger;
  /** A bus shared with other in-process services (standalone, tests); the service creates its own otherwise. */
  bus?: EventBus;
  /** Host to listen on (default 0.0.0.0). */
  host?: string;
  /** Backoff of rate limits (tests shorten it). */
  rateLimitBaseDelayMs?: number;
}

export interface RunningChannelMeta extends RunningService {
  connections: MetaConnectionService;
  /** Programmatic connect (demo seeding, tests): same validation and effects as connectMetaPage. */
  connectPage(input: ConnectPageInput): Promise<MetaConnectionView>;
  bus: EventBus;
  metrics: Registry;
}

/**
 * Starts the Messenger/Instagram/comments connector: migrates its schema, then the outbox relay, the
 * outbound consumer, the subscription check and the HTTP app (webhook, /graphql, /health, /ready, /metrics).
 * stop() drains in reverse.
 */
export async function startChannelMetaService(options: StartChannelMetaOptions): Promise<RunningChannelMeta> {
  const { config, logger } = options;
  const shutdown = new ShutdownSequence(CHANNEL_META_SERVICE, logger);

  try {
    const dataSource = createServiceDataSource({
      url: config.DATABASE_URL,
      schema: CHANNEL_META_SCHEMA,
      migrations: CHANNEL_META_MIGRATIONS,
      applicationName: CHANNEL_META_SERVICE,
    });
    await dataSource.initialize();
    shutdown.add('database', () => dataSource.destroy());
    const applied = await migrateSchema(dataSource, CHANNEL_META_SCHEMA);
    if (applied.length > 0) logger.info({ applied }, 'channel-meta migrations applied');

    const registry = createMetricsRegistry(CHANNEL_META_SERVICE);
    // This service's own view of the bus: counts its published, consumed, lagging and dead-lettered
    // records on its /metrics (decision 0028); a shared bus stays open when this view closes.
    const bus = observeBus({
      bus: options.bus ?? createEventBus({ config, clientId: CHANNEL_META_SERVICE, databaseUrl: config.DATABASE_URL, logger }),
      registry,
      owned: !options.bus,
    });
    if (!options.bus) {
      await bus.transport.connect();
      shutdown.add('bus', () => bus.close());
    }

    const metrics = new ChannelMetaMetrics(registry);
    const rateLimiter = createRateLimiter({ config, logger });
    shutdown.add('rate limiter', () => rateLimiter.close());
    const vault = new MetaCredentialsVault(new CredentialCipher(config.CREDENTIALS_KEY));
    const api = metaApiFactory({ baseUrl: config.META_GRAPH_API_BASE_URL, version: config.META_GRAPH_API_VERSION, timeoutMs: config.META_API_TIMEOUT_MS });
    const repository = new MetaConnectionRepository(dataSource);
    const comments = new CommentRepository(dataSource);
    const mediaLinks = new InboundMediaLinks(dataSource, CHANNEL_META_SCHEMA);
    const publisher = new MetaInboundPublisher({ bus, comments, mediaLinks, logger: logger.child({ component: 'meta-inbound' }), metrics });

    const relay = new OutboxRelay({
      schema: CHANNEL_META_SCHEMA,
      openSession: () => openSqlSession(dataSource),
      transport: bus.transport,
      logger: logger.child({ component: 'outbox-relay' }),
    });
    relay.start();
    shutdown.add('outbox relay', () => relay.stop());
    registerOutboxBacklogGauge({ registry, prefix: 'meta', relay });

    const sentCommands = new SentCommandRepository(dataSource, CHANNEL_META_SCHEMA);
    const outbound = new MetaOutboundConsumer({
      bus,
      dataSource,
      relay,
      connections: repository,
      comments,
      sentCommands,
      vault,
      api,
      metrics,
      files: new InternalFilesClient({ jwtSecret: config.JWT_SECRET, service: 'channel-meta' }),
      logger,
      ...(options.rateLimitBaseDelayMs !== undefined ? { rateLimitBaseDelayMs: options.rateLimitBaseDelayMs } : {}),
    });
    await outbound.start();
    shutdown.add('outbound consumer', () => outbound.stop());

    const typing = new MetaTypingForwarder({ bus, connections: repository, vault, api, logger });
    await typing.start();
    shutdown.add('typing forwarder', () => typing.stop());

    const connections = new MetaConnectionService({ repository, vault, api, logger });
    const housekeeping = new PeriodicJobs(logger.child({ component: 'housekeeping' })).retain('media links', config.META_MEDIA_LINK_RETENTION_HOURS, (olderThan) =>
      mediaLinks.purgeOlderThan(olderThan),
    );
    // checkAll logs per-Page failures itself; a failed listing of the Pages is logged by the job runner.
    if (config.META_SUBSCRIPTION_CHECK_INTERVAL_MS > 0) housekeeping.every('subscription check', config.META_SUBSCRIPTION_CHECK_INTERVAL_MS, () => connections.checkAll());
    retainSentCommands(housekeeping, dataSource, sentCommands.table, config.SENT_COMMANDS_RETENTION_HOURS);
    housekeeping.start();
    shutdown.add('housekeeping', () => housekeeping.stop());

    const webhookDeps = { connections: repository, vault, publisher, metrics, logger: logger.child({ component: 'meta-webhook' }) };
    const webhookLimit = { limiter: rateLimiter, perMinute: config.WEBHOOK_RATE_LIMIT_PER_MINUTE, metrics: new RateLimitMetrics(registry) };
    const running = await startNestService({
      name: CHANNEL_META_SERVICE,
      module: ChannelMetaModule.forRoot(webhookDeps, webhookLimit),
      webhooks: [metaWebhookEndpoint(webhookDeps, webhookLimit)],
      port: config.PORT,
      // The webhook limit keys on the client IP: behind the ingress it is in X-Forwarded-For.
      trustProxy: config.TRUST_PROXY,
      ...(options.host ? { host: options.host } : {}),
      logger,
      configure: async (app) => {
        registerOperationalRoutes(app, {
          service: CHANNEL_META_SERVICE,
          registry,
          checks: {
            database: async () => void (await dataSource.query('SELECT 1')),
            bus: () => bus.transport.ping(),
          },
        });
        registerMetaMediaRoute(app, {
          links: mediaLinks,
          // A download is a whole file, not one API answer.
          downloadTimeoutMs: config.META_API_TIMEOUT_MS * 6,
          jwtSecret: config.JWT_SECRET,
          logger: logger.child({ component: 'meta-media' }),
        });
        const graphql = await mountSubgraph({ app, typeDefs: channelMetaTypeDefs, resolvers: channelMetaResolvers(connections, dataSource), jwtSecret: config.JWT_SECRET, logger });
        shutdown.add('graphql', () => graphql.stop());
      },
    });
    shutdown.add('http', () => running.stop());

    return {
      ...running,
      connections,
      connectPage: (input) => connections.connectPage(input),
      bus,
      metrics: registry,
      stop: () => shutdown.stop(),
    };
  } catch (error) {
    logger.error({ err: error }, 'channel-meta failed to start; releasing what started');
    await shutdown.stop().catch((stopError: unknown) => logger.error({ err: stopError }, 'cleanup after failed start also failed'));
    throw error;
  }
}
