import { startSwitchboard, type RunningSwitchboard, type SwitchboardOptions } from '@switchboard/standalone';
import { startEmbeddedPostgres } from '@switchboard/persistence';
import { startTasksService, tasksConfigSchema, type RunningTasksService } from '@switchboard/tasks';
import { createLogger } from '@switchboard/service-kit';
import { TelegramBotApiDouble, createTestDatabase, freePort, startKafkaMockCluster } from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLClient } from './graphql-client';
import { E2E_KAFKA_MAX_WAIT_MS, type Runtime } from './infra';

export const ADMIN = { email: 'admin@switchboard.test', password: 'correct-horse-battery', name: 'Ada Admin' };
/**
 * The mock Kafka cluster holds a rebalance of a group with members for about a session timeout (Kafka's
 * default 30 s) whenever an instance joins or leaves; 6 s keeps scale-out tests short while members that
 * heartbeat every 2 s (a third of it) stay well inside it.
 */
const KAFKA_SESSION_TIMEOUT_MS = 6_000;
export const BOT = { token: '123456:TEST-token-for-e2e', id: 123456, username: 'switchboard_e2e_bot', firstName: 'Switchboard' };

export interface TestStack {
  runtime: Runtime;
  switchboard: RunningSwitchboard;
  telegram: TelegramBotApiDouble;
  client: GraphQLClient;
  databaseUrl: string;
  kafkaBrokers?: string[];
  /**
   * Another tasks-service instance on the stack's database and bus, configured like the composition's own
   * (a replica: its reminder scheduler races the other's). The gateway keeps routing to the stack's
   * instance. Stopped with the stack if the test has not stopped it.
   */
  startExtraTasksInstance(): Promise<RunningTasksService>;
  stop(): Promise<void>;
}

/** The whole product on one runtime, with a Telegram double, and an admin logged in through the gateway. */
/** `consoleDir`: a built operator console for the gateway to serve at / (browser tests). */
/** `metaGraphApiBaseUrl`: a MetaGraphApiDouble for channel-whatsapp and channel-meta (default: Meta's real Graph API, never called). */
/** `bridgeDelivery`: channel-bridge's retry schedule (default: the product's, 8 attempts from 2 s). */
export async function startTestStack(options: {
  runtime: Runtime;
  telegramMode: 'webhook' | 'polling';
  consoleDir?: string;
  metaGraphApiBaseUrl?: string;
  bridgeDelivery?: SwitchboardOptions['bridgeDelivery'];
}): Promise<TestStack> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    let databaseUrl: string;
    let kafkaBrokers: string[] | undefined;
    if (options.runtime === 'kafka') {
      const db = await createTestDatabase('e2e');
      cleanups.push(() => db.drop());
      const kafka = await startKafkaMockCluster({ brokers: 3 });
      cleanups.push(() => kafka.stop());
      databaseUrl = db.url;
      kafkaBrokers = kafka.brokers;
    } else {
      const pg = await startEmbeddedPostgres({});
      cleanups.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    const telegram = new TelegramBotApiDouble({ webhookRetryDelayMs: 100 });
    await telegram.start();
    cleanups.push(() => telegram.stop());
    telegram.registerBot(BOT);
    const channelTelegramPort = await freePort();
    const filesDir = await mkdtemp(join(tmpdir(), 'switchboard-e2e-files-'));
    cleanups.push(() => rm(filesDir, { recursive: true, force: true }));
    const jwtSecret = randomBytes(32).toString('hex');
    const logger = createLogger('e2e', process.env.LOG_LEVEL ?? 'warn', { nameKey: 'process' });
    const switchboard = await startSwitchboard({
      databaseUrl,
      ...(kafkaBrokers ? { kafkaBrokers, kafkaMaxWaitMs: E2E_KAFKA_MAX_WAIT_MS, kafkaSessionTimeoutMs: KAFKA_SESSION_TIMEOUT_MS } : {}),
      jwtSecret,
      credentialsKey: randomBytes(32).toString('base64'),
      telegramApiBaseUrl: telegram.baseUrl,
      ...(options.telegramMode === 'webhook' ? { publicWebhookBaseUrl: `http://127.0.0.1:${channelTelegramPort}` } : {}),
      telegramPollTimeoutSeconds: 1,
      ports: { channelTelegram: channelTelegramPort },
      admin: ADMIN,
      ...(options.consoleDir ? { consoleDir: options.consoleDir } : {}),
      ...(options.metaGraphApiBaseUrl ? { metaGraphApiBaseUrl: options.metaGraphApiBaseUrl } : {}),
      ...(options.bridgeDelivery ? { bridgeDelivery: options.bridgeDelivery } : {}),
      filesDir,
      logger,
    });
    cleanups.push(() => switchboard.stop());
    // Kafka consumers join their groups in the background; tests start from a stack whose consumers are in place.
    await switchboard.bus.transport.consumersJoined();
    const extraTasks: RunningTasksService[] = [];
    // Runs before switchboard.stop() (cleanups run in reverse): replicas go before the bus they share closes.
    cleanups.push(async () => {
      for (const instance of extraTasks) await instance.stop();
    });
    const client = new GraphQLClient(switchboard.gateway.url);
    await client.login(ADMIN.email, ADMIN.password);
    return {
      runtime: options.runtime,
      switchboard,
      telegram,
      client,
      databaseUrl,
      ...(kafkaBrokers ? { kafkaBrokers } : {}),
      startExtraTasksInstance: async () => {
        // The settings startSwitchboard gives its tasks service (deploy/standalone switchboard.composition.ts).
        const instance = await startTasksService({
          logger: logger.child({ service: 'tasks-replica' }),
          bus: switchboard.bus,
          config: tasksConfigSchema.parse({
            PORT: '0',
            DATABASE_URL: databaseUrl,
            JWT_SECRET: jwtSecret,
            CHAT_SERVICE_URL: switchboard.chat!.url,
            KAFKA_BROKERS: kafkaBrokers?.join(','),
            KAFKA_MAX_WAIT_MS: String(E2E_KAFKA_MAX_WAIT_MS),
            KAFKA_SESSION_TIMEOUT_MS: String(KAFKA_SESSION_TIMEOUT_MS),
          }),
        });
        extraTasks.push(instance);
        return instance;
      },
      stop: async () => {
        for (const cleanup of cleanups.reverse()) await cleanup();
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    throw error;
  }
}
