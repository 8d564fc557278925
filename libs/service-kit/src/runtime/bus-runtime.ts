import { EventBus, KafkaTransport, LogTransport, type BusTransport, type KafkaTransportOptions } from '@switchboard/messaging';
import { z } from 'zod';
import type { Logger } from 'pino';
import { env } from '../config/load-config';

/** Bus settings every service reads the same way: Kafka when brokers are given, else the PostgreSQL log. */
export const busConfigSchema = z.object({
  KAFKA_BROKERS: env.optionalList(),
  KAFKA_MAX_WAIT_MS: env.ms(500),
  KAFKA_PUBLISH_TIMEOUT_MS: env.ms(10_000),
  KAFKA_COMMIT_INTERVAL_MS: env.ms(500),
  /**
   * A consumer that stops heartbeating (crashed, SIGKILL) keeps its partitions this long before the group
   * hands them to a live instance: it bounds how long a crash stalls consumption.
   */
  KAFKA_SESSION_TIMEOUT_MS: env.ms(30_000),
  /** Partitions of the topics a service creates (existing topics keep theirs): the scale-out ceiling per topic. */
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(12),
  /**
   * Producer linger: the least gap between one produce request coming back and the next starting, so that
   * under load more publishes share a request (larger record batches per partition, which is what a
   * consumer's fetch returns, decision 0046); an idle producer sends at once (decision 0053). 10 ms, not
   * Kafka 4's own 5 (KIP-1030): on 2 cores the halved request rate bought back more CPU than the 5 ms cost
   * (decision 0051).
   */
  KAFKA_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(10),
  /** Where the standalone log bus lives (schema `bus`); defaults to the service's DATABASE_URL. */
  BUS_DATABASE_URL: z.string().optional(),
});
export type BusConfig = z.output<typeof busConfigSchema>;

export interface BusRuntimeOptions {
  config: BusConfig;
  clientId: string;
  databaseUrl: string;
  logger: Logger;
  /** Kafka only, not configurable by env: lets tests route broker connections through proxies they can cut. */
  kafkaSocketFactory?: KafkaTransportOptions['socketFactory'];
}

export function createBusTransport(options: BusRuntimeOptions): BusTransport {
  const { config, logger } = options;
  if (config.KAFKA_BROKERS.length > 0) {
    return new KafkaTransport({
      clientId: options.clientId,
      brokers: config.KAFKA_BROKERS,
      logger,
      maxWaitTimeMs: config.KAFKA_MAX_WAIT_MS,
      publishTimeoutMs: config.KAFKA_PUBLISH_TIMEOUT_MS,
      commitIntervalMs: config.KAFKA_COMMIT_INTERVAL_MS,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      topicPartitions: config.KAFKA_TOPIC_PARTITIONS,
      lingerMs: config.KAFKA_LINGER_MS,
      ...(options.kafkaSocketFactory ? { socketFactory: options.kafkaSocketFactory } : {}),
    });
  }
  return new LogTransport({ databaseUrl: config.BUS_DATABASE_URL ?? options.databaseUrl, logger, pollIntervalMs: 500 });
}

export function createEventBus(options: BusRuntimeOptions): EventBus {
  return new EventBus(createBusTransport(options), options.logger.child({ component: 'bus' }));
}
