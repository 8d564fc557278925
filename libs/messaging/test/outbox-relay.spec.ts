/**
 * Transactional outbox on a real PostgreSQL: enqueueOutbox writes in the caller's transaction, OutboxRelay
 * moves committed rows to the bus in id order and deletes them only after the bus acknowledged, and only
 * one relay per schema is active (session advisory lock). The bus is a recording fake: what matters here is
 * what the relay hands it and when.
 */
import { createEnvelope, defineEvent } from '@switchboard/contracts';
import { createServiceDataSource, inTransaction, openSqlSession } from '@switchboard/persistence';
import { createTestDatabase, integrationSuite, waitFor, type TestDatabase } from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  BusUnavailableError,
  OutboxRelay,
  enqueueOutbox,
  outboxTableDdl,
  type BusTransport,
  type EventToPublish,
  type OutgoingRecord,
} from '../src';

const TOPIC = 'shop.events.v1';
const ItemSoldV1 = defineEvent({ type: 'test.item-sold', version: 1, description: 'test event', schema: z.object({ seq: z.number() }) });
const logger = pino({ level: 'silent' });
const WAIT = { timeoutMs: 15_000, intervalMs: 20 };

class RecordingBus implements BusTransport {
  readonly kind = 'log' as const;
  readonly calls: OutgoingRecord[][] = [];
  failuresLeft = 0;
  failed = 0;

  async connect(): Promise<void> {}
  async consumersJoined(): Promise<void> {}
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
  async consume(): Promise<never> {
    throw new Error('not used');
  }

  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      this.failed++;
      throw new BusUnavailableError('Kafka did not acknowledge within 10000 ms');
    }
    this.calls.push([...records]);
  }

  get published(): OutgoingRecord[] {
    return this.calls.flat();
  }

  /** `key#seq` of everything published, in publish order. */
  get sequence(): string[] {
    return this.published.map(label);
  }
}

function label(record: OutgoingRecord): string {
  return `${record.key}#${(JSON.parse(record.value) as { data: { seq: number } }).data.seq}`;
}

function event(key: string, seq: number): EventToPublish {
  return { topic: TOPIC, envelope: createEnvelope(ItemSoldV1, { seq }, { producer: 'shop', key }) };
}

/** `count` events per key, interleaved across keys, as `transactions` committed transactions. */
function eventsInTransactions(keys: string[], count: number, transactions: number, firstSeq = 0): EventToPublish[][] {
  const all: EventToPublish[] = [];
  for (let seq = firstSeq; seq < firstSeq + count; seq++) for (const key of keys) all.push(event(key, seq));
  const size = Math.ceil(all.length / transactions);
  return Array.from({ length: transactions }, (_, i) => all.slice(i * size, (i + 1) * size)).filter((t) => t.length > 0);
}

const labels = (batches: EventToPublish[][]) => batches.flat().map((e) => `${e.envelope.key}#${(e.envelope.data as { seq: number }).seq}`);

