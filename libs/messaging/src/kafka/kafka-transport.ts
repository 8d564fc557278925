import { Kafka, Partitioners, logLevel, type Consumer, type Producer, type LogEntry, type ISocketFactory } from 'kafkajs';
import type { Logger } from 'pino';
import { sleep } from '../backoff';
import {
  BusUnavailableError,
  type BusTransport,
  type ConsumeOptions,
  type ConsumerHandle,
  type OutgoingRecord,
} from '../transport/bus-transport';
import { GroupCommitQueue } from '../transport/group-commit-queue';
import { PartitionLane } from './partition-lane';

export interface KafkaTransportOptions {
  clientId: string;
  brokers: readonly string[];
  logger: Logger;
  /**
   * How long an empty fetch waits at the broker. Real Kafka wakes it when data arrives; librdkafka's
   * mock cluster does not, so tests on the mock use a few ms (KafkaJS's default of 5 s is latency there).
   */
  maxWaitTimeMs?: number;
  /** A publish that is not acknowledged in this time fails, so a webhook can answer 5xx and be retried. */
  publishTimeoutMs?: number;
  /** Interval at which offsets of finished work are committed. */
  commitIntervalMs?: number;
  sessionTimeoutMs?: number;
  partitionsConsumedConcurrently?: number;
  /** Largest number of records handed to a handler at once. */
  maxBatchSize?: number;
  /** How many fetched records per partition may wait for the handler before fetching pauses. */
  maxRecordsAhead?: number;
  /** Lets tests route broker connections through proxies they control (to cut Kafka off). */
  socketFactory?: ISocketFactory;
  /**
   * Partitions of topics this transport creates when they do not exist yet. Partitions bound how many
   * consumer instances share a topic and how much one fetch returns, so this is a scale-out setting.
   */
  topicPartitions?: number;
  /** Producer linger: how long a publish waits for others to share its request (default 0). */
  lingerMs?: number;
}

function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      if (level === logLevel.ERROR) logger.error(extra, `kafkajs: ${message}`);
      else if (level === logLevel.WARN) logger.warn(extra, `kafkajs: ${message}`);
      else logger.debug(extra, `kafkajs: ${message}`);
    };
}

export class KafkaTransport implements BusTransport {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly queue: GroupCommitQueue<OutgoingRecord>;
  private readonly consumers = new Set<Consumer>();
  private readonly ensuredTopics = new Map<string, Promise<void>>();
  private connected = false;

