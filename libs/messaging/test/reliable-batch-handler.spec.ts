/**
 * reliableBatchHandler, driven through EventBus.subscribe over an in-memory BusTransport (no infrastructure):
 * invalid records are dead-lettered at once, contract violations are not retried, transient failures are
 * retried with backoff and then the poison record is isolated and parked while its neighbours go through,
 * in order. The transport here only plays "hand a batch to the handler"; its guarantees are the contract
 * suite's business (bus-transport.contract.spec.ts).
 */
import { createEnvelope, defineEvent, encodeEnvelope, parseEvent, type Envelope } from '@switchboard/contracts';
import pino from 'pino';
import { z } from 'zod';
import {
  DEFAULT_BACKOFF,
  EventBus,
  ShutdownInProgressError,
  backoffDelay,
  isOutage,
  toOutgoingRecord,
  type BackoffPolicy,
  type BatchContext,
  type BusTransport,
  type ConsumeOptions,
  type ConsumedRecord,
  type DecodedRecord,
  type EnvelopeBatchHandler,
  type OutgoingRecord,
} from '../src';

const TOPIC = 'orders.v1';
const GROUP = 'billing';
const OrderPlacedV1 = defineEvent({
  type: 'test.order-placed',
  version: 1,
  description: 'test event',
  schema: z.object({ orderNo: z.number().int().positive() }),
});

/** Publishes into an array; "consumes" by letting the test hand batches to the subscribed handler. */
class InMemoryTransport implements BusTransport {
  readonly kind = 'log' as const;
  readonly published: OutgoingRecord[] = [];
  publishError?: Error;
  private subscription?: ConsumeOptions;

  async connect(): Promise<void> {}
  async consumersJoined(): Promise<void> {}
  async ping(): Promise<void> {}
  async close(): Promise<void> {}

  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    if (this.publishError) throw this.publishError;
    this.published.push(...records);
  }

  async consume(options: ConsumeOptions) {
    this.subscription = options;
    return { stop: async () => undefined };
  }

  /** What a transport does with a fetched batch: resolves = may commit, rejects = re-deliver later. */
  deliver(records: ConsumedRecord[], context: Partial<BatchContext> = {}): Promise<void> {
    if (!this.subscription) throw new Error('nobody subscribed');
    return this.subscription.handleBatch(records, { heartbeat: async () => undefined, isActive: () => true, ...context });
  }

  deadLetters(): OutgoingRecord[] {
    return this.published.filter((r) => r.topic === `${TOPIC}.dlq`);
  }
}

let nextOffset = 100;

function orderRecord(orderNo: number, data: unknown = { orderNo }): ConsumedRecord {
  const envelope = createEnvelope(OrderPlacedV1, { orderNo: 1 }, { producer: 'shop', key: `customer-${orderNo % 3}` });
  const outgoing = toOutgoingRecord({ topic: TOPIC, envelope: { ...envelope, data } });
  return rawRecord(outgoing.value, outgoing.key, outgoing.headers);
}

function rawRecord(value: string, key = 'customer-x', headers: Record<string, string> = {}): ConsumedRecord {
  return { topic: TOPIC, partition: 2, offset: String(nextOffset++), key, value: Buffer.from(value), headers };
}

const orderNo = (d: DecodedRecord) => (d.envelope.data as { orderNo: number }).orderNo;

async function subscribe(handler: EnvelopeBatchHandler, backoff: BackoffPolicy) {
  const transport = new InMemoryTransport();
  const bus = new EventBus(transport, pino({ level: 'silent' }));
  await bus.subscribe({ group: GROUP, topics: [TOPIC], handler, backoff });
  return transport;
}

/** A handler that records every call (the order numbers it was given) and then runs `behaviour`. */
function recordingHandler(behaviour: (records: DecodedRecord[]) => void) {
  const calls: { orderNos: number[]; at: number }[] = [];
  const handled: number[] = [];
  const handler: EnvelopeBatchHandler = async (records) => {
    calls.push({ orderNos: records.map(orderNo), at: performance.now() });
    behaviour(records);
    handled.push(...records.map(orderNo));
  };
  return { handler, calls, handled };
}

/** Backoff so long that any wait would time the test out: for paths that must not wait at all. */
const NEVER_WAIT: BackoffPolicy = { attempts: 5, baseDelayMs: 600_000, maxDelayMs: 600_000 };