integrationSuite(['postgres'], 'the outbox relay tests (PostgreSQL)')('transactional outbox (PostgreSQL)', () => {
  let database: TestDatabase;
  const dataSources: DataSource[] = [];
  const relays: OutboxRelay[] = [];
  let schema: string;
  let app: DataSource;

  /** One service instance's connection pool (two "instances" = two data sources). */
  async function instance(): Promise<DataSource> {
    const dataSource = createServiceDataSource({ url: database.url, schema, migrations: [], poolSize: 4 });
    await dataSource.initialize();
    dataSources.push(dataSource);
    return dataSource;
  }

  function relay(dataSource: DataSource, transport: BusTransport, options: { batchSize?: number } = {}): OutboxRelay {
    const r = new OutboxRelay({
      schema,
      transport,
      logger,
      openSession: () => openSqlSession(dataSource),
      pollIntervalMs: 50,
      standbyRetryMs: 100,
      ...options,
    });
    relays.push(r);
    return r;
  }

  async function commit(dataSource: DataSource, events: EventToPublish[]): Promise<void> {
    await inTransaction(dataSource, (manager) => enqueueOutbox(manager, schema, events));
  }

  async function outboxRows(): Promise<number> {
    const rows = (await app.query(`SELECT count(*)::int AS n FROM "${schema}".outbox`)) as { n: number }[];
    return rows[0]!.n;
  }

  /** Sessions holding this schema's relay lock right now. */
  async function lockHolders(): Promise<number> {
    const rows = (await app.query(
      `SELECT count(*)::int AS n FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND l.objsubid = 1 AND l.objid::bigint = (hashtext($1)::bigint & 4294967295) AND l.classid::bigint = ((hashtext($1)::bigint >> 32) & 4294967295)`,
      [`outbox:${schema}`],
    )) as { n: number }[];
    return rows[0]!.n;
  }

  beforeAll(async () => {
    database = await createTestDatabase('outbox_relay');
  });

  beforeEach(async () => {
    schema = `shop_${randomBytes(4).toString('hex')}`;
    app = await instance();
    await app.query(`CREATE SCHEMA "${schema}"`);
    for (const sql of outboxTableDdl(schema).up) await app.query(sql);
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await Promise.all(dataSources.splice(0).map((d) => d.destroy()));
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('publishes nothing for events enqueued in a transaction that rolled back', async () => {
    const bus = new RecordingBus();
    const r = relay(app, bus);
    r.start();
    await expect(
      inTransaction(app, async (manager) => {
        await enqueueOutbox(manager, schema, [event('order-1', 1), event('order-1', 2)]);
        throw new Error('payment declined');
      }),
    ).rejects.toThrow('payment declined');
    await commit(app, [event('order-2', 1)]);
    r.notify();

    await waitFor(() => bus.published.length > 0, { ...WAIT, description: 'the committed event' });
    await waitFor(async () => (await outboxRows()) === 0, { ...WAIT, description: 'the outbox to drain' });
    // The committed event came after the rolled-back ones: had they been visible, they would have gone first.
    expect(bus.sequence).toEqual(['order-2#1']);
  });

  it('publishes committed rows in order (per key and overall), in batches, and deletes them', async () => {
    const transactions = eventsInTransactions(['chat-a', 'chat-b', 'chat-c'], 10, 6);
    for (const events of transactions) await commit(app, events);
    const bus = new RecordingBus();
    const r = relay(app, bus, { batchSize: 7 });
    expect(await r.backlog()).toBe(30);

    r.start();
    await waitFor(() => bus.published.length >= 30, { ...WAIT, description: 'all 30 events' });
    await waitFor(async () => (await outboxRows()) === 0, { ...WAIT, description: 'the outbox to drain' });

    expect(bus.sequence).toEqual(labels(transactions));
    expect(bus.calls.map((c) => c.length)).toEqual([7, 7, 7, 7, 2]);
    expect(bus.published[0]).toEqual({
      topic: TOPIC,
      key: 'chat-a',
      value: expect.any(String),
      headers: { 'event-id': expect.any(String), 'event-type': 'test.item-sold.v1', 'correlation-id': expect.any(String) },
    });
    expect(await r.backlog()).toBe(0);
  });

  it('keeps the rows when publishing fails, publishes them later in order, and still hands over leadership on stop', async () => {
    const bus = new RecordingBus();
    bus.failuresLeft = 3;
    const first = eventsInTransactions(['chat-a', 'chat-b'], 5, 2);
    for (const events of first) await commit(app, events);
    const r = relay(app, bus);
    r.start();

    await waitFor(() => bus.failed >= 2, { ...WAIT, description: 'two failed publishes' });
    expect(await outboxRows()).toBe(10);
    // The service keeps writing while the bus is down.
    const more = eventsInTransactions(['chat-a', 'chat-b'], 3, 3, 5);
    for (const events of more) {
      await commit(app, events);
      r.notify();
    }
    await waitFor(() => bus.published.length >= 16, { ...WAIT, description: 'everything once the bus is back' });
    await waitFor(async () => (await outboxRows()) === 0, { ...WAIT, description: 'the outbox to drain' });
    expect(bus.failed).toBe(3);
    expect(bus.sequence).toEqual(labels([...first, ...more]));

    // After the failures the relay must not have left the lock behind on a pooled connection:
    // once it stops, another instance becomes the relay.
    await r.stop();
    expect(await lockHolders()).toBe(0);
    const other = new RecordingBus();
    relay(await instance(), other).start();
    await commit(app, [event('chat-a', 99)]);
    await waitFor(() => other.published.length === 1, { ...WAIT, description: 'the other instance to publish' });
    expect(other.sequence).toEqual(['chat-a#99']);
  });

  it('runs one active relay per schema: the standby publishes nothing until the leader stops, and nothing goes out twice', async () => {
    const [busA, busB] = [new RecordingBus(), new RecordingBus()];
    const [a, b] = [relay(await instance(), busA), relay(await instance(), busB)];
    a.start();
    await waitFor(async () => (await lockHolders()) === 1, { ...WAIT, description: 'a to take the lock' });
    b.start();

    const first = eventsInTransactions(['chat-a', 'chat-b', 'chat-c'], 20, 12);
    for (const events of first) {
      await commit(app, events);
      a.notify();
      b.notify();
    }
    await waitFor(() => busA.published.length + busB.published.length >= 60, { ...WAIT, description: 'the first 60 events' });
    await waitFor(async () => (await outboxRows()) === 0, { ...WAIT, description: 'the outbox to drain' });
    expect(busB.published).toEqual([]);
    expect(busA.sequence).toEqual(labels(first));
    expect(await lockHolders()).toBe(1);

    await a.stop();
    const second = eventsInTransactions(['chat-a', 'chat-b'], 5, 2, 20);
    for (const events of second) await commit(app, events);
    await waitFor(() => busB.published.length >= 10, { ...WAIT, description: 'b to take over' });
    await waitFor(async () => (await outboxRows()) === 0, { ...WAIT, description: 'the outbox to drain' });
    expect(busB.sequence).toEqual(labels(second));
    expect(busA.published).toHaveLength(60);
    expect(await lockHolders()).toBe(1);
  });
});
