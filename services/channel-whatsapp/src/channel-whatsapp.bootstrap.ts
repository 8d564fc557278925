import { OutboxRelay, SentCommandRepository, type EventBus } from '@switchboard/messaging';
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
import { CHANNEL_WHATSAPP_SCHEMA, CHANNEL_WHATSAPP_SERVICE, type ChannelWhatsAppConfig } from './channel-whatsapp.config';
import { ChannelWhatsAppMetrics } from './channel-whatsapp.metrics';
import { ChannelWhatsAppModule } from './channel-whatsapp.module';
import { whatsAppWebhookEndpoint } from './webhook/whatsapp-webhook.endpoint';
import { WhatsAppConnectionRepository } from './connections/whatsapp-connection.repository';
import { WhatsAppConnectionService, type ConnectNumberInput, type WhatsAppConnectionView } from './connections/whatsapp-connection.service';
import { WhatsAppCredentialsVault } from './connections/whatsapp-credentials.vault';
import { whatsAppApiFactory } from './graph-api/whatsapp-cloud-api.client';
import { channelWhatsAppResolvers, channelWhatsAppTypeDefs } from './graphql/channel-whatsapp.resolvers';
import { CHANNEL_WHATSAPP_MIGRATIONS } from './migrations/0001-init.migration';
import { WhatsAppOutboundConsumer } from './outbound/whatsapp-outbound.consumer';
import { registerWhatsAppMediaRoute } from './media/whatsapp-media.route';
import { WhatsAppInboundPublisher } from './webhook/whatsapp-inbound.publisher';

export interface StartChannelWhatsAppOptions {
  config: ChannelWhatsAppConfig;
  logger: Logger;
  /** A bus shared with other in-process services (standalone, tests); the service creates its own otherwise. */
  bus?: EventBus;
  /** Host to listen on (default 0.0.0.0). */
  host?: string;
  /** Backoff of throughput limits (tests shorten it). */
  rateLimitBaseDelayMs?: number;
}

export interface RunningChannelWhatsApp extends RunningService {
  connections: WhatsAppConnectionService;
  /** Programmatic connect (demo seeding, tests): same validation and effects as connectWhatsAppNumber. */
  connectNumber(input: ConnectNumberInput): Promise<WhatsAppConnectionView>;
  bus: EventBus;
  metrics: Registry;
}

/**
 * Starts the WhatsApp Cloud API connector: migrates its schema, then the outbox relay, the outbound
 * consumer and the HTTP app (webhook, /graphql, /health, /ready, /metrics). stop() drains in reverse.
 */
