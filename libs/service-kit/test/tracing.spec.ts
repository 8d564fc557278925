import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createEnvelope, defineEvent, type Envelope } from '@switchboard/contracts';
import {
  EventBus,
  GroupCommitQueue,
  toOutgoingRecord,
  type BatchContext,
  type BusTransport,
  type ConsumedRecord,
  type ConsumeOptions,
  type ConsumerHandle,
  type OutgoingRecord,
} from '@switchboard/messaging';
import express from 'express';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { z } from 'zod';
import { createServer } from 'node:http';
import {
  ConfigError,
  TracedTransport,
  createMetricsRegistry,
  loadConfig,
  observeBus,
  serviceTracer,
  startTracing,
  startTracingFromConfig,
  traceCausedWork,
  tracingConfigSchema,
  webhookTracing,
  type Tracing,
} from '../src';

const Ping = defineEvent({ type: 'test.ping', version: 1, schema: z.object({ n: z.number() }), description: 'a test event' });
const logger = pino({ level: 'silent' });

/** A bus that keeps what is published and hands it to the consumer when the test says so. */
class LoopbackTransport implements BusTransport {
  readonly kind = 'log' as const;
  readonly published: OutgoingRecord[] = [];
  private handler: ConsumeOptions['handleBatch'] | undefined;

  async connect(): Promise<void> {}
  async consumersJoined(): Promise<void> {}
  async ping(): Promise<void> {}
  async close(): Promise<void> {}

  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    this.published.push(...records);
  }

  async consume(options: ConsumeOptions): Promise<ConsumerHandle> {
    this.handler = options.handleBatch;
    return { stop: async () => undefined };
  }

  /** Hands these published records (by index) to the consumer as one batch. */
  deliver(indexes: number[]): Promise<void> {
    const records: ConsumedRecord[] = indexes.map((i) => {
      const r = this.published[i]!;
      return { topic: r.topic, partition: 0, offset: String(i), key: r.key, value: Buffer.from(r.value), headers: { ...r.headers } };
    });
    const context: BatchContext = { heartbeat: async () => undefined, isActive: () => true };
    return this.handler!(records, context);
  }
}

const ping = (n: number, cause?: Envelope) => ({ topic: 'test.inbound', envelope: createEnvelope(Ping, { n }, { producer: 'test', key: `k${n}`, ...(cause ? { cause } : {}) }) });

describe('tracing off', () => {
  it('adds no trace headers, installs no webhook middleware and no traced bus view', () => {
    expect(Object.keys(toOutgoingRecord(ping(1)).headers ?? {})).not.toContain('traceparent');
    expect(webhookTracing('channel-x')).toBeUndefined();
    const bus = observeBus({ bus: new EventBus(new LoopbackTransport(), logger), registry: createMetricsRegistry('channel-x'), owned: false });
    expect(bus.transport).not.toBeInstanceOf(TracedTransport);
  });
});

