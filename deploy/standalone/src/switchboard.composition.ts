import { channelBridgeConfigSchema, startChannelBridgeService } from '@switchboard/channel-bridge';
import { channelMetaConfigSchema, startChannelMetaService } from '@switchboard/channel-meta';
import { channelTelegramConfigSchema, startChannelTelegramService } from '@switchboard/channel-telegram';
import { channelTelegramUserConfigSchema, startChannelTelegramUserService, type TelegramUserClientFactory } from '@switchboard/channel-telegram-user';
import { channelViberConfigSchema, startChannelViberService } from '@switchboard/channel-viber';
import { channelWhatsAppConfigSchema, startChannelWhatsAppService } from '@switchboard/channel-whatsapp';
import { chatConfigSchema, startChatService } from '@switchboard/chat';
import { startGateway, type RunningGateway } from '@switchboard/gateway';
import { startIdentityService } from '@switchboard/identity';
import { identityConfigSchema } from '@switchboard/identity';
import { startTasksService, tasksConfigSchema } from '@switchboard/tasks';
import { crmConfigSchema, startCrmService } from '@switchboard/crm';
import { filesConfigSchema, startFilesService } from '@switchboard/files';
import { LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, type EventBus } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createEventBus, type Logger, type RunningService } from '@switchboard/service-kit';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface SwitchboardOptions {
  databaseUrl: string;
  /** Kafka when given; otherwise the PostgreSQL log bus (single process only). */
  kafkaBrokers?: string[];
  kafkaMaxWaitMs?: number;
  /**
   * Kafka consumer session timeout (default 30 s). librdkafka's mock cluster holds every rebalance of a group
   * with members for about this long, so tests that add or remove instances shorten it.
   */
  kafkaSessionTimeoutMs?: number;
  jwtSecret: string;
  credentialsKey: string;
  telegramApiBaseUrl: string;
  /** Where Telegram can reach channel-telegram's webhooks; without it, bots use long polling. */
  publicWebhookBaseUrl?: string;
  telegramPollTimeoutSeconds?: number;
  /** Viber REST Bot API root (default https://chatapi.viber.com/pa; tests and demos point it at a double). */
  viberApiBaseUrl?: string;
  /**
   * Where Viber can reach channel-viber's webhooks (its own URL, or a proxy routing /webhooks/viber to it).
   * Viber has no polling: without it Viber bots cannot be connected.
   */
  viberWebhookBaseUrl?: string;
  /**
   * Meta Graph API root, without the version, for channel-whatsapp and channel-meta (default
   * https://graph.facebook.com; tests and demos point it at MetaGraphApiDouble).
   */
  metaGraphApiBaseUrl?: string;
  /** @deprecated Use metaGraphApiBaseUrl. Still honoured: the Graph API root for channel-whatsapp only (wins over metaGraphApiBaseUrl). */
  whatsAppGraphApiBaseUrl?: string;
  /**
   * Telegram user accounts (MTProto): the deployment's api_id/api_hash from my.telegram.org. Without them (and
   * without telegramUserClientFactory) accounts can neither log in nor run; the rest works.
   */
  telegramApiId?: number;
  telegramApiHash?: string;
  /** MTProto clients for Telegram user accounts (tests and demos pass TelegramUserCloudDouble's factory). */
  telegramUserClientFactory?: TelegramUserClientFactory;
  ports?: Partial<Record<'gateway' | 'identity' | 'chat' | 'channelTelegram' | 'channelViber' | 'tasks' | 'channelBridge' | 'channelWhatsApp' | 'channelMeta' | 'channelTelegramUser' | 'files' | 'crm', number>>;
  admin?: { email: string; password: string; name: string };
  /** Where the files service keeps files on disk (default .switchboard/files). */
  filesDir?: string;
  /**
   * Base URLs of services running in processes of their own (Kafka only): they are not started here, and the
   * gateway and the other services use these URLs. Lets benchmarks and tests run the distributed split on one machine.
   */
  externalServices?: ExternalServices;
  /** A built operator console (apps/console/dist) for the gateway to serve at /; none when omitted. */
  consoleDir?: string;
  /** channel-bridge's delivery retries (BRIDGE_DELIVERY_*; defaults: 8 attempts from 2 s): tests shorten them. */
  bridgeDelivery?: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number; pollMs: number };
  logger: Logger;
}