export async function startChannelWhatsAppService(options: StartChannelWhatsAppOptions): Promise<RunningChannelWhatsApp> {
  const { config, logger } = options;
  const shutdown = new ShutdownSequence('channel-whatsapp', logger);

  try {
    const dataSource = createServiceDataSource({
      url: config.DATABASE_URL,
      schema: CHANNEL_WHATSAPP_SCHEMA,
      migrations: CHANNEL_WHATSAPP_MIGRATIONS,
      applicationName: CHANNEL_WHATSAPP_SERVICE,
    });
    await dataSource.initialize();
    shutdown.add('database', () => dataSource.destroy());
    const applied = await migrateSchema(dataSource, CHANNEL_WHATSAPP_SCHEMA);
    if (applied.length > 0) logger.info({ applied }, 'channel-whatsapp migrations applied');

    const registry = createMetricsRegistry(CHANNEL_WHATSAPP_SERVICE);
    // This service's own view of the bus: counts its published, consumed, lagging and dead-lettered
    // records on its /metrics (decision 0028); a shared bus stays open when this view closes.
    const bus = observeBus({
      bus: options.bus ?? createEventBus({ config, clientId: CHANNEL_WHATSAPP_SERVICE, databaseUrl: config.DATABASE_URL, logger }),
      registry,
      owned: !options.bus,
    });
    if (!options.bus) {
      await bus.transport.connect();
      shutdown.add('bus', () => bus.close());
    }

    const metrics = new ChannelWhatsAppMetrics(registry);
    const rateLimiter = createRateLimiter({ config, logger });
    shutdown.add('rate limiter', () => rateLimiter.close());
    const vault = new WhatsAppCredentialsVault(new CredentialCipher(config.CREDENTIALS_KEY));
    const api = whatsAppApiFactory({
      baseUrl: config.WHATSAPP_GRAPH_API_BASE_URL,
      version: config.WHATSAPP_GRAPH_API_VERSION,
      timeoutMs: config.WHATSAPP_API_TIMEOUT_MS,
    });
    const repository = new WhatsAppConnectionRepository(dataSource);
    const publisher = new WhatsAppInboundPublisher({ bus, logger: logger.child({ component: 'whatsapp-inbound' }), metrics });

    const relay = new OutboxRelay({
      schema: CHANNEL_WHATSAPP_SCHEMA,
      openSession: () => openSqlSession(dataSource),
      transport: bus.transport,
      logger: logger.child({ component: 'outbox-relay' }),
    });
    relay.start();
    shutdown.add('outbox relay', () => relay.stop());
    registerOutboxBacklogGauge({ registry, prefix: 'whatsapp', relay });

    const sentCommands = new SentCommandRepository(dataSource, CHANNEL_WHATSAPP_SCHEMA);
    const housekeeping = retainSentCommands(new PeriodicJobs(logger.child({ component: 'housekeeping' })), dataSource, sentCommands.table, config.SENT_COMMANDS_RETENTION_HOURS);
    housekeeping.start();
    shutdown.add('housekeeping', () => housekeeping.stop());

    const outbound = new WhatsAppOutboundConsumer({
      bus,
      dataSource,
      relay,
      connections: repository,
      sentCommands,
      vault,
      api,
      metrics,
      files: new InternalFilesClient({ jwtSecret: config.JWT_SECRET, service: 'channel-whatsapp' }),
      logger,
      ...(options.rateLimitBaseDelayMs !== undefined ? { rateLimitBaseDelayMs: options.rateLimitBaseDelayMs } : {}),
    });
    await outbound.start();
    shutdown.add('outbound consumer', () => outbound.stop());

    const connections = new WhatsAppConnectionService({ repository, vault, api, logger });

    const webhookDeps = { connections: repository, vault, publisher, metrics, logger: logger.child({ component: 'whatsapp-webhook' }) };
    const webhookLimit = { limiter: rateLimiter, perMinute: config.WEBHOOK_RATE_LIMIT_PER_MINUTE, metrics: new RateLimitMetrics(registry) };
    const running = await startNestService({
      name: CHANNEL_WHATSAPP_SERVICE,
      module: ChannelWhatsAppModule.forRoot(webhookDeps, webhookLimit),
      webhooks: [whatsAppWebhookEndpoint(webhookDeps, webhookLimit)],
      port: config.PORT,
      // The webhook limit keys on the client IP: behind the ingress it is in X-Forwarded-For.
      trustProxy: config.TRUST_PROXY,
      ...(options.host ? { host: options.host } : {}),
      logger,
      configure: async (app) => {
        registerOperationalRoutes(app, {
          service: CHANNEL_WHATSAPP_SERVICE,
          registry,
          checks: {
            database: async () => void (await dataSource.query('SELECT 1')),
            bus: () => bus.transport.ping(),
          },
        });
        registerWhatsAppMediaRoute(app, {
          connections: repository,
          vault,
          graph: { baseUrl: config.WHATSAPP_GRAPH_API_BASE_URL, version: config.WHATSAPP_GRAPH_API_VERSION, timeoutMs: config.WHATSAPP_API_TIMEOUT_MS },
          // A download is a whole file, not one API answer.
          downloadTimeoutMs: config.WHATSAPP_API_TIMEOUT_MS * 6,
          jwtSecret: config.JWT_SECRET,
          logger: logger.child({ component: 'whatsapp-media' }),
        });
        const graphql = await mountSubgraph({
          app,
          typeDefs: channelWhatsAppTypeDefs,
          resolvers: channelWhatsAppResolvers(connections, dataSource),
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
      connectNumber: (input) => connections.connectNumber(input),
      bus,
      metrics: registry,
      stop: () => shutdown.stop(),
    };
  } catch (error) {
    logger.error({ err: error }, 'channel-whatsapp failed to start; releasing what started');
    await shutdown.stop().catch((stopError: unknown) => logger.error({ err: stopError }, 'cleanup after failed start also failed'));
    throw error;
  }
}
