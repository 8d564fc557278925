import { openSqlSession } from '@switchboard/persistence';
import { OutboxRelay, SentCommandRepository, type EventBus } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import {
  CredentialCipher,
  InternalFilesClient,
  PeriodicJobs,
  RateLimitMetrics,
  createEventBus,
  createRateLimiter,
  createMetricsRegistry,
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
import { CHANNEL_TELEGRAM_SCHEMA, CHANNEL_TELEGRAM_SERVICE, type ChannelTelegramConfig } from './channel-telegram.config';
import { ChannelTelegramMetrics } from './channel-telegram.metrics';
import { channelTelegramResolvers, channelTelegramTypeDefs } from './graphql/channel-telegram.resolvers';
import { CHANNEL_TELEGRAM_MIGRATIONS } from './migrations/0001-init.migration';
import { telegramApiFactory } from './telegram-bot-api.client';
import { TelegramConnectionRepository } from './telegram-connection.repository';
import { TelegramConnectionService, type ConnectBotInput, type TelegramConnectionView } from './telegram-connection.service';
import { TelegramInboundPublisher } from './telegram-inbound.publisher';
import { TelegramOutboundConsumer } from './telegram-outbound.consumer';
import { TelegramPollerPool } from './telegram-poller';
import { TelegramTokenVault } from './telegram-token.vault';
import { TelegramTypingForwarder } from './telegram-typing.forwarder';
import { telegramWebhookEndpoint } from './telegram-webhook.endpoint';
import { registerTelegramMediaRoute } from './telegram-media.route';

export interface StartChannelTelegramOptions {
  config: ChannelTelegramConfig;
  logger: Logger;
  /** A bus shared with other in-process services (standalone, tests); the service creates its own otherwise. */
  bus?: EventBus;
  /** Host to listen on (default 0.0.0.0). */
  host?: string;
}

export interface RunningChannelTelegram extends RunningService {
  connections: TelegramConnectionService;
  /** Programmatic connect (demo seeding, tests): same validation and effects as connectTelegramBot. */
  connectBot(input: ConnectBotInput): Promise<TelegramConnectionView>;
  bus: EventBus;
  metrics: Registry;
}

/**
 * Starts the Telegram connector: migrates its schema, then the outbox relay, the pollers, the outbound
 * consumer and the HTTP app (webhooks, /graphql, /health, /ready, /metrics). stop() drains in reverse:
 * no new HTTP work, then pollers, consumer, relay, the bus (only if it created it), the database.
 */
export async function startChannelTelegramService(options: StartChannelTelegramOptions): Promise<RunningChannelTelegram> {
  const { config } = options;
  const logger = options.logger;
  const shutdown = new ShutdownSequence(CHANNEL_TELEGRAM_SERVICE, logger);

  try {
    const dataSource = createServiceDataSource({
      url: config.DATABASE_URL,
      schema: CHANNEL_TELEGRAM_SCHEMA,
      migrations: CHANNEL_TELEGRAM_MIGRATIONS,
      applicationName: CHANNEL_TELEGRAM_SERVICE,
    });
    await dataSource.initialize();
    shutdown.add('database', () => dataSource.destroy());
    const applied = await migrateSchema(dataSource, CHANNEL_TELEGRAM_SCHEMA);
    if (applied.length > 0) logger.info({ applied }, 'channel-telegram migrations applied');

    const registry = createMetricsRegistry(CHANNEL_TELEGRAM_SERVICE);
    const bus = observeBus({
      bus: options.bus ?? createEventBus({ config, clientId: CHANNEL_TELEGRAM_SERVICE, databaseUrl: config.DATABASE_URL, logger }),
      registry,
      owned: !options.bus,
    });
    if (!options.bus) {
      await bus.transport.connect();
      shutdown.add('bus', () => bus.close());
    }

    const metrics = new ChannelTelegramMetrics(registry);
    const rateLimiter = createRateLimiter({ config, logger });
    shutdown.add('rate limiter', () => rateLimiter.close());
    const tokens = new TelegramTokenVault(new CredentialCipher(config.CREDENTIALS_KEY));
    const api = telegramApiFactory({ baseUrl: config.TELEGRAM_API_BASE_URL, timeoutMs: config.TELEGRAM_API_TIMEOUT_MS });
    const repository = new TelegramConnectionRepository(dataSource);
    const publisher = new TelegramInboundPublisher({ bus, logger: logger.child({ component: 'telegram-inbound' }), metrics });

    const relay = new OutboxRelay({
      schema: CHANNEL_TELEGRAM_SCHEMA,
      openSession: () => openSqlSession(dataSource),
      transport: bus.transport,
      logger: logger.child({ component: 'outbox-relay' }),
    });
    relay.start();
    shutdown.add('outbox relay', () => relay.stop());
    registerOutboxBacklogGauge({ registry, prefix: 'telegram', relay });

    const pollers = new TelegramPollerPool({
      databaseUrl: config.DATABASE_URL,
      repository,
      publisher,
      api,
      tokens,
      pollTimeoutSeconds: config.TELEGRAM_POLL_TIMEOUT_SECONDS,
      lockRetryMs: config.TELEGRAM_POLLER_LOCK_RETRY_MS,
      logger,
    });
    shutdown.add('pollers', () => pollers.stop());
    await pollers.start();

    const sentCommands = new SentCommandRepository(dataSource, CHANNEL_TELEGRAM_SCHEMA);
    const housekeeping = retainSentCommands(new PeriodicJobs(logger.child({ component: 'housekeeping' })), dataSource, sentCommands.table, config.SENT_COMMANDS_RETENTION_HOURS);
    housekeeping.start();
    shutdown.add('housekeeping', () => housekeeping.stop());

    const outbound = new TelegramOutboundConsumer({
      bus,
      dataSource,
      relay,
      connections: repository,
      sentCommands,
      tokens,
      api,
      metrics,
      files: new InternalFilesClient({ jwtSecret: config.JWT_SECRET, service: 'channel-telegram' }),
      logger,
    });
    await outbound.start();
    shutdown.add('outbound consumer', () => outbound.stop());

    const typing = new TelegramTypingForwarder({ bus, connections: repository, tokens, api, logger });
    await typing.start();
    shutdown.add('typing forwarder', () => typing.stop());

    const connections = new TelegramConnectionService({
      repository,
      tokens,
      api,
      pollers,
      publicWebhookBaseUrl: config.PUBLIC_WEBHOOK_BASE_URL,
      logger,
    });

    const running = await startNestService({
      name: CHANNEL_TELEGRAM_SERVICE,
      webhooks: [
        telegramWebhookEndpoint(
          { connections: repository, publisher, metrics, logger: logger.child({ component: 'telegram-webhook' }) },
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
          service: CHANNEL_TELEGRAM_SERVICE,
          registry,
          checks: {
            database: async () => void (await dataSource.query('SELECT 1')),
            bus: () => bus.transport.ping(),
          },
        });
        registerTelegramMediaRoute(app, {
          connections: repository,
          tokens,
          api,
          jwtSecret: config.JWT_SECRET,
          downloadTimeoutMs: config.TELEGRAM_API_TIMEOUT_MS * 6,
          logger: logger.child({ component: 'telegram-media' }),
        });
        const graphql = await mountSubgraph({
          app,
          typeDefs: channelTelegramTypeDefs,
          resolvers: channelTelegramResolvers(connections, dataSource),
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
    logger.error({ err: error }, 'channel-telegram failed to start; releasing what started');
    await shutdown.stop().catch((stopError: unknown) => logger.error({ err: stopError }, 'cleanup after failed start also failed'));
    throw error;
  }
}
