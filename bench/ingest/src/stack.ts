import { TOPICS } from '@switchboard/contracts';
import { KafkaTransport, type BusTransport, type EventBus } from '@switchboard/messaging';
import { startEmbeddedPostgres } from '@switchboard/persistence';
import type { Logger } from '@switchboard/service-kit';
import { startSwitchboard, type ExternalServices } from '@switchboard/standalone';
import { MetaGraphApiDouble, TelegramBotApiDouble, createTestDatabase, freePort, startKafkaMockCluster, type WaNumberRef } from '@switchboard/testing';
import { Kafka, logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startServiceProcess, type ProcessService } from './service-process';
import { PROFILE_NAMES, type ProfileName } from './webhook-profiles';

export type Runtime = 'kafka' | 'standalone';

export interface BenchStack {
  runtime: Runtime;
  /** Where Telegram would POST updates, and the secret it would send (from the bot's setWebhook call); with the telegram profile. */
  telegram?: { webhookUrl: string; secretToken: string };
  /** Where Meta would POST Cloud API webhooks, the app secret it signs them with, and the connected number; with the whatsapp profile. */
  whatsapp?: { webhookUrl: string; appSecret: string; number: WaNumberRef };
  bus: EventBus;
  /** What the observer reads chat events through: on the measured path, so it polls as the chat service does. */
  observerTransport: BusTransport;
  /** What carries the bus, e.g. "librdkafka mock cluster, 3 brokers". */
  busDescription: string;
  /** Partitions of the inbound and chat-event topics (call once records have flowed: topics are auto-created). */
  partitions(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** A real Kafka to use instead of librdkafka's mock cluster (its topics are reused; this run's messages are tagged). */
  kafkaBrokers?: string[];
  /** Kafka runtime: run the chat service and the connectors in this process too (default: each its own process, as deployed). */
  singleProcess?: boolean;
  /**
   * Brokers of the mock cluster (default 3). The mock never wakes a waiting fetch when data arrives, so every
   * idle consumer polls each broker every few ms: fewer brokers, less of that mock-only overhead, but fewer
   * fetch pipelines too (a consumer fetches from each broker on its own).
   */
  mockBrokers?: number;
  /** Fetch wait on the mock cluster (default 50 ms): an idle consumer's poll interval, the latency an empty fetch adds. */
  mockMaxWaitMs?: number;
  /** Where the service processes write their V8 CPU profiles (the benchmark's own process takes --cpu-prof itself). */
  cpuProfileDir?: string;
  /** The channels to connect (default all): a bot for telegram, a number for whatsapp. */
  profiles?: readonly ProfileName[];
}

const running = new Set<() => Promise<void>>();

/** Stops every stack still running (Ctrl-C): throwaway databases and kcat must not outlive the run. */
export async function stopAllStacks(): Promise<void> {
  for (const stop of [...running]) await stop();
}

const SERVICE_NAMES: Record<keyof ExternalServices, string> = { chat: 'chat', channelTelegram: 'channel-telegram', channelWhatsApp: 'channel-whatsapp' };

const ADMIN = { email: 'bench@switchboard.local', password: 'bench-password-123', name: 'Bench' };
const BOT = { token: '424242:BENCH-ingest-token', id: 424242, username: 'switchboard_bench_bot', firstName: 'Bench' };
const WA_NUMBER = { phoneNumberId: '106540352242922', wabaId: '102290129340398', displayPhoneNumber: '15550001111', verifiedName: 'Bench Shop' };
const WA_CREDENTIALS = { accessToken: `EAAG${'b'.repeat(40)}`, appSecret: randomBytes(16).toString('hex'), verifyToken: randomBytes(16).toString('hex') };

/**
 * The product as each runtime runs it: Kafka (librdkafka's mock cluster) with a real PostgreSQL, the chat
 * service in its own process and the rest in this one; or standalone (PGlite + log bus), all in this
 * process. Through the gateway, as an admin would: a bot is connected in webhook mode (telegram profile) and
 * a WhatsApp number whose Graph API is the double from libs/testing (whatsapp profile).
 */
