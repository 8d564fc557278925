import { channelTelegramConfigSchema, startChannelTelegramService, type RunningChannelTelegram } from '@switchboard/channel-telegram';
import { chatConfigSchema, startChatService } from '@switchboard/chat';
import { createEventBus, createLogger, type Logger, type RunningService } from '@switchboard/service-kit';
import type { KafkaTransportOptions } from '@switchboard/messaging';
import { TelegramBotApiDouble, createTestDatabase, freePort, startKafkaMockCluster, type TelegramBotApiDoubleOptions } from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { BOT } from './test-stack';
import { E2E_KAFKA_MAX_WAIT_MS } from './infra';

/**
 * The distributed runtime's moving parts, to be assembled per test: a PostgreSQL test database, librdkafka's
 * mock Kafka cluster and a Telegram double with the e2e bot. Services are added with the helpers below
 * (in this process) or with startServiceProcess (as their own processes, env from serviceEnv()).
 */
export interface KafkaStack {
  databaseUrl: string;
  kafkaBrokers: string[];
  jwtSecret: string;
  credentialsKey: string;
  telegram: TelegramBotApiDouble;
  logger: Logger;
  /** Runs on stop(), in reverse order of registration. */
  onStop(cleanup: () => Promise<void>): void;
  stop(): Promise<void>;
}

export async function startKafkaStack(options: { telegram?: TelegramBotApiDoubleOptions } = {}): Promise<KafkaStack> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'the Kafka stack did not stop cleanly');
  };
  try {
    const db = await createTestDatabase('e2e');
    cleanups.push(() => db.drop());
    const kafka = await startKafkaMockCluster({ brokers: 3 });
    cleanups.push(() => kafka.stop());
    const telegram = new TelegramBotApiDouble({ webhookRetryDelayMs: 100, ...options.telegram });
    await telegram.start();
    cleanups.push(() => telegram.stop());
    telegram.registerBot(BOT);
    return {
      databaseUrl: db.url,
      kafkaBrokers: kafka.brokers,
      jwtSecret: randomBytes(32).toString('hex'),
      credentialsKey: randomBytes(32).toString('base64'),
      telegram,
      logger: createLogger('e2e', process.env.LOG_LEVEL ?? 'warn'),
      onStop: (cleanup) => void cleanups.push(cleanup),
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/** Environment of a chat or channel-telegram process of this stack (what an operator would export). */
export function serviceEnv(stack: KafkaStack, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: stack.databaseUrl,
    JWT_SECRET: stack.jwtSecret,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    // The mock cluster does not wake long fetches when data arrives (see KafkaTransportOptions.maxWaitTimeMs).
    KAFKA_MAX_WAIT_MS: String(E2E_KAFKA_MAX_WAIT_MS),
    ...extra,
  };
}

/**
 * channel-telegram in this process, in webhook mode. With `kafkaSocketFactory` its bus dials the brokers
 * through it (e.g. TCP proxies the test cuts); `env` adds or overrides variables (e.g. KAFKA_PUBLISH_TIMEOUT_MS);
 * `logLevel` quiets errors a test provokes on purpose.
 */
export async function startChannelTelegram(
  stack: KafkaStack,
  options: { env?: Record<string, string>; kafkaSocketFactory?: KafkaTransportOptions['socketFactory']; logLevel?: string } = {},
): Promise<RunningChannelTelegram> {
  const port = await freePort();
  const config = channelTelegramConfigSchema.parse(
    serviceEnv(stack, {
      PORT: String(port),
      CREDENTIALS_KEY: stack.credentialsKey,
      TELEGRAM_API_BASE_URL: stack.telegram.baseUrl,
      PUBLIC_WEBHOOK_BASE_URL: `http://127.0.0.1:${port}`,
      ...options.env,
    }),
  );
  const logger = stack.logger.child({ service: 'channel-telegram' }, options.logLevel ? { level: options.logLevel } : {});
  let bus: ReturnType<typeof createEventBus> | undefined;
  if (options.kafkaSocketFactory) {
    bus = createEventBus({ config, clientId: 'channel-telegram', databaseUrl: config.DATABASE_URL, logger, kafkaSocketFactory: options.kafkaSocketFactory });
    await bus.transport.connect();
    const ownBus = bus;
    // Registered first, so it closes after the service stopped using it.
    stack.onStop(() => ownBus.close());
  }
  const service = await startChannelTelegramService({ config, logger, ...(bus ? { bus } : {}) });
  stack.onStop(() => service.stop());
  return service;
}

/** The chat service in this process, on the stack's Kafka and database. */
export async function startChatInProcess(stack: KafkaStack, env: Record<string, string> = {}): Promise<RunningService> {
  const config = chatConfigSchema.parse(serviceEnv(stack, { PORT: '0', ...env }));
  const chat = await startChatService({ config, logger: stack.logger.child({ service: 'chat' }) });
  stack.onStop(() => chat.stop());
  return chat;
}
