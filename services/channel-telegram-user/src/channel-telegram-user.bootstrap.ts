import { OutboxRelay, type EventBus } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema, openSqlSession } from '@switchboard/persistence';
import {
  CredentialCipher,
  InternalFilesClient,
  createEventBus,
  createMetricsRegistry,
  mountSubgraph,
  registerOperationalRoutes,
  startNestService,
  ShutdownSequence,
  type RunningService,
} from '@switchboard/service-kit';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { CHANNEL_TELEGRAM_USER_SCHEMA, CHANNEL_TELEGRAM_USER_SERVICE, type ChannelTelegramUserConfig } from './channel-telegram-user.config';
import { ChannelTelegramUserMetrics } from './channel-telegram-user.metrics';
import { ChannelTelegramUserModule } from './channel-telegram-user.module';
import { gramJsClientFactory } from './client/gramjs-telegram-user.client';
import type { TelegramUserClientFactory } from './client/telegram-user-client.port';
import { TelegramUserConnectionRepository } from './connections/connection.repository';
import { TelegramUserConnectionService } from './connections/connection.service';
import { SessionVault } from './connections/session.vault';
import { channelTelegramUserResolvers, channelTelegramUserTypeDefs } from './graphql/channel-telegram-user.resolvers';
import { TelegramUserInboundStore } from './inbound/telegram-user-inbound.store';
import { TypingPublisher } from './inbound/typing.publisher';
import { AccountLeaseRepository } from './lease/account-lease.repository';
import { LoginRepository } from './login/login.repository';
import { registerTelegramUserMediaRoute } from './media/telegram-user-media.route';
import { TelegramUserLoginService } from './login/login.service';
import { CHANNEL_TELEGRAM_USER_MIGRATIONS } from './migrations/0001-init.migration';
import { OutboundCommandRepository } from './outbound/outbound-command.repository';
import { TelegramUserOutboundConsumer } from './outbound/telegram-user-outbound.consumer';
import { AccountSupervisor } from './runtime/account-supervisor';

export interface StartChannelTelegramUserOptions {
  config: ChannelTelegramUserConfig;
  logger: Logger;
  /** A bus shared with other in-process services (standalone, tests); the service creates its own otherwise. */
  bus?: EventBus;
  /** Host to listen on (default 0.0.0.0). */
  host?: string;
  /** MTProto clients; default GramJS with TELEGRAM_API_ID/HASH (tests pass a double of the port). */
  clientFactory?: TelegramUserClientFactory;
  /** This instance's name in account leases (default host:pid:random); shown in the health view. */
  instanceId?: string;
  /** How often the sender looks for commands queued on other instances (default 1000 ms). */
  sendPollMs?: number;
}

export interface RunningChannelTelegramUser extends RunningService {
  logins: TelegramUserLoginService;
  connections: TelegramUserConnectionService;
  /** This instance's holder id in the leases table. */
  instanceId: string;
  bus: EventBus;
  metrics: Registry;
}

/**
 * Starts the Telegram user-account connector: migrates its schema, then the outbox relay, the outbound
 * consumer (queues commands), the account supervisor (one runner per account: standby or live by lease) and
 * the HTTP app (/graphql, /health, /ready, /metrics). stop() drains in reverse: HTTP, the accounts (clients
 * disconnect, leases released so a standby takes over at once), the consumer, the relay, the bus, the database.
 */