export interface RunningSwitchboard {
  gateway: RunningGateway;
  identity: RunningService;
  /** Undefined when the chat service runs in its own process (externalServices). */
  chat: RunningService | undefined;
  /** Undefined when the connector runs in its own process (externalServices). */
  channelTelegram: Awaited<ReturnType<typeof startChannelTelegramService>> | undefined;
  channelViber: Awaited<ReturnType<typeof startChannelViberService>>;
  tasks: Awaited<ReturnType<typeof startTasksService>>;
  crm: Awaited<ReturnType<typeof startCrmService>>;
  channelBridge: Awaited<ReturnType<typeof startChannelBridgeService>>;
  /** Undefined when the connector runs in its own process (externalServices). */
  channelWhatsApp: Awaited<ReturnType<typeof startChannelWhatsAppService>> | undefined;
  /** Where the services that may run elsewhere answer, whether started here or not. */
  urls: Required<ExternalServices>;
  channelMeta: Awaited<ReturnType<typeof startChannelMetaService>>;
  channelTelegramUser: Awaited<ReturnType<typeof startChannelTelegramUserService>>;
  files: Awaited<ReturnType<typeof startFilesService>>;
  bus: EventBus;
  stop(): Promise<void>;
}

export interface ExternalServices {
  chat?: string;
  channelTelegram?: string;
  channelWhatsApp?: string;
}

export const SUPERGRAPH_FILE = join(__dirname, '..', '..', '..', 'gateway', 'supergraph.graphql');

