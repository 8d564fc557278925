/**
 * The BusTransport contract (libs/messaging/src/transport/bus-transport.ts), run unchanged against every
 * transport: Kafka (kafkajs on librdkafka's mock cluster), the PostgreSQL log on a real server, and the
 * PostgreSQL log on PGlite (the standalone runtime). Each case uses its own topic and groups.
 *
 * At-least-once is the promise, so the checks are phrased to allow re-delivery but never a gap:
 * - "no gap": batches are checked in the order their handler resolved; each must start at or before the
 *   highest offset already handled in its partition + 1 (a skip would start further on);
 * - "per-key order": in that same order, a key's sequence number never runs ahead of the highest one
 *   seen + 1 (a re-delivery may go back, a reordering or skip goes forward).
 */
import { LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, KafkaTransport, LogTransport, partitionFor } from '../src';
import type { BatchContext, BusTransport, ConsumeOptions, ConsumedRecord, ConsumerHandle, OutgoingRecord } from '../src';
import { createServiceDataSource, migrateSchema, startEmbeddedPostgres } from '@switchboard/persistence';
import {
  createTestDatabase,
  integrationAvailable,
  proxyAll,
  startKafkaMockCluster,
  waitFor,
  type IntegrationNeed,
} from '@switchboard/testing';
import { Kafka, logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Pool } from 'pg';
import pino from 'pino';

/** Partitions per topic on both transports. */
const PARTITIONS = 4;
// Liveness, not speed: on a loaded CI machine a Kafka member whose heartbeats lag past its 4 s session is
// removed, and the mock cluster holds the rebalance that follows for about that long again.
const WAIT = { timeoutMs: 60_000, intervalMs: 20 };
const logger = pino({ level: process.env['BUS_TEST_LOG_LEVEL'] ?? 'silent' });

// ---------------------------------------------------------------------------------------------------------
// Transports under test

interface TransportOptions {
  maxBatchSize?: number;
}

interface CrashableTransport {
  transport: BusTransport;
  /** The process dies: its connections go away and it never commits again (nothing is closed cleanly). */
  crash(): void;
  /** After the test: undo the crash so the transport can be closed. */
  revive(): void;
}

interface Fixture {
  /** Creates the topic where the broker needs that (Kafka), and makes sure it has PARTITIONS partitions. */
  createTopic(topic: string): Promise<void>;
  /** A connected transport on this fixture's broker/database. */
  newTransport(options?: TransportOptions): Promise<BusTransport>;
  newCrashableTransport(options?: TransportOptions): Promise<CrashableTransport>;
  /** Next offset the group will read, per partition (absent: nothing committed). */
  committed(group: string, topic: string): Promise<Map<number, number>>;
  stop(): Promise<void>;
}

interface TransportUnderTest {
  name: string;
  needs: IntegrationNeed[];
  /** Run the cases side by side (they are independent; see `it` below). */
  concurrent: boolean;
  start(): Promise<Fixture>;
}

