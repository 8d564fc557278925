/*
 * Background consumers' fetch spacing (KafkaTransportOptions.backgroundFetchIntervalMs, decision 0055), on
 * librdkafka's mock cluster: a caught-up background consumer waits out the interval before it fetches again,
 * a consumer with records behind its batch fetches at once, a foreground consumer is never held, and stop()
 * does not wait for a pause to end.
 */
import { KafkaTransport, type BusTransport, type ConsumerHandle } from '../src';
import { integrationSuite, startKafkaMockCluster, waitFor } from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import pino from 'pino';

const INTERVAL_MS = 3_000;
const WAIT = { timeoutMs: 30_000, intervalMs: 10 };
const logger = pino({ level: 'silent' });

integrationSuite(['kafka'], 'the Kafka background fetch interval')('Kafka background consumers: fetch interval', () => {
  let cluster: Awaited<ReturnType<typeof startKafkaMockCluster>>;
  let transport: BusTransport;
  const handles: ConsumerHandle[] = [];

  beforeAll(async () => {
    cluster = await startKafkaMockCluster({ brokers: 1 });
    transport = new KafkaTransport({
      clientId: 'fetch-interval',
      brokers: cluster.brokers,
      logger,
      maxWaitTimeMs: 20,
      commitIntervalMs: 50,
      sessionTimeoutMs: 6_000,
      backgroundFetchIntervalMs: INTERVAL_MS,
    });
    await transport.connect();
  });

  afterAll(async () => {
    await Promise.all(handles.map((h) => h.stop()));
    await transport.close();
    await cluster.stop();
  });

  const topic = () => `fetch-interval-${randomBytes(4).toString('hex')}`;
  /**
   * One publish per record, one after the other (concurrent publishes share a produce request): each record is
   * its own record batch, and the mock's fetch returns one record batch per partition.
   */
  async function publish(t: string, values: string[]): Promise<void> {
    for (const value of values) await transport.publish([{ topic: t, key: 'one-key', value }]);
  }

  /** A consumer noting when each record's batch reached its handler. */
  async function consume(t: string, background: boolean) {
    const handledAt = new Map<string, number>();
    const handle = await transport.consume({
      group: `g-${randomBytes(4).toString('hex')}`,
      topics: [t],
      background,
      handleBatch: async (records) => {
        for (const r of records) handledAt.set(r.value.toString('utf8'), performance.now());
      },
    });
    handles.push(handle);
    return { handledAt, handle };
  }

  it('a caught-up background consumer fetches again only after the interval; a foreground one at once', async () => {
    const t = topic();
    await publish(t, ['first']);
    const background = await consume(t, true);
    const foreground = await consume(t, false);
    await waitFor(() => background.handledAt.has('first') && foreground.handledAt.has('first'), WAIT);
    await publish(t, ['second']);
    await waitFor(() => background.handledAt.has('second') && foreground.handledAt.has('second'), WAIT);

    const gap = (c: typeof background) => c.handledAt.get('second')! - c.handledAt.get('first')!;
    expect(gap(background)).toBeGreaterThanOrEqual(INTERVAL_MS - 50);
    expect(foreground.handledAt.get('second')! - background.handledAt.get('first')!).toBeLessThan(INTERVAL_MS);
  });

  it('with records behind its batch (a backlog) a background consumer does not pause', async () => {
    const t = topic();
    const values = Array.from({ length: 6 }, (_, i) => `r${i}`);
    await publish(t, values);
    const background = await consume(t, true);
    await waitFor(() => values.every((v) => background.handledAt.has(v)), WAIT);

    // Six record batches, one per fetch: paused after each, the last would come 5 intervals after the first.
    const times = values.map((v) => background.handledAt.get(v)!);
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(2 * INTERVAL_MS);
  });

  it('stop() ends a pause instead of waiting it out', async () => {
    const t = topic();
    await publish(t, ['only']);
    const background = await consume(t, true);
    await waitFor(() => background.handledAt.has('only'), WAIT);

    const started = performance.now();
    await background.handle.stop();
    expect(performance.now() - started).toBeLessThan(INTERVAL_MS / 2);
  });
});