/** Starts every service in this process, sharing one bus: the standalone runtime and the e2e harness. */
export async function startSwitchboard(options: SwitchboardOptions): Promise<RunningSwitchboard> {
  const { logger } = options;
  const kafka = options.kafkaBrokers && options.kafkaBrokers.length > 0;
  const busEnv = {
    KAFKA_BROKERS: kafka ? options.kafkaBrokers!.join(',') : undefined,
    KAFKA_MAX_WAIT_MS: String(options.kafkaMaxWaitMs ?? 500),
    ...(options.kafkaSessionTimeoutMs !== undefined ? { KAFKA_SESSION_TIMEOUT_MS: String(options.kafkaSessionTimeoutMs) } : {}),
  };
  if (!kafka) {
    // The log bus lives in the same database, in its own schema.
    const busData = createServiceDataSource({ url: options.databaseUrl, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS, poolSize: 1 });
    await migrateSchema(busData, LOG_BUS_SCHEMA);
  }
  const busConfig = chatConfigSchema.parse({ DATABASE_URL: options.databaseUrl, JWT_SECRET: options.jwtSecret, ...busEnv });
  const bus = createEventBus({ config: busConfig, clientId: 'switchboard', databaseUrl: options.databaseUrl, logger: logger.child({ component: 'bus' }) });
  await bus.transport.connect();
  const ports = options.ports ?? {};
  // Services start in phases, each phase's services together: much of a start is waiting (migrations, the
  // listen, consumer-group joins: 3 s each for a new Kafka group), so independent services overlap it. A phase
  // needs the URLs of the phases before it.
  const phases: Stoppable[][] = [];
  try {
    // The chat service reads operators' files from the files service, which starts later (it needs the chat URL).
    const filesPort = ports.files ?? (await freeLocalPort());
    // The files service lets the console page (served by the gateway, which starts last) use its upload links.
    const gatewayPort = ports.gateway || (await freeLocalPort());
    const external = options.externalServices ?? {};
    if (Object.keys(external).length > 0 && !kafka) throw new Error('externalServices needs Kafka: the log bus is single-process');
    const whatsAppGraphApiBaseUrl = options.whatsAppGraphApiBaseUrl ?? options.metaGraphApiBaseUrl;
    const [identity, chat, channelTelegram, channelViber, channelBridge, channelWhatsApp, channelMeta, channelTelegramUser] = await startTogether(phases, [
      startIdentityService({
        logger: logger.child({ service: 'identity' }),
        bus,
        config: identityConfigSchema.parse({
          PORT: String(ports.identity ?? 0),
          DATABASE_URL: options.databaseUrl,
          JWT_SECRET: options.jwtSecret,
          ...(options.admin ? { ADMIN_EMAIL: options.admin.email, ADMIN_PASSWORD: options.admin.password, ADMIN_NAME: options.admin.name } : {}),
        }),
      }),
      external.chat
        ? Promise.resolve(undefined)
        : startChatService({
            logger: logger.child({ service: 'chat' }),
            bus,
            config: chatConfigSchema.parse({
              PORT: String(ports.chat ?? 0),
              DATABASE_URL: options.databaseUrl,
              JWT_SECRET: options.jwtSecret,
              FILES_SERVICE_URL: `http://127.0.0.1:${filesPort}`,
              ...busEnv,
            }),
          }),
      external.channelTelegram
        ? Promise.resolve(undefined)
        : startChannelTelegramService({
        logger: logger.child({ service: 'channel-telegram' }),
        bus,
        config: channelTelegramConfigSchema.parse({
          PORT: String(ports.channelTelegram ?? 0),
          DATABASE_URL: options.databaseUrl,
          JWT_SECRET: options.jwtSecret,
          CREDENTIALS_KEY: options.credentialsKey,
          TELEGRAM_API_BASE_URL: options.telegramApiBaseUrl,
          ...(options.publicWebhookBaseUrl ? { PUBLIC_WEBHOOK_BASE_URL: options.publicWebhookBaseUrl } : {}),
          ...(options.telegramPollTimeoutSeconds !== undefined ? { TELEGRAM_POLL_TIMEOUT_SECONDS: String(options.telegramPollTimeoutSeconds) } : {}),
          ...busEnv,
        }),
      }),
      startChannelViberService({
        logger: logger.child({ service: 'channel-viber' }),
        bus,
        config: channelViberConfigSchema.parse({
          PORT: String(ports.channelViber ?? 0),
          DATABASE_URL: options.databaseUrl,
          JWT_SECRET: options.jwtSecret,
          CREDENTIALS_KEY: options.credentialsKey,
          ...(options.viberApiBaseUrl ? { VIBER_API_BASE_URL: options.viberApiBaseUrl } : {}),
          ...(options.viberWebhookBaseUrl ? { PUBLIC_WEBHOOK_BASE_URL: options.viberWebhookBaseUrl } : {}),
          ...busEnv,
        }),
      }),
      startChannelBridgeService({
        logger: logger.child({ service: 'channel-bridge' }),
        bus,
        config: channelBridgeConfigSchema.parse({
          PORT: String(ports.channelBridge ?? 0),
          DATABASE_URL: options.databaseUrl,
          JWT_SECRET: options.jwtSecret,
          CREDENTIALS_KEY: options.credentialsKey,
          ...(options.bridgeDelivery
            ? {
                BRIDGE_DELIVERY_MAX_ATTEMPTS: String(options.bridgeDelivery.maxAttempts),
                BRIDGE_DELIVERY_BASE_DELAY_MS: String(options.bridgeDelivery.baseDelayMs),
                BRIDGE_DELIVERY_MAX_DELAY_MS: String(options.bridgeDelivery.maxDelayMs),
                BRIDGE_DELIVERY_POLL_MS: String(options.bridgeDelivery.pollMs),
              }
            : {}),
          ...busEnv,
        }),
      }),
      external.channelWhatsApp
        ? Promise.resolve(undefined)
        : startChannelWhatsAppService({
        logger: logger.child({ service: 'channel-whatsapp' }),
        bus,
        config: channelWhatsAppConfigSchema.parse({
          PORT: String(ports.channelWhatsApp ?? 0),
          DATABASE_URL: options.databaseUrl,
          JWT_SECRET: options.jwtSecret,
          CREDENTIALS_KEY: options.credentialsKey,
          ...(whatsAppGraphApiBaseUrl ? { WHATSAPP_GRAPH_API_BASE_URL: whatsAppGraphApiBaseUrl } : {}),
          ...busEnv,
        }),
      }),
      startChannelMetaService({
        logger: logger.child({ service: 'channel-meta' }),
        bus,
        config: channelMetaConfigSchema.parse({
          PORT: String(ports.channelMeta ?? 0),
          DATABASE_URL: options.databaseUrl,
          JWT_SECRET: options.jwtSecret,
          CREDENTIALS_KEY: options.credentialsKey,
          ...(options.metaGraphApiBaseUrl ? { META_GRAPH_API_BASE_URL: options.metaGraphApiBaseUrl } : {}),
          ...busEnv,
        }),
      }),
      startChannelTelegramUserService({
        logger: logger.child({ service: 'channel-telegram-user' }),
        bus,
        config: channelTelegramUserConfigSchema.parse({
          PORT: String(ports.channelTelegramUser ?? 0),
          DATABASE_URL: options.databaseUrl,
          JWT_SECRET: options.jwtSecret,
          CREDENTIALS_KEY: options.credentialsKey,
          ...(options.telegramApiId !== undefined && options.telegramApiHash
            ? { TELEGRAM_API_ID: String(options.telegramApiId), TELEGRAM_API_HASH: options.telegramApiHash }
            : {}),
          ...busEnv,
        }),
        ...(options.telegramUserClientFactory ? { clientFactory: options.telegramUserClientFactory } : {}),
      }),
    ] as const);
    const urls: Required<ExternalServices> = {
      chat: urlOf('chat', external.chat, chat),
      channelTelegram: urlOf('channel-telegram', external.channelTelegram, channelTelegram),
      channelWhatsApp: urlOf('channel-whatsapp', external.channelWhatsApp, channelWhatsApp),
    };
    const chatUrl = urls.chat;
    const [tasks, crm, files] = await startTogether(phases, [
      startTasksService({
        logger: logger.child({ service: 'tasks' }),
        bus,
        config: tasksConfigSchema.parse({
          PORT: String(ports.tasks ?? 0),
          DATABASE_URL: options.databaseUrl,
          JWT_SECRET: options.jwtSecret,
          CHAT_SERVICE_URL: chatUrl,
          ...busEnv,
        }),
      }),
      startCrmService({
        logger: logger.child({ service: 'crm' }),
        bus,
        config: crmConfigSchema.parse({
          PORT: String(ports.crm ?? 0),
          DATABASE_URL: options.databaseUrl,
          JWT_SECRET: options.jwtSecret,
          CHAT_SERVICE_URL: chatUrl,
          ...busEnv,
        }),
      }),
      startFilesService({
        logger: logger.child({ service: 'files' }),
        bus,
        config: filesConfigSchema.parse({
          PORT: String(filesPort),
          DATABASE_URL: options.databaseUrl,
          JWT_SECRET: options.jwtSecret,
          CHAT_SERVICE_URL: chatUrl,
          CHANNEL_TELEGRAM_URL: urls.channelTelegram,
          CHANNEL_VIBER_URL: channelViber.url,
          CHANNEL_WHATSAPP_URL: urls.channelWhatsApp,
          CHANNEL_META_URL: channelMeta.url,
          CHANNEL_TELEGRAM_USER_URL: channelTelegramUser.url,
          CHANNEL_BRIDGE_URL: channelBridge.url,
          CORS_ORIGINS: `http://127.0.0.1:${gatewayPort},http://localhost:${gatewayPort}`,
          ...(options.filesDir ? { FILES_DIR: options.filesDir } : {}),
          ...busEnv,
        }),
      }),
    ] as const);
    const [gateway] = await startTogether(phases, [
      startGateway({
        port: gatewayPort,
        supergraphSdl: readFileSync(SUPERGRAPH_FILE, 'utf8'),
        subgraphUrls: {
          identity: `${identity.url}/graphql`,
          chat: `${chatUrl}/graphql`,
          'channel-telegram': `${urls.channelTelegram}/graphql`,
          'channel-viber': `${channelViber.url}/graphql`,
          'channel-bridge': `${channelBridge.url}/graphql`,
          tasks: `${tasks.url}/graphql`,
          crm: `${crm.url}/graphql`,
          'channel-whatsapp': `${urls.channelWhatsApp}/graphql`,
          'channel-meta': `${channelMeta.url}/graphql`,
          'channel-telegram-user': `${channelTelegramUser.url}/graphql`,
          files: `${files.url}/graphql`,
        },
        jwtSecret: options.jwtSecret,
        logger: logger.child({ service: 'gateway' }),
        ...(options.consoleDir ? { consoleDir: options.consoleDir, consoleFileOrigins: [new URL(files.url).origin] } : {}),
      }),
    ] as const);
    let stopping: Promise<void> | undefined;
    return {
      gateway,
      identity,
      chat,
      channelTelegram,
      channelViber,
      tasks,
      crm,
      channelBridge,
      channelWhatsApp,
      channelMeta,
      channelTelegramUser,
      files,
      urls,
      bus,
      stop: () => (stopping ??= stopAll(phases, bus)),
    };
  } catch (error) {
    await stopAll(phases, bus);
    throw error;
  }
}

