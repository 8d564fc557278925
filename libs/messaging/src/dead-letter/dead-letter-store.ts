import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { deadLetterTopic } from '@switchboard/contracts';
import type { OutgoingRecord } from '../transport/bus-transport';

/** A record parked on `<topic>.dlq` by the reliable consumer, with the facts its `dlq-*` headers carry. */
export interface DeadLetter {
  dlqTopic: string;
  partition: number;
  offset: string;
  key: string;
  value: string;
  headers: Record<string, string>;
  /** Where it came from and goes back to on replay. */
  originalTopic: string;
  group: string | undefined;
  error: string | undefined;
  attempts: string | undefined;
  parkedAt: string | undefined;
}

/** Reads dead-letter topics without consuming them: no consumer group's offsets move. */
export interface DeadLetterStore {
  list(dlqTopic: string, options?: { limit?: number }): Promise<DeadLetter[]>;
  close(): Promise<void>;
}

const DLQ_SUFFIX = deadLetterTopic('');
const REPLAYED_FROM_HEADER = 'dlq-replayed-from';

/** `messenger.inbound.v1` or `messenger.inbound.v1.dlq` -> `messenger.inbound.v1.dlq`. */
export function toDeadLetterTopic(topic: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(topic)) throw new Error(`"${topic}" is not a topic name`);
  return topic.endsWith(DLQ_SUFFIX) ? topic : deadLetterTopic(topic);
}

function toDeadLetter(dlqTopic: string, partition: number, offset: string, key: string, value: string, headers: Record<string, string>): DeadLetter {
  return {
    dlqTopic,
    partition,
    offset,
    key,
    value,
    headers,
    originalTopic: headers['dlq-original-topic'] ?? dlqTopic.slice(0, -DLQ_SUFFIX.length),
    group: headers['dlq-group'],
    error: headers['dlq-error'],
    attempts: headers['dlq-attempts'],
    parkedAt: headers['dlq-time'],
  };
}

/**
 * The record to publish to put a dead letter back: same key (so per-key order and partition hold), same
 * value and event headers, the dlq-* bookkeeping dropped and `dlq-replayed-from` added. Consumers are
 * idempotent, so replaying a record that in fact got through, or replaying twice, changes nothing.
 */
export function toReplayRecord(deadLetter: DeadLetter): OutgoingRecord {
  const headers = Object.fromEntries(Object.entries(deadLetter.headers).filter(([name]) => !name.startsWith('dlq-')));
  headers[REPLAYED_FROM_HEADER] = `${deadLetter.dlqTopic}/${deadLetter.partition}/${deadLetter.offset}`;
  return { topic: deadLetter.originalTopic, key: deadLetter.key, value: deadLetter.value, headers };
}

/** Dead letters on the standalone log bus (schema `bus`). */
export class LogDeadLetterStore implements DeadLetterStore {
  private readonly pool: Pool;

  constructor(databaseUrl: string) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 1 });
  }

  async list(topic: string, options: { limit?: number } = {}): Promise<DeadLetter[]> {
    const dlqTopic = toDeadLetterTopic(topic);
    const { rows } = await this.pool.query<{ partition: number; offset: string; key: string; value: string; headers: Record<string, string> }>(
      `SELECT partition, "offset"::text AS "offset", key, value, headers FROM bus.records
       WHERE topic = $1 ORDER BY created_at, partition, "offset" LIMIT $2`,
      [dlqTopic, options.limit ?? 1000],
    );
    return rows.map((r) => toDeadLetter(dlqTopic, r.partition, r.offset, r.key, r.value, r.headers));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * Dead letters on Kafka: reads each partition from its low to its high watermark with a throwaway consumer
 * group (deleted afterwards), so no real group's offsets move.
 */
export class KafkaDeadLetterStore implements DeadLetterStore {
  private readonly kafka: Kafka;

  constructor(
    brokers: readonly string[],
    private readonly timeoutMs = 30_000,
  ) {
    this.kafka = new Kafka({ clientId: 'switchboard-ops', brokers: [...brokers], logLevel: logLevel.NOTHING });
  }

  async list(topic: string, options: { limit?: number } = {}): Promise<DeadLetter[]> {
    const dlqTopic = toDeadLetterTopic(topic);
    const limit = options.limit ?? 1000;
    const admin = this.kafka.admin();
    await admin.connect();
    const groupId = `switchboard-ops-dlq-${randomUUID()}`;
    try {
      const existing = await admin.listTopics();
      if (!existing.includes(dlqTopic)) return [];
      const offsets = await admin.fetchTopicOffsets(dlqTopic);
      // Partitions with records, and the last offset in each (high watermark - 1).
      const pending = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high) - 1n]));
      if (pending.size === 0) return [];
      const found: DeadLetter[] = [];
      const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      await consumer.connect();
      try {
        await consumer.subscribe({ topics: [dlqTopic], fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`reading ${dlqTopic} took longer than ${this.timeoutMs} ms`)), this.timeoutMs);
          consumer
            .run({
              autoCommit: false,
              eachMessage: async ({ partition, message }) => {
                const last = pending.get(partition);
                if (last === undefined) return;
                if (found.length < limit) {
                  const headers = Object.fromEntries(
                    Object.entries(message.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v ?? '')]),
                  );
                  found.push(toDeadLetter(dlqTopic, partition, message.offset, message.key?.toString('utf8') ?? '', message.value?.toString('utf8') ?? '', headers));
                }
                if (BigInt(message.offset) >= last) pending.delete(partition);
                if (pending.size === 0 || found.length >= limit) {
                  clearTimeout(timer);
                  resolve();
                }
              },
            })
            .catch((error: unknown) => {
              clearTimeout(timer);
              reject(error instanceof Error ? error : new Error(String(error)));
            });
        });
      } finally {
        await consumer.disconnect();
      }
      return found.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
    } finally {
      // The throwaway group is gone with its offsets; it may not exist if reading never started.
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    }
  }

  async close(): Promise<void> {
    // Each list() opens and closes its own connections.
  }
}