describe('tracing on', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(() => {
    tracing = startTracing({ exporter, batch: false });
  });
  afterAll(() => tracing.shutdown());
  beforeEach(() => exporter.reset());

  const spans = () => exporter.getFinishedSpans();
  const named = (name: string, n?: number) =>
    spans().filter((s) => s.name === name && (n === undefined || s.attributes['switchboard.log.key'] === `k${n}`));
  const parentOf = (span: ReadableSpan) => span.parentSpanId;
  const service = (span: ReadableSpan) => span.resource.attributes['service.name'];

  it('follows each of two webhooks through one consumed batch to the events they caused, in two traces', async () => {
    const loop = new LoopbackTransport();
    const connector = observeBus({ bus: new EventBus(loop, logger), registry: createMetricsRegistry('channel-x'), owned: false });
    const chat = observeBus({ bus: new EventBus(loop, logger), registry: createMetricsRegistry('chat-x'), owned: false });
    expect(chat.transport).toBeInstanceOf(TracedTransport);

    const app = express();
    app.use(webhookTracing('channel-x')!);
    app.use(express.json());
    app.post('/webhooks/x/:connectionId', async (req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      await connector.publish([ping((req.body as { n: number }).n)]);
      res.json({ ok: true });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/x/c1`;
    try {
      for (const n of [1, 2]) {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n }) });
        expect(response.status).toBe(200);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }

    // Both records in one batch; the handler merges work like the chat service's group commit.
    const queue = new GroupCommitQueue<Envelope>((envelopes) =>
      traceCausedWork('chat-x', 'chat-x.ingest', envelopes.map((e) => e.id), () => chat.publish(envelopes.map((e) => ({ ...ping(100 + (e.data as { n: number }).n, e), topic: 'test.caused' })))),
    );
    await chat.subscribe({ group: 'chat-x.inbound', topics: ['test.inbound'], handler: (records) => queue.enqueue(records.map((r) => r.envelope)) });
    await loop.deliver([0, 1]);

    for (const n of [1, 2]) {
      const webhook = spans().filter((s) => s.kind === SpanKind.SERVER)[n - 1]!;
      const [publish] = named('publish test.inbound', n);
      const [consume] = named('process test.inbound', n);
      const [caused] = named('publish test.caused', 100 + n);
      expect([webhook.name, service(webhook), parentOf(webhook), webhook.attributes['http.response.status_code']]).toEqual(['POST /webhooks/x', 'channel-x', undefined, 200]);
      expect([service(publish!), parentOf(publish!)]).toEqual(['channel-x', webhook.spanContext().spanId]);
      expect([service(consume!), parentOf(consume!), consume!.attributes['messaging.consumer.group.name']]).toEqual(['chat-x', publish!.spanContext().spanId, 'chat-x.inbound']);
      expect(caused!.spanContext().traceId).toBe(webhook.spanContext().traceId);
      // The published record carries the producer span's context, for the next consumer.
      const record = loop.published.find((r) => r.topic === 'test.caused' && r.key === `k${100 + n}`)!;
      expect(record.headers?.['traceparent']).toContain(caused!.spanContext().spanId);
    }
    // One merged transaction: its span is in the first message's trace and links the second's consume span.
    const [ingest] = named('chat-x.ingest');
    const [consume1] = named('process test.inbound', 1);
    const [consume2] = named('process test.inbound', 2);
    expect(parentOf(ingest!)).toBe(consume1!.spanContext().spanId);
    expect(ingest!.links.map((l) => l.context.spanId)).toEqual([consume2!.spanContext().spanId]);
    expect(parentOf(named('publish test.caused', 101)[0]!)).toBe(ingest!.spanContext().spanId);
    expect(parentOf(named('publish test.caused', 102)[0]!)).toBe(consume2!.spanContext().spanId);
  });

  it('keeps each trace when batches are merged outside their own async context', async () => {
    const loop = new LoopbackTransport();
    const chat = observeBus({ bus: new EventBus(loop, logger), registry: createMetricsRegistry('chat-y'), owned: false });
    await chat.publish([ping(1)]);
    await chat.publish([ping(2)]);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The second batch is stored by the flush the first one started, in the first one's async context.
    const queue = new GroupCommitQueue<Envelope>(async (envelopes) => {
      await gate;
      await chat.publish(envelopes.map((e) => ({ ...ping(100 + (e.data as { n: number }).n, e), topic: 'test.caused' })));
    });
    await chat.subscribe({ group: 'chat-y.inbound', topics: ['test.inbound'], handler: (records) => queue.enqueue(records.map((r) => r.envelope)) });
    const first = loop.deliver([0]);
    const second = loop.deliver([1]);
    release();
    await Promise.all([first, second]);
    for (const n of [1, 2]) {
      const [consume] = named('process test.inbound', n);
      const [caused] = named('publish test.caused', 100 + n);
      expect(parentOf(caused!)).toBe(consume!.spanContext().spanId);
    }
  });
});

describe('tracing from the environment', () => {
  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT (or with it blank) and refuses a malformed one', async () => {
    expect(await startTracingFromConfig(loadConfig('svc', tracingConfigSchema, {}))).toBeUndefined();
    expect(await startTracingFromConfig(loadConfig('svc', tracingConfigSchema, { OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }))).toBeUndefined();
    expect(() => loadConfig('svc', tracingConfigSchema, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(ConfigError);
  });

  it('exports spans as OTLP/HTTP JSON to <endpoint>/v1/traces, with the service as the resource', async () => {
    const received: { path: string; body: string }[] = [];
    const collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/`;
      const tracing = (await startTracingFromConfig(loadConfig('svc', tracingConfigSchema, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint })))!;
      serviceTracer('channel-z')!.startSpan('POST /webhooks/z').end();
      await tracing.shutdown();
      expect(received.map((r) => r.path)).toEqual(['/v1/traces']);
      const body = JSON.parse(received[0]!.body) as {
        resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { name: string }[] }[] }[];
      };
      expect(body.resourceSpans[0]!.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'channel-z' } });
      expect(body.resourceSpans[0]!.scopeSpans[0]!.spans.map((span) => span.name)).toEqual(['POST /webhooks/z']);
      expect(serviceTracer('channel-z')).toBeUndefined();
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});