export async function startChannelTelegramUserService(options: StartChannelTelegramUserOptions): Promise<RunningChannelTelegramUser> {
  const { config, logger } = options;
  const shutdown = new ShutdownSequence(CHANNEL_TELEGRAM_USER_SERVICE, logger);

  try {
    const dataSource = createServiceDataSource({
      url: config.DATABASE_URL,
      schema: CHANNEL_TELEGRAM_USER_SCHEMA,
      migrations: CHANNEL_TELEGRAM_USER_MIGRATIONS,
      applicationName: CHANNEL_TELEGRAM_USER_SERVICE,
    });
    await dataSource.initialize();
    shutdown.add('database', () => dataSource.destroy());
    const applied = await migrateSchema(dataSource, CHANNEL_TELEGRAM_USER_SCHEMA);
    if (applied.length > 0) logger.info({ applied }, 'channel-telegram-user migrations applied');

    const bus = options.bus ?? createEventBus({ config, clientId: CHANNEL_TELEGRAM_USER_SERVICE, databaseUrl: config.DATABASE_URL, logger });
    if (!options.bus) {
      await bus.transport.connect();
      shutdown.add('bus', () => bus.close());
    }

    const registry = createMetricsRegistry(CHANNEL_TELEGRAM_USER_SERVICE);
    const metrics = new ChannelTelegramUserMetrics(registry);
    const sessions = new SessionVault(new CredentialCipher(config.CREDENTIALS_KEY));
    const clientFactory =
      options.clientFactory ??
      (config.TELEGRAM_API_ID !== undefined && config.TELEGRAM_API_HASH !== undefined
        ? gramJsClientFactory({ apiId: config.TELEGRAM_API_ID, apiHash: config.TELEGRAM_API_HASH })
        : undefined);
    if (!clientFactory) logger.warn('TELEGRAM_API_ID/TELEGRAM_API_HASH are not set: Telegram user accounts can neither log in nor run');
    const instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const connections = new TelegramUserConnectionRepository(dataSource);
    const leases = new AccountLeaseRepository(dataSource);
    const commands = new OutboundCommandRepository(dataSource);

    const relay = new OutboxRelay({
      schema: CHANNEL_TELEGRAM_USER_SCHEMA,
      openSession: () => openSqlSession(dataSource),
      transport: bus.transport,
      logger: logger.child({ component: 'outbox-relay' }),
    });
    relay.start();
    shutdown.add('outbox relay', () => relay.stop());

    let supervisor: AccountSupervisor | undefined;
    if (clientFactory) {
      supervisor = new AccountSupervisor({
        connections,
        syncIntervalMs: Math.max(1_000, Math.floor(config.TELEGRAM_USER_LEASE_TTL_MS / 3)),
        logger,
        runner: {
          holder: instanceId,
          clientFactory,
          connections,
          leases,
          commands,
          store: new TelegramUserInboundStore({ dataSource, relay, connections }),
          sessions,
          typing: new TypingPublisher({ bus, logger: logger.child({ component: 'telegram-user-typing' }) }),
          files: new InternalFilesClient({ jwtSecret: config.JWT_SECRET, service: CHANNEL_TELEGRAM_USER_SERVICE }),
          metrics,
          logger,
          settings: {
            leaseTtlMs: config.TELEGRAM_USER_LEASE_TTL_MS,
            floodWaitMaxSeconds: config.TELEGRAM_USER_FLOOD_WAIT_MAX_SECONDS,
            sendAttempts: config.TELEGRAM_USER_SEND_ATTEMPTS,
            backfillLimit: config.TELEGRAM_USER_BACKFILL_LIMIT,
            backfillDialogs: config.TELEGRAM_USER_BACKFILL_DIALOGS,
            sendPollMs: options.sendPollMs ?? 1_000,
          },
        },
      });
    }

    const outbound = new TelegramUserOutboundConsumer({
      bus,
      relay,
      commands,
      connections,
      notifyWork: (connectionId) => supervisor?.notifyWork(connectionId),
      logger,
    });
    await outbound.start();
    shutdown.add('outbound consumer', () => outbound.stop());

    if (supervisor) {
      const accounts = supervisor;
      await accounts.start();
      shutdown.add('accounts', () => accounts.stop());
    }
    const refresh = async () => supervisor?.refresh();
    const connectionService = new TelegramUserConnectionService({
      repository: connections,
      leases,
      runnerState: (id) => supervisor?.stateOf(id),
      refresh,
      logger,
    });
    const logins = new TelegramUserLoginService({
      dataSource,
      logins: new LoginRepository(dataSource),
      connections,
      sessions,
      clientFactory,
      loginTtlMinutes: config.TELEGRAM_USER_LOGIN_TTL_MINUTES,
      onConnected: () => void refresh(),
      logger: logger.child({ component: 'telegram-user-login' }),
    });

    const running = await startNestService({
      name: CHANNEL_TELEGRAM_USER_SERVICE,
      module: ChannelTelegramUserModule,
      port: config.PORT,
      ...(options.host ? { host: options.host } : {}),
      logger,
      configure: async (app) => {
        registerOperationalRoutes(app, {
          service: CHANNEL_TELEGRAM_USER_SERVICE,
          registry,
          checks: {
            database: async () => void (await dataSource.query('SELECT 1')),
            bus: () => bus.transport.ping(),
          },
        });
        registerTelegramUserMediaRoute(app, {
          connections,
          download: (connectionId, params) => supervisor?.downloadMedia(connectionId, params),
          maxBytes: config.TELEGRAM_USER_MEDIA_MAX_BYTES,
          jwtSecret: config.JWT_SECRET,
          logger: logger.child({ component: 'telegram-user-media' }),
        });
        const graphql = await mountSubgraph({
          app,
          typeDefs: channelTelegramUserTypeDefs,
          resolvers: channelTelegramUserResolvers({ connections: connectionService, logins }),
          jwtSecret: config.JWT_SECRET,
          logger,
        });
        shutdown.add('graphql', () => graphql.stop());
      },
    });
    shutdown.add('http', () => running.stop());

    return { ...running, logins, connections: connectionService, instanceId, bus, metrics: registry, stop: () => shutdown.stop() };
  } catch (error) {
    logger.error({ err: error }, 'channel-telegram-user failed to start; releasing what started');
    await shutdown.stop().catch((stopError: unknown) => logger.error({ err: stopError }, 'cleanup after failed start also failed'));
    throw error;
  }
}