describe('reliableBatchHandler (through EventBus.subscribe)', () => {
  it('parks records that are not event envelopes on <topic>.dlq with dlq-* headers, without retrying, and handles the rest', async () => {
    const { handler, calls, handled } = recordingHandler(() => undefined);
    const bus = await subscribe(handler, NEVER_WAIT);
    const notJson = rawRecord('{"half": ', 'customer-1', { 'event-id': 'abc', 'trace-id': 't-1' });
    const notEnvelope = rawRecord(JSON.stringify({ hello: 'world' }), 'customer-2');
    const batch = [orderRecord(1), notJson, orderRecord(2), notEnvelope, orderRecord(3)];

    const before = Date.now();
    await bus.deliver(batch);

    expect(calls.map((c) => c.orderNos)).toEqual([[1, 2, 3]]);
    expect(handled).toEqual([1, 2, 3]);
    const parked = bus.deadLetters();
    expect(parked.map((r) => [r.key, r.value])).toEqual([
      ['customer-1', '{"half": '],
      ['customer-2', JSON.stringify({ hello: 'world' })],
    ]);
    expect(parked[0]!.headers).toEqual({
      'event-id': 'abc',
      'trace-id': 't-1',
      'dlq-original-topic': TOPIC,
      'dlq-original-partition': '2',
      'dlq-original-offset': notJson.offset,
      'dlq-group': GROUP,
      'dlq-error': expect.stringMatching(/^Record is not JSON: /),
      'dlq-error-type': 'ContractViolationError',
      'dlq-attempts': '0',
      'dlq-time': expect.any(String),
    });
    expect(Date.parse(parked[0]!.headers!['dlq-time']!)).toBeGreaterThanOrEqual(before - 1000);
    // The reason names what is wrong, so an operator can read it off the dead-letter record.
    expect(parked[1]!.headers!['dlq-error']).toMatch(/^Record is not an event envelope: [\s\S]*\bid\b/);
    expect(parked[1]!.headers!['dlq-original-offset']).toBe(notEnvelope.offset);
    expect(bus.published).toHaveLength(2);
  });

  it('does not retry a record whose payload breaks its contract (ContractViolationError), parks it and handles its neighbours in order', async () => {
    const { handler, calls, handled } = recordingHandler((records) => records.forEach((r) => parseEvent(OrderPlacedV1, r.envelope)));
    const bus = await subscribe(handler, NEVER_WAIT);
    const broken = orderRecord(2, { orderNo: 'two' });

    await bus.deliver([orderRecord(1), broken, orderRecord(3)]);

    // Once as a batch (fails without waiting), then each record alone: no retries of the broken one.
    expect(calls.map((c) => c.orderNos)).toEqual([[1, 'two', 3], [1], ['two'], [3]]);
    expect(handled).toEqual([1, 3]);
    const [parked, ...more] = bus.deadLetters();
    expect(more).toEqual([]);
    expect(parked!.value).toBe(broken.value.toString());
    expect(parked!.headers).toMatchObject({
      'dlq-error-type': 'ContractViolationError',
      'dlq-attempts': '2',
      'dlq-original-offset': broken.offset,
      'dlq-error': expect.stringContaining('Invalid test.order-placed.v1 payload'),
    });
    expect(parked!.headers!['dlq-error']).toMatch(/orderNo/);
  });

  it('retries a failing batch with growing backoff up to the bound, then isolates and parks the poison record while the rest go through in order', async () => {
    const backoff: BackoffPolicy = { attempts: 3, baseDelayMs: 40, maxDelayMs: 1_000 };
    const poison = new Set([2, 4]);
    const { handler, calls, handled } = recordingHandler((records) => {
      if (records.some((r) => poison.has(orderNo(r)))) throw new Error('deadlock detected');
    });
    const bus = await subscribe(handler, backoff);
    let heartbeats = 0;

    const batch = [1, 2, 3, 4, 5].map((n) => orderRecord(n));
    await bus.deliver(batch, { heartbeat: async () => void heartbeats++ });

    const asBatch = calls.filter((c) => c.orderNos.length === 5);
    const alone = calls.filter((c) => c.orderNos.length === 1).map((c) => c.orderNos[0]);
    expect(asBatch).toHaveLength(3);
    // Each record alone, in order; the poison ones the full number of attempts each.
    expect(alone).toEqual([1, 2, 2, 2, 3, 4, 4, 4, 5]);
    expect(calls).toHaveLength(3 + 9);
    expect(handled).toEqual([1, 3, 5]);

    // Backoff between attempts: at least half of base * 2^(n-1) (full jitter keeps it in [ceiling/2, ceiling]).
    const gaps = asBatch.slice(1).map((c, i) => c.at - asBatch[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(20 - 2);
    expect(gaps[1]).toBeGreaterThanOrEqual(40 - 2);
    // The member keeps heartbeating while it waits: one per wait (2 for the batch, 2 per poison record).
    expect(heartbeats).toBe(6);

    const parked = bus.deadLetters();
    expect(parked.map((r) => r.headers!['dlq-original-offset'])).toEqual([batch[1]!.offset, batch[3]!.offset]);
    expect(parked.map((r) => (JSON.parse(r.value) as Envelope<{ orderNo: number }>).data.orderNo)).toEqual([2, 4]);
    for (const record of parked) {
      expect(record.headers).toMatchObject({ 'dlq-error': 'deadlock detected', 'dlq-error-type': 'Error', 'dlq-attempts': '6', 'dlq-group': GROUP });
    }
  });

  it('parks a single failing record after exactly `attempts` tries', async () => {
    const { handler, calls } = recordingHandler(() => {
      throw new Error('still failing');
    });
    const bus = await subscribe(handler, { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 });
    await bus.deliver([orderRecord(7)]);
    expect(calls).toHaveLength(4);
    expect(bus.deadLetters().map((r) => r.headers!['dlq-attempts'])).toEqual(['4']);
  });

  it('parks nothing when a retry succeeds', async () => {
    let failures = 0;
    const { handler, calls, handled } = recordingHandler(() => {
      if (failures++ < 2) throw new Error('connection reset');
    });
    const bus = await subscribe(handler, { attempts: 5, baseDelayMs: 1, maxDelayMs: 2 });
    await bus.deliver([orderRecord(1), orderRecord(2)]);
    expect(calls).toHaveLength(3);
    expect(handled).toEqual([1, 2]);
    expect(bus.published).toEqual([]);
  });

  it('holds the batch through a database or bus outage, however many tries it takes, and parks nothing (chaos suite: a PostgreSQL cut)', async () => {
    const outage = [
      Object.assign(new Error('Connection terminated unexpectedly'), {}),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('query failed'), { driverError: { code: '57P01' } }),
      Object.assign(new Error('Kafka did not acknowledge'), { name: 'BusUnavailableError' }),
    ];
    let failures = 0;
    const { handler, calls, handled } = recordingHandler(() => {
      if (failures < 12) throw outage[failures++ % outage.length];
    });
    const bus = await subscribe(handler, { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 });
    await bus.deliver([orderRecord(1), orderRecord(2)]);
    expect(calls).toHaveLength(13);
    expect(handled).toEqual([1, 2]);
    expect(bus.published).toEqual([]);
    expect(isOutage(new Error('duplicate key value violates unique constraint'))).toBe(false);
  });

  it('gives the batch back (rejects, nothing parked) when parking on the dead-letter topic fails', async () => {
    const { handler } = recordingHandler(() => {
      throw new Error('always');
    });
    const bus = await subscribe(handler, { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 });
    bus.publishError = new Error('bus down');
    await expect(bus.deliver([orderRecord(1), orderRecord(2)])).rejects.toThrow('bus down');
    await expect(bus.deliver([rawRecord('not json')])).rejects.toThrow('bus down');
    expect(bus.published).toEqual([]);
  });

  it('stops retrying and gives the batch back when the consumer is shutting down', async () => {
    let active = true;
    const { handler, calls } = recordingHandler(() => {
      active = false; // shutdown starts while the first attempt fails
      throw new Error('transient');
    });
    const bus = await subscribe(handler, { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 });
    await expect(bus.deliver([orderRecord(1), orderRecord(2)], { isActive: () => active })).rejects.toBeInstanceOf(ShutdownInProgressError);
    expect(calls).toHaveLength(1);
    expect(bus.published).toEqual([]);
  });

  it('hands the handler the decoded envelopes', async () => {
    const received: Envelope[] = [];
    const bus = await subscribe(async (records) => void received.push(...records.map((r) => r.envelope)), DEFAULT_BACKOFF);
    const record = orderRecord(5);
    await bus.deliver([record]);
    expect(received).toEqual([JSON.parse(record.value.toString())]);
    expect(received[0]!.data).toEqual({ orderNo: 5 });
  });
});

describe('backoffDelay', () => {
  afterEach(() => jest.restoreAllMocks());

  it('grows exponentially from the base, is capped at maxDelayMs and jitters within [ceiling/2, ceiling]', () => {
    const policy: BackoffPolicy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1_000 };
    jest.spyOn(Math, 'random').mockReturnValue(0);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n))).toEqual([50, 100, 200, 400, 500, 500]);
    jest.spyOn(Math, 'random').mockReturnValue(0.999999);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });
});

describe('EventBus.publish', () => {
  it('sends envelopes keyed by their key, with routing and tracing headers', async () => {
    const transport = new InMemoryTransport();
    const bus = new EventBus(transport, pino({ level: 'silent' }));
    const cause = createEnvelope(OrderPlacedV1, { orderNo: 1 }, { producer: 'shop', key: 'customer-1' });
    const effect = createEnvelope(OrderPlacedV1, { orderNo: 2 }, { producer: 'billing', key: 'customer-1', cause });
    await bus.publish([{ topic: TOPIC, envelope: effect }]);
    await bus.publish([]);
    expect(transport.published).toEqual([
      {
        topic: TOPIC,
        key: 'customer-1',
        value: encodeEnvelope(effect),
        headers: { 'event-id': effect.id, 'event-type': 'test.order-placed.v1', 'correlation-id': cause.id, 'causation-id': cause.id },
      },
    ]);
  });
});