const kafkaUnderTest: TransportUnderTest = {
  name: 'KafkaTransport (mock cluster)',
  needs: ['kafka'],
  concurrent: true,
  async start() {
    const cluster = await startKafkaMockCluster({ brokers: 3 });
    const admin = new Kafka({ clientId: 'contract-admin', brokers: cluster.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const proxies: Awaited<ReturnType<typeof proxyAll>>[] = [];
    const make = async (options: TransportOptions, group?: Awaited<ReturnType<typeof proxyAll>>) => {
      const transport = new KafkaTransport({
        clientId: `contract-${randomBytes(3).toString('hex')}`,
        brokers: group ? group.addresses : cluster.brokers,
        logger,
        // The mock cluster does not wake long fetches; a group rebalance waits (session timeout - 1 s).
        maxWaitTimeMs: 10,
        commitIntervalMs: 50,
        sessionTimeoutMs: 4_000,
        publishTimeoutMs: 10_000,
        ...(options.maxBatchSize ? { maxBatchSize: options.maxBatchSize } : {}),
        ...(group ? { socketFactory: ({ host, port, onConnect }) => net.connect(group.translate(host, port), onConnect) } : {}),
      });
      await transport.connect();
      return transport;
    };
    return {
      async createTopic(topic) {
        // The mock cluster has no controller for CreateTopics; asking for metadata auto-creates the topic
        // with its default partition count, which must be ours.
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const partitions = topics[0]?.partitions.length;
        if (partitions !== PARTITIONS) throw new Error(`${topic} was created with ${partitions} partitions, the contract suite needs ${PARTITIONS}`);
      },
      newTransport: (options = {}) => make(options),
      async newCrashableTransport(options = {}) {
        const group = await proxyAll(cluster.brokers);
        proxies.push(group);
        const transport = await make(options, group);
        return { transport, crash: () => group.cut(), revive: () => group.restore() };
      },
      async committed(group, topic) {
        const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        const positions = new Map<number, number>();
        for (const { partition, offset } of entry?.partitions ?? []) if (Number(offset) >= 0) positions.set(partition, Number(offset));
        return positions;
      },
      async stop() {
        await admin.disconnect();
        await Promise.all(proxies.map((p) => p.stop()));
        await cluster.stop();
      },
    };
  },
};

async function logFixture(databaseUrl: string, dispose: () => Promise<void>): Promise<Fixture> {
  await migrateSchema(createServiceDataSource({ url: databaseUrl, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS, poolSize: 1 }), LOG_BUS_SCHEMA);
  const sql = new Pool({ connectionString: databaseUrl, max: 1 });
  const make = async (options: TransportOptions) => {
    const transport = new LogTransport({ databaseUrl, logger, partitions: PARTITIONS, pollIntervalMs: 50, ...(options.maxBatchSize ? { maxBatchSize: options.maxBatchSize } : {}) });
    await transport.connect();
    return transport;
  };
  return {
    createTopic: async () => undefined, // partitions are a LogTransport option
    newTransport: (options = {}) => make(options),
    // Group assignment of the log bus lives in one process (decision 0002): another LogTransport instance is
    // another process, which knows nothing of the dead one and reads from the committed offsets.
    newCrashableTransport: async (options = {}) => ({ transport: await make(options), crash: () => undefined, revive: () => undefined }),
    async committed(group, topic) {
      const rows = await sql.query<{ partition: number; committed_offset: string }>(
        `SELECT partition, committed_offset FROM bus.group_offsets WHERE group_id = $1 AND topic = $2`,
        [group, topic],
      );
      return new Map(rows.rows.map((r) => [r.partition, Number(r.committed_offset) + 1]));
    },
    async stop() {
      await sql.end();
      await dispose();
    },
  };
}

const logOnPostgres: TransportUnderTest = {
  name: 'LogTransport (PostgreSQL)',
  needs: ['postgres'],
  concurrent: false,
  async start() {
    const database = await createTestDatabase('bus_contract');
    return logFixture(database.url, () => database.drop());
  },
};

const logOnPglite: TransportUnderTest = {
  name: 'LogTransport (PGlite)',
  needs: [],
  concurrent: false,
  async start() {
    const pg = await startEmbeddedPostgres({});
    return logFixture(pg.url, () => pg.stop());
  },
};

const runnable = [kafkaUnderTest, logOnPostgres, logOnPglite].filter((t) => integrationAvailable(t.needs, `the BusTransport contract on ${t.name}`));

// ---------------------------------------------------------------------------------------------------------
// What consumers saw

interface Seen {
  partition: number;
  offset: number;
  key: string;
  value: string;
}

interface Batch {
  member: string;
  records: Seen[];
  /** context.isActive() when the batch was handed over: a batch for a partition the member lost is pointless. */
  activeAtStart: boolean;
}

function seen(r: ConsumedRecord): Seen {
  return { partition: r.partition, offset: Number(r.offset), key: r.key, value: r.value.toString('utf8') };
}

/** What the members of ONE consumer group were handed, and which batches their handler resolved (in that order). */
class Ledger {
  readonly delivered: Batch[] = [];
  readonly completed: Batch[] = [];
  /** Partition -> the member whose handler has a batch of it right now. */
  private readonly inHand = new Map<number, string>();
  private readonly overlaps: string[] = [];

  /** A handleBatch that records, runs `behaviour` (which may throw or block) and records completion. */
  handler(member: string, behaviour?: (records: Seen[], context: BatchContext) => Promise<void> | void): ConsumeOptions['handleBatch'] {
    return async (records, context) => {
      const batch = { member, records: records.map(seen), activeAtStart: context.isActive() };
      const partition = batch.records[0]?.partition ?? -1;
      const holder = this.inHand.get(partition);
      if (holder !== undefined) this.overlaps.push(`partition ${partition} handed to ${member} while ${holder} still handles a batch of it`);
      this.inHand.set(partition, member);
      this.delivered.push(batch);
      try {
        await behaviour?.(batch.records, context);
        this.completed.push(batch);
      } finally {
        if (this.inHand.get(partition) === member) this.inHand.delete(partition);
      }
    };
  }

  /** The member's process is gone (crash test): the batches it still "holds" are nobody's. */
  died(member: string): void {
    for (const [partition, holder] of this.inHand) if (holder === member) this.inHand.delete(partition);
  }

  values(member?: string): Set<string> {
    return new Set(this.completed.filter((b) => member === undefined || b.member === member).flatMap((b) => b.records.map((r) => r.value)));
  }

  missing(expected: readonly OutgoingRecord[], member?: string): string[] {
    const got = this.values(member);
    return expected.map((r) => r.value).filter((v) => !got.has(v));
  }

  hasAll(expected: readonly OutgoingRecord[], member?: string): boolean {
    return this.missing(expected, member).length === 0;
  }

  /** Highest offset handled per partition (in completion order) + 1. */
  handledUpTo(member?: string): Map<number, number> {
    const upTo = new Map<number, number>();
    for (const b of this.completed) {
      if (member !== undefined && b.member !== member) continue;
      for (const r of b.records) upTo.set(r.partition, Math.max(upTo.get(r.partition) ?? 0, r.offset + 1));
    }
    return upTo;
  }

  /** First offset each member was handed per partition. */
  firstOffsets(member: string): Map<number, number> {
    const first = new Map<number, number>();
    for (const b of this.delivered) if (b.member === member) for (const r of b.records) if (!first.has(r.partition)) first.set(r.partition, r.offset);
    return first;
  }

  partitionsOf(member: string, values: Set<string>): Set<number> {
    return new Set(this.completed.filter((b) => b.member === member).flatMap((b) => b.records.filter((r) => values.has(r.value)).map((r) => r.partition)));
  }

  /** The promises that hold in every case: see the file comment. */
  expectContractHeld(topicRecords: readonly OutgoingRecord[]): void {
    const problems: string[] = [];
    const known = new Set(topicRecords.map((r) => r.value));
    const upTo = new Map<number, number>();
    const maxSeq = new Map<string, number>();
    problems.push(...this.overlaps);
    for (const [index, batch] of this.delivered.entries()) {
      if (!batch.activeAtStart) problems.push(`delivery #${index} (${batch.member}) was handed over already inactive (partition ${batch.records[0]?.partition})`);
    }
    for (const [index, batch] of this.completed.entries()) {
      const where = `batch #${index} (${batch.member})`;
      const [first] = batch.records;
      if (!first) {
        problems.push(`${where} is empty`);
        continue;
      }
      batch.records.forEach((r, i) => {
        if (r.partition !== first.partition) problems.push(`${where} mixes partitions ${first.partition} and ${r.partition}`);
        if (r.offset !== first.offset + i) problems.push(`${where}: offset ${r.offset} at position ${i}, expected ${first.offset + i}`);
        if (!known.has(r.value)) problems.push(`${where}: unknown record ${r.value}`);
        if (r.partition !== partitionFor(r.key, PARTITIONS)) problems.push(`${where}: key ${r.key} in partition ${r.partition}, murmur2 says ${partitionFor(r.key, PARTITIONS)}`);
      });
      const handled = upTo.get(first.partition) ?? 0;
      if (first.offset > handled) problems.push(`${where}: partition ${first.partition} skipped from ${handled} to ${first.offset}`);
      for (const r of batch.records) {
        upTo.set(r.partition, Math.max(upTo.get(r.partition) ?? 0, r.offset + 1));
        const seq = seqOf(r.value);
        const max = maxSeq.get(r.key) ?? -1;
        if (seq > max + 1) problems.push(`${where}: key ${r.key} jumped from #${max} to #${seq}`);
        maxSeq.set(r.key, Math.max(max, seq));
      }
    }
    expect(problems.slice(0, 20)).toEqual([]);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Records

/** `count` records per key, interleaved across keys (k0#0, k1#0, ..., k0#1, ...); value = `<key>#<seq>`. */
function interleaved(topic: string, keys: readonly string[], from: number, count: number): OutgoingRecord[] {
  const records: OutgoingRecord[] = [];
  for (let seq = from; seq < from + count; seq++) for (const key of keys) records.push({ topic, key, value: `${key}#${seq}`, headers: { seq: String(seq) } });
  return records;
}

function seqOf(value: string): number {
  return Number(value.slice(value.lastIndexOf('#') + 1));
}

/** `n` keys spread evenly over the partitions (by murmur2), so every partition has work. */
function keysCoveringAllPartitions(prefix: string, n: number): string[] {
  const perPartition = Math.ceil(n / PARTITIONS);
  const buckets: string[][] = Array.from({ length: PARTITIONS }, () => []);
  for (let i = 0; buckets.some((b) => b.length < perPartition); i++) {
    const key = `${prefix}-${i}`;
    const bucket = buckets[partitionFor(key, PARTITIONS)]!;
    if (bucket.length < perPartition) bucket.push(key);
  }
  return Array.from({ length: n }, (_, i) => buckets[i % PARTITIONS]![Math.floor(i / PARTITIONS)]!);
}

async function publishInChunks(transport: BusTransport, records: readonly OutgoingRecord[], chunk: number): Promise<void> {
  for (let i = 0; i < records.length; i += chunk) await transport.publish(records.slice(i, i + chunk));
}

interface Gate {
  promise: Promise<void>;
  open(): void;
  fail(error: Error): void;
}

function gate(): Gate {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  promise.catch(() => undefined);
  return { promise, open, fail };
}

function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  return () => done;
}

// ---------------------------------------------------------------------------------------------------------

/** One test case's own topic, groups, transports and consumers; everything it opened is closed at the end. */
class CaseContext {
  readonly topic = `contract.${randomBytes(5).toString('hex')}`;
  private readonly cleanups: (() => Promise<void>)[] = [];

  constructor(readonly fixture: Fixture) {}

  /** Runs at the end of the case, in reverse order of registration. */
  later(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  group(name: string): string {
    return `${this.topic}.${name}`;
  }

  async transport(options?: TransportOptions): Promise<BusTransport> {
    const transport = await this.fixture.newTransport(options);
    this.later(() => transport.close());
    return transport;
  }

  async consume(transport: BusTransport, options: ConsumeOptions): Promise<ConsumerHandle> {
    const handle = await transport.consume(options);
    let stopped: Promise<void> | undefined;
    const stop = () => (stopped ??= handle.stop());
    this.later(stop);
    return { stop };
  }

  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw new AggregateError(errors, 'closing the test case failed');
  }
}

const fixtures = new Map<TransportUnderTest, Promise<Fixture>>();

/** Started on first use, not in a describe's beforeAll: concurrent tests may start before beforeAll hooks. */
function fixtureOf(underTest: TransportUnderTest): Promise<Fixture> {
  let fixture = fixtures.get(underTest);
  if (!fixture) {
    fixture = underTest.start();
    fixture.catch(() => undefined); // reported by the tests that await it
    fixtures.set(underTest, fixture);
  }
  return fixture;
}

// Warm every fixture up at once: PGlite's start (seconds of WASM) overlaps the Kafka cases' waiting.
beforeAll(() => runnable.forEach((underTest) => void fixtureOf(underTest)));

afterAll(async () => {
  const stopped = await Promise.allSettled([...fixtures.values()].map(async (fixture) => (await fixture).stop()));
  const failures = stopped.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as unknown);
  if (failures.length > 0) throw new AggregateError(failures, 'stopping the fixtures failed');
});

describe.each(runnable)('BusTransport contract: $name', (underTest) => {
  const fixture = () => fixtureOf(underTest);

  // Kafka's cases spend most of their time waiting for the mock cluster's group timers (3 s for a first join,
  // session timeout - 1 s for a rebalance), so they run side by side; each has its own topic and groups.
  const it = (name: string, body: (c: CaseContext) => Promise<void>) =>
    (underTest.concurrent ? test.concurrent : test)(name, async () => {
      const c = new CaseContext(await fixture());
      await c.fixture.createTopic(c.topic);
      try {
        await body(c);
      } finally {
        await c.close();
      }
    });

  it('keeps per-key order across 2,000 records, 50 keys and 40 publishes, starting a new group at the oldest record', async (c) => {
    const bus = await c.transport({ maxBatchSize: 100 });
    const keys = keysCoveringAllPartitions(`${c.topic}-chat`, 50);
    const before = interleaved(c.topic, keys, 0, 20); // 1,000 records published before the group exists
    const after = interleaved(c.topic, keys, 20, 20); // 1,000 more while it consumes
    await publishInChunks(bus, before, 50);

    const ledger = new Ledger();
    await c.consume(bus, { group: c.group('ordered'), topics: [c.topic], handleBatch: ledger.handler('only') });
    await publishInChunks(bus, after, 50);

    const all = [...before, ...after];
    await waitFor(() => ledger.hasAll(all), { ...WAIT, description: 'all 2,000 records to be handled' });
    ledger.expectContractHeld(all);
    // No committed offset: the group started at the oldest record of every partition.
    expect([...ledger.firstOffsets('only')].sort()).toEqual([...Array(PARTITIONS).keys()].map((p) => [p, 0]));
  });

  it('gives every consumer group every record', async (c) => {
    const bus = await c.transport();
    const keys = keysCoveringAllPartitions(`${c.topic}-chat`, 12);
    const early = interleaved(c.topic, keys, 0, 5);
    await bus.publish(early);

    const crm = new Ledger();
    const analytics = new Ledger();
    await Promise.all([
      c.consume(bus, { group: c.group('crm'), topics: [c.topic], handleBatch: crm.handler('crm') }),
      c.consume(bus, { group: c.group('analytics'), topics: [c.topic], handleBatch: analytics.handler('analytics') }),
    ]);
    const late = interleaved(c.topic, keys, 5, 5);
    await bus.publish(late);

    const all = [...early, ...late];
    await waitFor(() => crm.hasAll(all) && analytics.hasAll(all), { ...WAIT, description: 'both groups to get all records' });
    crm.expectContractHeld(all);
    analytics.expectContractHeld(all);
  });

  it('splits the partitions between two members of one group (one joining mid-batch) and hands a stopping member’s partitions to the other', async (c) => {
    const bus = await c.transport();
    const keys = keysCoveringAllPartitions(`${c.topic}-chat`, 16);
    const ledger = new Ledger();
    const g = c.group('shared');
    const published = interleaved(c.topic, keys, 0, 1);
    await bus.publish(published);
    // b joins while a is in the middle of a batch of partition 1: whoever gets partition 1 now, no two members
    // may handle it at once, and nobody may be handed a partition it no longer owns.
    const joined = gate();
    const a = await c.consume(bus, {
      group: g,
      topics: [c.topic],
      handleBatch: ledger.handler('a', (records) => (records[0]?.partition === 1 ? joined.promise : undefined)),
    });
    c.later(async () => joined.open()); // should the test fail early: stopping `a` must not wait forever
    await waitFor(() => ledger.delivered.some((b) => b.records[0]?.partition === 1), { ...WAIT, description: 'a to hold a batch of partition 1' });
    const joining = c.consume(bus, { group: g, topics: [c.topic], handleBatch: ledger.handler('b') });
    // Give b a chance to be handed something while a still holds partition 1 (Kafka's rebalance waits for a,
    // so there b gets nothing until the batch is released: hence a bounded wait, not a waitFor that must succeed).
    await waitFor(() => ledger.delivered.some((b) => b.member === 'b'), { timeoutMs: 1_000 }).catch(() => undefined);
    joined.open();
    await joining;

    let round = 1;
    const publishRound = async () => {
      const records = interleaved(c.topic, keys, round++, 1);
      published.push(...records);
      await bus.publish(records);
      await waitFor(() => ledger.hasAll(records), { ...WAIT, description: `round ${round - 1} to be handled` });
      return new Set(records.map((r) => r.value));
    };
    // Until both members are in the group (Kafka rebalances asynchronously), a round may go to one member.
    await waitFor(
      async () => {
        const values = await publishRound();
        return ledger.partitionsOf('a', values).size > 0 && ledger.partitionsOf('b', values).size > 0;
      },
      { ...WAIT, description: 'both members to get records of one round' },
    );
    // Settled: the next round is split, each partition going to exactly one member.
    const settledRound = await publishRound();
    const ofA = ledger.partitionsOf('a', settledRound);
    const ofB = ledger.partitionsOf('b', settledRound);
    expect([...ofA].filter((p) => ofB.has(p))).toEqual([]);
    expect(ofA.size).toBeGreaterThan(0);
    expect(ofB.size).toBeGreaterThan(0);
    expect(ofA.size + ofB.size).toBe(PARTITIONS);

    await a.stop();
    const afterStop = await publishRound();
    await waitFor(() => ledger.partitionsOf('b', afterStop).size === PARTITIONS, { ...WAIT, description: 'b to take over every partition' });
    expect(ledger.missing(published)).toEqual([]);
    ledger.expectContractHeld(published);
  });

  it('re-delivers the records of a batch whose handler threw, and never skips past them', async (c) => {
    const bus = await c.transport({ maxBatchSize: 10 });
    const keys = keysCoveringAllPartitions(`${c.topic}-chat`, 8);
    const records = interleaved(c.topic, keys, 0, 25);
    await publishInChunks(bus, records, 40);

    const poison = `${keys[0]}#12`;
    let failures = 0;
    const ledger = new Ledger();
    await c.consume(bus, {
      group: c.group('flaky'),
      topics: [c.topic],
      handleBatch: ledger.handler('flaky', (batch) => {
        if (failures < 2 && batch.some((r) => r.value === poison)) {
          failures++;
          throw new Error('transient failure');
        }
      }),
    });

    await waitFor(() => ledger.hasAll(records), { ...WAIT, description: 'every record to be handled' });
    expect(failures).toBe(2);
    const deliveriesOfPoison = ledger.delivered.filter((b) => b.records.some((r) => r.value === poison));
    expect(deliveriesOfPoison.length).toBeGreaterThanOrEqual(3);
    ledger.expectContractHeld(records);
  });

  it('gives the batch of a consumer that died before committing to the next consumer of its group', async (c) => {
    const bus = await c.transport();
    const keys = keysCoveringAllPartitions(`${c.topic}-chat`, 8);
    const records = interleaved(c.topic, keys, 0, 20);
    await publishInChunks(bus, records, 40);

    const ledger = new Ledger();
    const hang = gate();
    let hungBatch: Seen[] | undefined;
    const doomed = await c.fixture.newCrashableTransport({ maxBatchSize: 10 });
    await c.consume(doomed.transport, {
      group: c.group('workers'),
      topics: [c.topic],
      // Two batches go through (and may be committed), the third never finishes: the process dies in it.
      handleBatch: ledger.handler('doomed', async (batch) => {
        if (ledger.completed.length < 2 || hungBatch) return;
        hungBatch = batch;
        await hang.promise;
      }),
    });
    // Registered after the consumer, so it runs before it: let the doomed handler fail, reconnect, then close.
    c.later(async () => {
      hang.fail(new Error('process died'));
      doomed.revive();
      await doomed.transport.close();
    });
    await waitFor(() => hungBatch, { ...WAIT, description: 'the doomed consumer to be in its third batch' });
    doomed.crash();
    ledger.died('doomed');

    const survivor = await c.transport();
    await c.consume(survivor, { group: c.group('workers'), topics: [c.topic], handleBatch: ledger.handler('survivor') });
    await waitFor(() => ledger.hasAll(records), { ...WAIT, description: 'every record to be handled by someone' });

    const inHungBatch = new Set(hungBatch!.map((r) => r.value));
    expect([...inHungBatch].filter((v) => !ledger.values('survivor').has(v))).toEqual([]);
    expect(ledger.completed.some((b) => b.member === 'doomed' && b.records.some((r) => inHungBatch.has(r.value)))).toBe(false);
    ledger.expectContractHeld(records);
  });

  it('stop() lets the batch in hand finish and commits it; the next consumer of the group carries on from there', async (c) => {
    const bus = await c.transport({ maxBatchSize: 10 });
    const keys = keysCoveringAllPartitions(`${c.topic}-chat`, 8);
    const first = interleaved(c.topic, keys, 0, 10);
    await publishInChunks(bus, first, 40);
    const g = c.group('graceful');

    const ledger = new Ledger();
    const release = gate();
    let inHand: { records: Seen[]; context: BatchContext } | undefined;
    const consumer = await c.consume(bus, {
      group: g,
      topics: [c.topic],
      handleBatch: ledger.handler('first', async (records, context) => {
        if (ledger.completed.length < 2 || inHand) return;
        inHand = { records, context };
        await release.promise;
      }),
    });
    c.later(async () => release.open()); // should the test fail early: stopping must not wait forever
    const batch = await waitFor(() => inHand, { ...WAIT, description: 'a batch in hand' });

    const stopping = consumer.stop();
    const stopped = settled(stopping);
    await waitFor(() => !batch.context.isActive(), { ...WAIT, description: 'the handler to see the shutdown' });
    // Proving a negative needs a pause: stop() must still be waiting for the handler.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stopped()).toBe(false);
    release.open();
    await stopping;

    // Everything handled (the batch in hand included) is committed; nothing beyond it.
    const handled = ledger.handledUpTo('first');
    const last = batch.records[batch.records.length - 1]!;
    expect(handled.get(last.partition)).toBe(last.offset + 1);
    expect(await c.fixture.committed(g, c.topic)).toEqual(handled);

    const second = interleaved(c.topic, keys, 10, 5);
    await bus.publish(second);
    await c.consume(bus, { group: g, topics: [c.topic], handleBatch: ledger.handler('next') });
    const all = [...first, ...second];
    await waitFor(() => ledger.hasAll(all), { ...WAIT, description: 'the next consumer to get the rest' });
    // It starts where the committed offsets say: the batch that stop() finished is not handed out again.
    for (const [partition, offset] of ledger.firstOffsets('next')) expect([partition, offset]).toEqual([partition, handled.get(partition) ?? 0]);
    ledger.expectContractHeld(all);
  });
});
