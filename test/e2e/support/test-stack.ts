import { startSwitchboard, type RunningSwitchboard, type SwitchboardOptions } from '@switchboard/standalone';
import { startEmbeddedPostgres } from '@switchboard/persistence';
import { createLogger } from '@switchboard/service-kit';
import { TelegramBotApiDouble, createTestDatabase, freePort, startKafkaMockCluster } from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLClient } from './graphql-client';
import type { Runtime } from './infra';

export const ADMIN = { email: 'admin@switchboard.test', password: 'correct-horse-battery', name: 'Ada Admin' };
export const BOT = { token: '123456:TEST-token-for-e2e', id: 123456, username: 'switchboard_e2e_bot', firstName: 'Switchboard' };

export interface TestStack {
  runtime: Runtime;
  switchboard: RunningSwitchboard;
  telegram: TelegramBotApiDouble;
  client: GraphQLClient;
  databaseUrl: string;
  kafkaBrokers?: string[];
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
    const switchboard = await startSwitchboard({
      databaseUrl,
      ...(kafkaBrokers ? { kafkaBrokers, kafkaMaxWaitMs: 10 } : {}),
      jwtSecret: randomBytes(32).toString('hex'),
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
      logger: createLogger('e2e', process.env.LOG_LEVEL ?? 'warn', { nameKey: 'process' }),
    });
    cleanups.push(() => switchboard.stop());
    const client = new GraphQLClient(switchboard.gateway.url);
    await client.login(ADMIN.email, ADMIN.password);
    return {
      runtime: options.runtime,
      switchboard,
      telegram,
      client,
      databaseUrl,
      ...(kafkaBrokers ? { kafkaBrokers } : {}),
      stop: async () => {
        for (const cleanup of cleanups.reverse()) await cleanup();
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    throw error;
  }
}