/** A service's URL: its own process's, or the one started here. */
function urlOf(service: string, external: string | undefined, started: { url: string } | undefined): string {
  const url = external ?? started?.url;
  if (url === undefined) throw new Error(`${service} was neither started nor given as an external service`);
  return url;
}

interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Starts one phase's services together. Every one that started is recorded for stopAll, also when another of
 * the phase failed (the first failure is thrown once all have settled, so none is left running unrecorded).
 */
async function startTogether<const T extends readonly Promise<Stoppable | undefined>[]>(phases: Stoppable[][], starts: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(starts);
  phases.push(settled.flatMap((result) => (result.status === 'fulfilled' && result.value ? [result.value] : [])));
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

/** Reverse start order, a phase's services together: the gateway stops taking requests first, the bus closes last. */
async function stopAll(phases: Stoppable[][], bus: EventBus): Promise<void> {
  const failures: unknown[] = [];
  for (const phase of [...phases].reverse()) {
    const settled = await Promise.allSettled(phase.map((service) => service.stop()));
    for (const result of settled) if (result.status === 'rejected') failures.push(result.reason);
  }
  await bus.close();
  if (failures.length > 0) throw failures[0];
}

/**
 * A port for a service that must be known before it listens (the chat and files services need each
 * other's URL). Picked below Linux's ephemeral range (32768-60999): a port the kernel hands out for
 * listen(0) is also one it hands out to outgoing connections, and in the seconds before the service
 * listens one of them took it (EADDRINUSE in the e2e suite). Checked on all interfaces, as services bind.
 */
async function freeLocalPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '0.0.0.0', () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
  throw new Error('no free port found between 20000 and 32000');
}
