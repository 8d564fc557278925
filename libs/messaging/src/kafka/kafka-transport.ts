import { Kafka, logLevel, type Consumer, type EachBatchPayload, type Producer, type LogEntry, type ISocketFactory } from 'kafkajs';
import type { Logger } from 'pino';
import { sleep, withTimeout } from '../backoff';
import {
  BusUnavailableError,
  type BusTransport,
  type ConsumeOptions,
  type ConsumedRecord,
  type ConsumerHandle,
  type OutgoingRecord,
} from '../transport/bus-transport';
import { GroupCommitQueue } from '../transport/group-commit-queue';
import { guardStoppedConsumerFetches } from './kafkajs-stopped-fetch-guard';
import { keyPartitioner } from './key-partitioner';

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
  /** Lets tests route broker connections through proxies they control (to cut Kafka off). */
  socketFactory?: ISocketFactory;
  /**
   * Partitions of topics this transport creates when they do not exist yet. Partitions bound how many
   * consumer instances share a topic and how much one fetch returns, so this is a scale-out setting.
   */
  topicPartitions?: number;
  /** Producer linger: how long a publish waits for others to share its request (default 0; services use KAFKA_LINGER_MS). */
  lingerMs?: number;
  /** Fetch wait of background consumers (ConsumeOptions.background), never below maxWaitTimeMs (default 500). */
  backgroundMaxWaitTimeMs?: number;
}