export async function startBenchStack(runtime: Runtime, logger: Logger, options: StackOptions = {}): Promise<BenchStack> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    running.delete(stop);
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => logger.error({ err: error }, 'cleanup failed'));
  };
  running.add(stop);
  try {
    let databaseUrl: string;
    let kafkaBrokers: string[] | undefined;
    let busDescription: string;
    if (runtime === 'kafka') {
      const db = await createTestDatabase('bench_ingest');
      cleanups.push(() => db.drop());
      databaseUrl = db.url;
      if (options.kafkaBrokers) {
        kafkaBrokers = options.kafkaBrokers;
        busDescription = `Kafka at ${kafkaBrokers.join(',')}`;
      } else {
        const brokers = options.mockBrokers ?? 3;
        const kafka = await startKafkaMockCluster({ brokers });
        cleanups.push(() => kafka.stop());
        kafkaBrokers = kafka.brokers;
        busDescription = `librdkafka mock cluster (kcat), ${brokers} broker${brokers === 1 ? '' : 's'}, fetch wait ${options.mockMaxWaitMs ?? 50} ms`;
      }
    } else {
      const pg = await startEmbeddedPostgres({});
      cleanups.push(() => pg.stop());
      databaseUrl = pg.url;
      busDescription = 'log bus in PGlite';
    }
    const profiles = options.profiles ?? PROFILE_NAMES;
    const telegram = new TelegramBotApiDouble();
    await telegram.start();
    cleanups.push(() => telegram.stop());
    telegram.registerBot(BOT);
    const graph = new MetaGraphApiDouble();
    await graph.start();
    cleanups.push(() => graph.stop());
    graph.registerWhatsAppNumber({ ...WA_NUMBER, accessToken: WA_CREDENTIALS.accessToken, appSecret: WA_CREDENTIALS.appSecret });
    const webhookPort = await freePort();
    const jwtSecret = randomBytes(32).toString('hex');
    // The mock cluster does not wake a waiting fetch when data arrives; real Kafka does (README). So the
    // consumers on the measured path (the chat service's, and the observer's) poll every `measuredMaxWaitMs`,
    // which stands in for that wake-up; every other consumer keeps the production default (500 ms; real Kafka
    // answers it as soon as data arrives, the mock after 500 ms), so that the mock's polling does not take CPU
    // that the product would have in production: every idle consumer polls each broker at its interval.
    const productionMaxWaitMs = 500;
    const measuredMaxWaitMs = options.kafkaBrokers ? productionMaxWaitMs : (options.mockMaxWaitMs ?? 50);
    const split = Boolean(kafkaBrokers) && !options.singleProcess;
    const credentialsKey = randomBytes(32).toString('base64');
    // As deployed: the chat service and each profile's connector in processes of their own, so a webhook is
    // answered by an event loop that does nothing else (the gateway, the other services and the load
    // generator stay in this one).
    const externalServices: ExternalServices = {};
    if (kafkaBrokers && split) {
      const busEnv = { DATABASE_URL: databaseUrl, JWT_SECRET: jwtSecret, KAFKA_BROKERS: kafkaBrokers.join(',') };
      const started = async (service: ProcessService, env: Record<string, string>, port?: number): Promise<string> => {
        const running = await startServiceProcess({ service, env: { ...busEnv, ...env }, ...(port ? { port } : {}), ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}) });
        cleanups.push(() => running.stop());
        return running.url;
      };
      externalServices.chat = await started('chat', { KAFKA_MAX_WAIT_MS: String(measuredMaxWaitMs) });
      if (profiles.includes('telegram')) {
        externalServices.channelTelegram = await started(
          'channel-telegram',
          { CREDENTIALS_KEY: credentialsKey, TELEGRAM_API_BASE_URL: telegram.baseUrl, PUBLIC_WEBHOOK_BASE_URL: `http://127.0.0.1:${webhookPort}`, KAFKA_MAX_WAIT_MS: String(productionMaxWaitMs) },
          webhookPort,
        );
      }
      if (profiles.includes('whatsapp')) {
        externalServices.channelWhatsApp = await started('channel-whatsapp', { CREDENTIALS_KEY: credentialsKey, WHATSAPP_GRAPH_API_BASE_URL: graph.baseUrl, KAFKA_MAX_WAIT_MS: String(productionMaxWaitMs) });
      }
    }
    const switchboard = await startSwitchboard({
      databaseUrl,
      ...(kafkaBrokers ? { kafkaBrokers, kafkaMaxWaitMs: split ? productionMaxWaitMs : measuredMaxWaitMs } : {}),
      externalServices,
      jwtSecret,
      credentialsKey,
      telegramApiBaseUrl: telegram.baseUrl,
      whatsAppGraphApiBaseUrl: graph.baseUrl,
      publicWebhookBaseUrl: `http://127.0.0.1:${webhookPort}`,
      ports: { channelTelegram: webhookPort },
      admin: ADMIN,
      logger,
    });
    cleanups.push(() => switchboard.stop());

    const graphql = switchboard.gateway.url;
    const login = await gql<{ login: { accessToken: string } }>(graphql, undefined, `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`, {
      input: { email: ADMIN.email, password: ADMIN.password },
    });
    const accessToken = login.login.accessToken;
    const partitions = () => (kafkaBrokers ? kafkaPartitions(kafkaBrokers) : logBusPartitions(databaseUrl));
    const ownProcesses = Object.keys(externalServices).map((name) => SERVICE_NAMES[name as keyof ExternalServices]);
    if (ownProcesses.length > 0) busDescription += `; in processes of their own: ${ownProcesses.join(', ')}`;
    return {
      runtime,
      ...(profiles.includes('telegram') ? { telegram: await connectBot(graphql, accessToken, telegram) } : {}),
      ...(profiles.includes('whatsapp') ? { whatsapp: await connectWhatsAppNumber(graphql, accessToken, switchboard.urls.channelWhatsApp) } : {}),
      bus: switchboard.bus,
      observerTransport: kafkaBrokers && split ? await observerTransport(kafkaBrokers, measuredMaxWaitMs, logger, cleanups) : switchboard.bus.transport,
      busDescription,
      partitions,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A Kafka client of the benchmark's own for the observer, polling at the measured path's interval. */
async function observerTransport(brokers: string[], maxWaitTimeMs: number, logger: Logger, cleanups: (() => Promise<void>)[]): Promise<BusTransport> {
  const transport = new KafkaTransport({ brokers, clientId: 'bench-observer', maxWaitTimeMs, logger: logger.child({ component: 'observer' }) });
  await transport.connect();
  cleanups.push(() => transport.close());
  return transport;
}

async function connectBot(graphql: string, accessToken: string, telegram: TelegramBotApiDouble): Promise<NonNullable<BenchStack['telegram']>> {
  const connected = await gql<{ connectTelegramBot: { connection: { mode: string } } }>(
    graphql,
    accessToken,
    `mutation($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { mode } } }`,
    { input: { token: BOT.token } },
  );
  if (connected.connectTelegramBot.connection.mode !== 'WEBHOOK') throw new Error(`bot connected in ${connected.connectTelegramBot.connection.mode} mode, not WEBHOOK`);
  const setWebhook = telegram.requestsFor(BOT.token, 'setWebhook').at(-1);
  const webhookUrl = setWebhook?.params['url'];
  const secretToken = setWebhook?.params['secret_token'];
  if (typeof webhookUrl !== 'string' || typeof secretToken !== 'string') throw new Error('the connector did not call setWebhook with a url and secret_token');
  return { webhookUrl, secretToken };
}

/** As test/e2e/whatsapp-conversation.e2e.spec.ts does; Meta's app has one webhook URL for all its numbers. */
async function connectWhatsAppNumber(graphql: string, accessToken: string, connectorUrl: string): Promise<NonNullable<BenchStack['whatsapp']>> {
  const { phoneNumberId, wabaId, displayPhoneNumber } = WA_NUMBER;
  await gql<{ connectWhatsAppNumber: { connection: { id: string } } }>(
    graphql,
    accessToken,
    `mutation($input: ConnectWhatsAppNumberInput!) { connectWhatsAppNumber(input: $input) { connection { id } } }`,
    { input: { phoneNumberId, wabaId, ...WA_CREDENTIALS, displayName: 'Bench WhatsApp' } },
  );
  return { webhookUrl: `${connectorUrl}/webhooks/whatsapp`, appSecret: WA_CREDENTIALS.appSecret, number: { phoneNumberId, wabaId, displayPhoneNumber } };
}

async function gql<T>(url: string, token: string | undefined, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!body.data || body.errors?.length) throw new Error(`GraphQL ${response.status}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const REPORTED_TOPICS = [TOPICS.inbound, TOPICS.chatEvents];

async function kafkaPartitions(brokers: string[]): Promise<Record<string, number>> {
  const admin = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: REPORTED_TOPICS });
    return inTopicOrder(new Map(topics.map((t) => [t.name, t.partitions.length])));
  } finally {
    await admin.disconnect();
  }
}

/** The log bus creates a partition's head with its first record; with many chat keys every partition has one. */
async function logBusPartitions(databaseUrl: string): Promise<Record<string, number>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ topic: string; n: number }>(
      `SELECT topic, count(*)::int AS n FROM bus.partition_heads WHERE topic = ANY($1) GROUP BY topic`,
      [REPORTED_TOPICS],
    );
    return inTopicOrder(new Map(rows.map((r) => [r.topic, r.n])));
  } finally {
    await client.end();
  }
}

function inTopicOrder(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries(REPORTED_TOPICS.filter((t) => counts.has(t)).map((t) => [t, counts.get(t)!]));
}