  constructor(private readonly options: KafkaTransportOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(options.logger.child({ component: 'kafkajs' })),
      retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 },
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      ...(options.socketFactory ? { socketFactory: options.socketFactory } : {}),
    });
    // KafkaJS 2 changed its default partitioner; pin the Java-compatible one so keys land where other
    // Kafka clients (and our log transport) put them.
    this.producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: true,
      idempotent: false,
      maxInFlightRequests: 1,
    });
    this.queue = new GroupCommitQueue((records) => this.sendNow(records), 10_000, false, options.lingerMs ?? 0);
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const timeoutMs = this.options.publishTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BusUnavailableError(`Kafka did not acknowledge within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const topics = [...new Set(records.map((r) => r.topic))];
      await Promise.race([this.ensureTopics(topics).then(() => this.queue.enqueue(records)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Creates missing topics with the configured partition count (once per topic per process) instead of
   * relying on broker auto-creation, whose partition count is whatever the broker defaults to.
   */
  private ensureTopics(topics: readonly string[]): Promise<void> {
    const missing = topics.filter((t) => !this.ensuredTopics.has(t));
    if (missing.length > 0) {
      const creating = (async () => {
        const admin = this.kafka.admin();
        await admin.connect();
        try {
          await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: this.options.topicPartitions ?? 12 })), waitForLeaders: true });
        } finally {
          await admin.disconnect();
        }
      })();
      const settled = creating.catch((error: unknown) => {
        // Not fatal: the send itself tells whether the topic is usable (brokers with auto-creation create it
        // with their default partition count; librdkafka's mock cluster cannot create topics through the
        // admin API at all). Try again later, not on every publish.
        this.options.logger.warn({ err: error, topics: missing }, 'could not create topics; relying on the broker to have or auto-create them');
        setTimeout(() => missing.forEach((t) => this.ensuredTopics.delete(t)), 60_000).unref();
      });
      for (const topic of missing) this.ensuredTopics.set(topic, settled);
    }
    return Promise.all(topics.map((t) => this.ensuredTopics.get(t))).then(() => undefined);
  }

  private async sendNow(records: OutgoingRecord[]): Promise<void> {
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const r of records) {
      const list = byTopic.get(r.topic) ?? [];
      list.push(r);
      byTopic.set(r.topic, list);
    }
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((r) => ({ key: r.key, value: r.value, headers: r.headers ?? {} })),
        })),
      });
    } catch (error) {
      throw new BusUnavailableError(`Kafka publish failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async consume(options: ConsumeOptions): Promise<ConsumerHandle> {
    const consumer = this.kafka.consumer({
      groupId: options.group,
      maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 500,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      // Kafka wants heartbeats well inside the session timeout (a third is its own default ratio).
      heartbeatInterval: Math.min(3_000, Math.floor((this.options.sessionTimeoutMs ?? 30_000) / 3)),
      allowAutoTopicCreation: true,
      retry: {
        retries: Number.MAX_SAFE_INTEGER,
        initialRetryTime: 200,
        maxRetryTime: 5_000,
        // kafkajs restarts a crashed consumer on a timer. A crash caused by stop() itself (seen after a
        // broker outage: "write after end" while leaving) would otherwise schedule a restart after
        // disconnect() returned: a zombie member that rejoins the group, holds partitions it never
        // handles and keeps the process alive. Once stopped, never restart.
        restartOnFailure: async () => running,
      },
    });
    this.consumers.add(consumer);
    const logger = this.options.logger.child({ group: options.group });
    const maxBatch = this.options.maxBatchSize ?? 500;
    const maxAhead = this.options.maxRecordsAhead ?? 5_000;
    let running = true;
    /** Bumped on restart and rebalance: lanes of an older generation stop taking chunks. */
    let generation = 0;
    const lanes = new Map<string, { topic: string; partition: number; lane: PartitionLane }>();
    let restarting: Promise<void> | undefined;

    const commit = async (): Promise<void> => {
      const due = [...lanes.values()].filter(({ lane }) => lane.handledNext !== undefined && lane.handledNext !== lane.committedNext);
      if (due.length === 0) return;
      const offsets = due.map(({ topic, partition, lane }) => ({ topic, partition, offset: lane.handledNext! }));
      try {
        await consumer.commitOffsets(offsets);
        for (const [i, { lane }] of due.entries()) lane.committedNext = offsets[i]!.offset;
      } catch (error) {
        // A rebalance can reject the commit; the partition's next owner then re-delivers from the last one.
        logger.warn({ err: error }, 'offset commit failed; uncommitted records will be delivered again');
      }
    };
    const commitTimer = setInterval(() => void commit(), this.options.commitIntervalMs ?? 500);
    commitTimer.unref();

    // A handler that gave its batch back (it throws only when it cannot even park a poison record):
    // restart from the last commit, so the batch and everything after it is fetched and handled again.
    const restart = (error: unknown): void => {
      restarting ??= (async () => {
        logger.error({ err: error }, 'a batch was given back; restarting the consumer from its last commit');
        generation++;
        // Commit what was handled while still a member (a stopped consumer has left the group).
        await Promise.all([...lanes.values()].map(({ lane }) => lane.idle()));
        await commit();
        await consumer.stop();
        lanes.clear();
        await sleep(500);
        if (running) await run();
      })()
        .catch((restartError: unknown) => logger.error({ err: restartError }, 'consumer restart failed'))
        .finally(() => (restarting = undefined));
    };

    const laneFor = (topic: string, partition: number, heartbeat: () => Promise<void>): PartitionLane => {
      const key = `${topic}\u0000${partition}`;
      const existing = lanes.get(key);
      if (existing && !existing.lane.failed) return existing.lane;
      const laneGeneration = generation;
      const isActive = () => running && generation === laneGeneration;
      const lane = new PartitionLane(
        async (chunk) => {
          // A handler that retries with backoff can run longer than the session timeout; keep the member alive.
          const beat = setInterval(() => void heartbeat().catch(() => undefined), 1_000);
          try {
            await options.handleBatch(chunk.records, { heartbeat, isActive });
          } finally {
            clearInterval(beat);
          }
        },
        restart,
        isActive,
      );
      lanes.set(key, { topic, partition, lane });
      return lane;
    };

    // After a rebalance kafkajs fetches again from the committed offsets: drop what the lanes had queued
    // (the chunk in hand finishes) so nothing is handled out of order or twice in a row.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      generation++;
      lanes.clear();
    });

    const run = () =>
      consumer.run({
        // Pipelined: a batch's offsets are resolved at once so the next fetch starts while the lanes still
        // handle it; commits come only from what the lanes finished (commit() above), never from fetching.
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 12,
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          // A restart is under way: take nothing more; it resumes from the committed offsets.
          if (restarting || !running) return;
          const lane = laneFor(batch.topic, batch.partition, heartbeat);
          for (let i = 0; i < batch.messages.length; i += maxBatch) {
            const chunk = batch.messages.slice(i, i + maxBatch);
            const last = chunk[chunk.length - 1]!.offset;
            lane.enqueue({
              records: chunk.map((m) => ({
                topic: batch.topic,
                partition: batch.partition,
                offset: m.offset,
                key: m.key?.toString('utf8') ?? '',
                value: m.value ?? Buffer.alloc(0),
                headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v ?? '')])),
              })),
              nextOffset: (BigInt(last) + 1n).toString(),
            });
            resolveOffset(last);
          }
          // Backpressure: fetch no further ahead of the handler than maxAhead records per partition.
          await lane.waitBelow(maxAhead, heartbeat);
        },
      });

    await this.ensureTopics(options.topics);
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
    await run();
    return {
      stop: async () => {
        running = false;
        await restarting;
        // The lanes finish the chunk in hand (queued ones are dropped), the handled offsets are committed
        // while this is still a group member, and only then does it leave the group.
        await Promise.all([...lanes.values()].map(({ lane }) => lane.idle()));
        clearInterval(commitTimer);
        await commit();
        await consumer.stop();
        await consumer.disconnect();
        this.consumers.delete(consumer);
      },
    };
  }

  async ping(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    for (const consumer of this.consumers) await consumer.disconnect();
    this.consumers.clear();
    // Give the group-commit queue a moment to hand over what callers already awaited.
    await sleep(0);
    await this.producer.disconnect();
    this.connected = false;
  }
}