/** How long stop() and the other explicit commits wait for the group coordinator. */
const COMMIT_TIMEOUT_MS = 5_000;

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
  /** Each running consumer's stop(), which commits what it handled before leaving its group. */
  private readonly consumers = new Map<Consumer, () => Promise<void>>();
  private readonly ensuredTopics = new Map<string, Promise<void>>();
  private readonly joins = new Set<Promise<void>>();
  private connected = false;

  constructor(private readonly options: KafkaTransportOptions) {
    guardStoppedConsumerFetches();
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
    // The Java client's partitioning, so keys land where other Kafka clients (and our log transport) put
    // them; KafkaJS's DefaultPartitioner computes the same, at far more allocation per record.
    this.producer = this.kafka.producer({
      createPartitioner: keyPartitioner,
      allowAutoTopicCreation: true,
      idempotent: false,
      maxInFlightRequests: 1,
    });
    this.queue = new GroupCommitQueue((records) => this.sendNow(records), { lingerMs: options.lingerMs ?? 0 });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const timeoutMs = this.options.publishTimeoutMs ?? 10_000;
    const topics = [...new Set(records.map((r) => r.topic))];
    await withTimeout(
      this.ensureTopics(topics).then(() => this.queue.enqueue(records)),
      timeoutMs,
      () => new BusUnavailableError(`Kafka did not acknowledge within ${timeoutMs} ms`),
    );
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
        this.options.logger.warn({ topics: missing, reason: (error as Error).message }, 'could not create topics; relying on the broker to have or auto-create them');
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
    let running = true;
    const consumer = this.kafka.consumer({
      groupId: options.group,
      maxWaitTimeInMs: options.background
        ? Math.max(this.options.maxWaitTimeMs ?? 500, this.options.backgroundMaxWaitTimeMs ?? 500)
        : (this.options.maxWaitTimeMs ?? 500),
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
    const maxBatch = this.options.maxBatchSize ?? 500;
    await this.ensureTopics(options.topics);
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
    // Offsets are committed by this adapter, not by kafkajs: with autoCommit, kafkajs sends an OffsetCommit
    // after every batch and awaits it before the partition's next fetch, a round trip per batch on the hot
    // path (and most of a busy consumer's requests). Here offsets are resolved only after the handler
    // finished, and what is resolved is committed at most every commitIntervalMs, when the group rebalances
    // (kafkajs has then stopped its fetchers, so every batch in hand has finished) and when stop() is called.
    const commitIntervalMs = this.options.commitIntervalMs ?? 500;
    let committer: Pick<EachBatchPayload, 'commitOffsetsIfNecessary' | 'uncommittedOffsets'> | undefined;
    let inFlight = 0;
    let drained: (() => void) | undefined;
    const commitResolved = async (why: string): Promise<void> => {
      if (!committer) return;
      try {
        const offsets = committer.uncommittedOffsets();
        if (offsets.topics.length === 0) return;
        // Bounded: a broker that does not answer must not hold up a shutdown (what is not committed is re-delivered).
        await withTimeout(committer.commitOffsetsIfNecessary(offsets), COMMIT_TIMEOUT_MS);
      } catch (error) {
        // Not lost: uncommitted records are delivered again (at least once; consumers are idempotent).
        this.options.logger.warn({ err: error, group: options.group, why }, 'could not commit consumed offsets; their records will be delivered again');
      }
    };
    consumer.on(consumer.events.REBALANCING, () => void commitResolved('rebalance'));
    const commitTimer = setInterval(() => {
      if (running && inFlight === 0) void commitResolved('interval');
    }, commitIntervalMs);
    commitTimer.unref();
    // Not awaited: run() resolves only once the member has joined and synced, and a join waits on the broker
    // (group.initial.rebalance.delay.ms, 3 s, for a new group; a rebalance while other members rejoin). A
    // service with several groups would wait for each in turn. Nothing depends on having joined: a new group
    // starts at the oldest record, an old one at its committed offsets, and a failed join is retried by
    // kafkajs's restart (restartOnFailure below), which run() would not have reported either.
    const joining = consumer.run({
      autoCommit: false,
      autoCommitInterval: commitIntervalMs,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 12,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary, uncommittedOffsets }) => {
        const isActive = () => running && isRunning() && !isStale();
        if (!isActive()) return;
        committer = { commitOffsetsIfNecessary, uncommittedOffsets };
        inFlight++;
        // A handler that retries with backoff can run longer than the session timeout; keep the member alive.
        const beat = setInterval(() => void heartbeat().catch(() => undefined), 1_000);
        try {
          for (let i = 0; i < batch.messages.length && isActive(); i += maxBatch) {
            const chunk = batch.messages.slice(i, i + maxBatch);
            const records: ConsumedRecord[] = chunk.map((m) => ({
              topic: batch.topic,
              partition: batch.partition,
              offset: m.offset,
              key: m.key?.toString('utf8') ?? '',
              value: m.value ?? Buffer.alloc(0),
              headers: Object.fromEntries(
                Object.entries(m.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v ?? '')]),
              ),
            }));
            await options.handleBatch(records, { heartbeat, isActive, highWatermark: batch.highWatermark });
            resolveOffset(chunk[chunk.length - 1]!.offset);
          }
          // Without arguments: commits only when commitIntervalMs has passed since the last commit.
          await commitOffsetsIfNecessary();
        } finally {
          clearInterval(beat);
          if (--inFlight === 0) drained?.();
        }
      },
    });
    const joined = joining.catch((error: unknown) => this.options.logger.error({ err: error, group: options.group }, 'Kafka consumer could not start'));
    this.joins.add(joined);
    void joined.then(() => this.joins.delete(joined));
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        running = false;
        clearInterval(commitTimer);
        // Let the batches in hand finish (they see isActive() false and stop at their next chunk), commit what
        // they resolved while still a member of the group, then leave it.
        if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
        await commitResolved('stop');
        await consumer.disconnect();
        this.consumers.delete(consumer);
      })());
    this.consumers.set(consumer, stop);
    return { stop };
  }

  async consumersJoined(): Promise<void> {
    await Promise.all([...this.joins]);
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
    for (const stop of [...this.consumers.values()]) await stop();
    // Give the group-commit queue a moment to hand over what callers already awaited.
    await sleep(0);
    await this.producer.disconnect();
    this.connected = false;
  }
}
