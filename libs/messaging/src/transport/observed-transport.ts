import { deadLetterTopic } from '@switchboard/contracts';
import type { BusTransport, ConsumeOptions, ConsumerHandle, OutgoingRecord } from './bus-transport';

const DEAD_LETTER_SUFFIX = deadLetterTopic('');

/**
 * What a service wants to know about its traffic on the bus, for metrics. Called synchronously on the hot
 * path: implementations only bump counters.
 */
export interface BusObserver {
  /** Records acknowledged by the bus, per topic (dead letters are reported by deadLettered instead). */
  published(topic: string, count: number): void;
  /** Records parked on `<topic>.dlq` by a consumer group. */
  deadLettered(originalTopic: string, group: string, count: number): void;
  /** Records a consumer group's handler finished (the batch is committed or about to be). */
  consumed(group: string, topic: string, count: number): void;
  /** Records of a partition not yet handled by the group after its latest batch (high watermark - next offset). */
  lag(group: string, topic: string, partition: number, lag: number): void;
}

/**
 * A transport that reports what passes through it and otherwise delegates. Each service wraps the bus it
 * uses in its own, so in standalone (one bus shared by every service of the process) each service's
 * /metrics still counts only its own traffic. Closing it closes the inner transport only if it owns it.
 */
export class ObservedTransport implements BusTransport {
  constructor(
    private readonly inner: BusTransport,
    private readonly observer: BusObserver,
    private readonly ownsInner: boolean,
  ) {}

  get kind(): BusTransport['kind'] {
    return this.inner.kind;
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    await this.inner.publish(records);
    const published = new Map<string, number>();
    const dead = new Map<string, { topic: string; group: string; count: number }>();
    for (const record of records) {
      if (record.topic.endsWith(DEAD_LETTER_SUFFIX)) {
        const topic = record.headers?.['dlq-original-topic'] ?? record.topic.slice(0, -DEAD_LETTER_SUFFIX.length);
        const group = record.headers?.['dlq-group'] ?? 'unknown';
        const id = `${topic}\u0000${group}`;
        const entry = dead.get(id) ?? { topic, group, count: 0 };
        entry.count++;
        dead.set(id, entry);
      } else {
        published.set(record.topic, (published.get(record.topic) ?? 0) + 1);
      }
    }
    for (const [topic, count] of published) this.observer.published(topic, count);
    for (const { topic, group, count } of dead.values()) this.observer.deadLettered(topic, group, count);
  }

  consume(options: ConsumeOptions): Promise<ConsumerHandle> {
    return this.inner.consume({
      ...options,
      handleBatch: async (records, context) => {
        await options.handleBatch(records, context);
        const last = records[records.length - 1];
        if (!last) return;
        this.observer.consumed(options.group, last.topic, records.length);
        if (context.highWatermark !== undefined) {
          const lag = BigInt(context.highWatermark) - BigInt(last.offset) - 1n;
          this.observer.lag(options.group, last.topic, last.partition, Number(lag < 0n ? 0n : lag));
        }
      },
    });
  }

  consumersJoined(): Promise<void> {
    return this.inner.consumersJoined();
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  async close(): Promise<void> {
    if (this.ownsInner) await this.inner.close();
  }
}
