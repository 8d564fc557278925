import { EventBus, KafkaTransport, LogTransport, type BusTransport } from '@switchboard/messaging';
import { z } from 'zod';
import type { Logger } from 'pino';
import { env } from '../config/load-config';

/** Bus settings every service reads the same way: Kafka when brokers are given, else the PostgreSQL log. */
export const busConfigSchema = z.object({
  KAFKA_BROKERS: env.optionalList(),
  KAFKA_MAX_WAIT_MS: env.ms(500),
  KAFKA_PUBLISH_TIMEOUT_MS: env.ms(10_000),
  KAFKA_COMMIT_INTERVAL_MS: env.ms(500),
  /** Where the standalone log bus lives (schema `bus`); defaults to the service's DATABASE_URL. */
  BUS_DATABASE_URL: z.string().optional(),
});
export type BusConfig = z.output<typeof busConfigSchema>;

export function createBusTransport(options: { config: BusConfig; clientId: string; databaseUrl: string; logger: Logger }): BusTransport {
  const { config, logger } = options;
  if (config.KAFKA_BROKERS.length > 0) {
    return new KafkaTransport({
      clientId: options.clientId,
      brokers: config.KAFKA_BROKERS,
      logger,
      maxWaitTimeMs: config.KAFKA_MAX_WAIT_MS,
      publishTimeoutMs: config.KAFKA_PUBLISH_TIMEOUT_MS,
      commitIntervalMs: config.KAFKA_COMMIT_INTERVAL_MS,
    });
  }
  return new LogTransport({ databaseUrl: config.BUS_DATABASE_URL ?? options.databaseUrl, logger, pollIntervalMs: 500 });
}

export function createEventBus(options: { config: BusConfig; clientId: string; databaseUrl: string; logger: Logger }): EventBus {
  return new EventBus(createBusTransport(options), options.logger.child({ component: 'bus' }));
}
