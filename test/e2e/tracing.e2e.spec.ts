/**
 * One message traced across services (issue 8, decision 0037), on the standalone runtime: a customer's
 * Telegram message arrives by webhook, goes over the bus to the chat service, is stored, and reaches an
 * operator's live subscription; every step is a span of ONE trace, each the child of the step before.
 *
 * The example in docs/observability (a waterfall table and the raw OTLP JSON the exporter sends) comes from
 * this test: `node scripts/trace-example.js` runs it with TRACE_EXAMPLE_WRITE=1, which rewrites them. A plain
 * run only checks that the committed example still has the shape this run produces.
 */
import { SpanKind } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { TOPICS } from '@switchboard/contracts';
import { startTracing, type Tracing } from '@switchboard/service-kit';
import { waitFor } from '@switchboard/testing';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { LiveSubscriber } from './support/live-client';
import { BOT, startTestStack, type TestStack } from './support/test-stack';

const DOCS = join(__dirname, '..', '..', 'docs', 'observability');
const EXAMPLE_MD = join(DOCS, 'trace-example.md');
const EXAMPLE_JSON = join(DOCS, 'trace-example.otlp.json');
const WRITE_EXAMPLE = process.env.TRACE_EXAMPLE_WRITE === '1';
const TEXT = 'Добрий день! Чи можна змінити адресу доставки?';

const serviceOf = (span: ReadableSpan) => String(span.resource.attributes['service.name']);
const parentIdOf = (span: ReadableSpan) => span.parentSpanId;

/** The spans of the trace that starts at a Telegram webhook and ends at the live delivery of the message. */
function messageTrace(spans: readonly ReadableSpan[]): ReadableSpan[] | undefined {
  const delivery = spans.find((s) => s.name === 'deliver chat.message-added');
  if (!delivery) return undefined;
  const trace = spans.filter((s) => s.spanContext().traceId === delivery.spanContext().traceId);
  const required = ['POST /webhooks/telegram', `publish ${TOPICS.inbound}`, `process ${TOPICS.inbound}`, 'chat.ingest', `publish ${TOPICS.chatEvents}`];
  return required.every((name) => trace.some((s) => s.name === name)) ? trace : undefined;
}

describe('tracing one message from the Telegram webhook to the live subscription (standalone runtime)', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let stack: TestStack;
  let admin: LiveSubscriber;

  beforeAll(async () => {
    // Before the stack: every service's bus view and HTTP app decide at start whether they trace.
    tracing = startTracing({ exporter, batch: false });
    stack = await startTestStack({ runtime: 'standalone', telegramMode: 'webhook' });
    await stack.client.request(`mutation($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { id } } }`, {
      input: { token: BOT.token },
    });
    admin = new LiveSubscriber(stack.client.url, stack.client.token!);
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await stack?.stop();
    await tracing?.shutdown();
  });

  it('links webhook, bus publish, chat consume and ingest, chat event publish and live delivery in one trace', async () => {
    await stack.telegram.customer(BOT.token, { id: 770001, firstName: 'Оксана', username: 'oksana' }).sendText(TEXT);
    await waitFor(() => admin.chatEvents('chat.message-added').some((e) => e.data?.includes(TEXT)), {
      timeoutMs: 20_000,
      description: 'the message to reach the live subscriber',
    });
    let spans: ReadableSpan[] | undefined;
    // The delivery span ends once graphql-ws has sent the event and asks for the next one.
    await waitFor(() => (spans = messageTrace(exporter.getFinishedSpans())) !== undefined, { timeoutMs: 10_000, description: 'the whole trace' });
    const trace = spans!;
    const one = (name: string, predicate: (s: ReadableSpan) => boolean = () => true) => {
      const found = trace.filter((s) => s.name === name && predicate(s));
      expect(found.map((s) => s.name)).toEqual([name]);
      return found[0]!;
    };

    const webhook = one('POST /webhooks/telegram');
    const publishInbound = one(`publish ${TOPICS.inbound}`);
    const consume = one(`process ${TOPICS.inbound}`, (s) => s.attributes['messaging.consumer.group.name'] === 'chat.inbound');
    const ingest = one('chat.ingest');
    const publishChatEvents = one(`publish ${TOPICS.chatEvents}`, (s) => s.attributes['messaging.message.id'] === messageAddedId(trace));
    const delivery = one('deliver chat.message-added');

    expect(new Set(trace.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect([webhook, publishInbound, consume, ingest, publishChatEvents, delivery].map((s) => [serviceOf(s), s.kind])).toEqual([
      ['channel-telegram', SpanKind.SERVER],
      ['channel-telegram', SpanKind.PRODUCER],
      ['chat', SpanKind.CONSUMER],
      ['chat', SpanKind.INTERNAL],
      ['chat', SpanKind.PRODUCER],
      ['gateway', SpanKind.CONSUMER],
    ]);
    expect(parentIdOf(webhook)).toBeUndefined();
    expect(parentIdOf(publishInbound)).toBe(webhook.spanContext().spanId);
    expect(parentIdOf(consume)).toBe(publishInbound.spanContext().spanId);
    expect(parentIdOf(ingest)).toBe(consume.spanContext().spanId);
    // The outbox row and the feed row are written in the ingest transaction: both continue its span.
    expect(parentIdOf(publishChatEvents)).toBe(ingest.spanContext().spanId);
    expect(parentIdOf(delivery)).toBe(ingest.spanContext().spanId);
    expect(webhook.attributes['http.response.status_code']).toBe(200);
    // Causal order in time, too: each step starts after its parent started.
    for (const [parent, child] of [
      [webhook, publishInbound],
      [publishInbound, consume],
      [consume, ingest],
      [ingest, publishChatEvents],
      [ingest, delivery],
    ] as const) {
      expect(hrTimeToMilliseconds(child.startTime)).toBeGreaterThanOrEqual(hrTimeToMilliseconds(parent.startTime));
    }

    let example = trace;
    if (WRITE_EXAMPLE) {
      // The example also shows the fan-out: services consuming the chat events through their traced bus view.
      const traceId = webhook.spanContext().traceId;
      const consumersOfChatEvents = () =>
        new Set(exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId && s.name === `process ${TOPICS.chatEvents}`).map(serviceOf));
      await waitFor(() => ['files', 'tasks'].every((service) => consumersOfChatEvents().has(service)), {
        timeoutMs: 10_000,
        description: 'files and tasks to consume the chat events',
      });
      example = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    }
    const rows = waterfall(example);
    if (WRITE_EXAMPLE) {
      writeFileSync(EXAMPLE_MD, renderExample(rows));
      writeFileSync(EXAMPLE_JSON, `${JSON.stringify(JSON.parse(await otlpJson(example)), null, 2)}\n`);
    }
    // The committed example has the shape of this run (regenerate it when spans change).
    const committed = parseTable(readFileSync(EXAMPLE_MD, 'utf8'));
    const chain = [webhook, publishInbound, consume, ingest, publishChatEvents, delivery].map((s) => rows.find((r) => r.spanId === s.spanContext().spanId)!);
    for (const row of chain) expect(committed).toContainEqual({ service: row.service, span: row.span, parent: row.parent });
    const otlp = JSON.parse(readFileSync(EXAMPLE_JSON, 'utf8')) as OtlpRequest;
    const exported = otlp.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => ({ service: serviceName(r), span }))));
    expect(new Set(exported.map((e) => e.span.traceId)).size).toBe(1);
    expect(new Set(exported.map((e) => e.service))).toEqual(new Set(committed.map((r) => r.service)));
    expect(exported.map((e) => e.span.name).sort()).toEqual(committed.map((r) => r.span).sort());
  });
});

/** The id of the chat.message-added event of this trace (its publish span names it). */
function messageAddedId(trace: readonly ReadableSpan[]): unknown {
  return trace.find((s) => s.name === 'deliver chat.message-added')?.attributes['messaging.message.id'];
}

interface WaterfallRow {
  spanId: string;
  service: string;
  span: string;
  event: string;
  kind: string;
  startMs: number;
  durationMs: number;
  parent: string;
}

/** Every span of the trace by start time, with its offset from the first and its parent's name. */
function waterfall(trace: readonly ReadableSpan[]): WaterfallRow[] {
  const sorted = [...trace].sort((a, b) => hrTimeToMilliseconds(a.startTime) - hrTimeToMilliseconds(b.startTime));
  const origin = hrTimeToMilliseconds(sorted[0]!.startTime);
  const byId = new Map(sorted.map((s) => [s.spanContext().spanId, s]));
  return sorted.map((s) => {
    const parent = parentIdOf(s) === undefined ? undefined : byId.get(parentIdOf(s)!);
    return {
      spanId: s.spanContext().spanId,
      service: serviceOf(s),
      span: s.name,
      event: eventOf(s),
      kind: SpanKind[s.kind],
      startMs: hrTimeToMilliseconds(s.startTime) - origin,
      durationMs: hrTimeToMilliseconds(s.duration),
      parent: parent ? `${serviceOf(parent)}: ${parent.name}${eventOf(parent) ? ` (${eventOf(parent)})` : ''}` : '—',
    };
  });
}

/** The event a bus span carries (publish and process spans name the topic only). */
function eventOf(span: ReadableSpan): string {
  const type = span.attributes['switchboard.event_type'];
  return typeof type === 'string' ? type : '';
}

function renderExample(rows: readonly WaterfallRow[]): string {
  const bar = (row: WaterfallRow) => {
    const total = Math.max(...rows.map((r) => r.startMs + r.durationMs));
    const from = Math.round((row.startMs / total) * 40);
    return `\`${' '.repeat(from)}${'█'.repeat(Math.max(1, Math.round((row.durationMs / total) * 40)))}\``;
  };
  return [
    '# A trace of one message across services',
    '',
    'Exported from a test run (test/e2e/tracing.e2e.spec.ts, standalone runtime; regenerate with',
    '`node scripts/trace-example.js`). A customer sends a Telegram message; the Telegram double posts it to',
    "channel-telegram's webhook, which publishes it to the bus; the chat service consumes and stores it (one",
    'transaction writes the chat, the message, the outbox rows and the live-feed rows); the outbox relay',
    "publishes the chat events, which other services consume; the gateway's live hub delivers them to the",
    "operator's graphql-ws subscription. How the context travels: [decision 0037](../decisions/0037-tracing.md).",
    '',
    'Offsets and durations are from one run on a shared CI machine (embedded PostgreSQL, log bus); the',
    'structure is what matters. The raw OTLP/HTTP JSON the exporter sent for this trace:',
    '[trace-example.otlp.json](trace-example.otlp.json).',
    '',
    '| service | span | event | kind | start offset ms | duration ms | parent | |',
    '|---|---|---|---|---:|---:|---|---|',
    ...rows.map(
      (r) => `| ${r.service} | ${r.span} | ${r.event} | ${r.kind} | ${r.startMs.toFixed(1)} | ${r.durationMs.toFixed(1)} | ${r.parent} | ${bar(r)} |`,
    ),
    '',
  ].join('\n');
}

function parseTable(markdown: string): { service: string; span: string; parent: string }[] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| service') && !line.startsWith('|---'))
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .map((cells) => ({ service: cells[1]!, span: cells[2]!, parent: cells[7]! }));
}

interface OtlpRequest {
  resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { traceId: string; name: string }[] }[] }[];
}

function serviceName(resourceSpans: OtlpRequest['resourceSpans'][number]): string | undefined {
  return resourceSpans.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
}

/** The request body the OTLP/HTTP exporter sends for these spans, captured by a local receiver. */
async function otlpJson(spans: ReadableSpan[]): Promise<string> {
  let body = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      body = Buffer.concat(chunks).toString('utf8');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces` });
    await new Promise<void>((resolve, reject) =>
      exporter.export(spans, (result) => (result.error ? reject(result.error) : resolve())),
    );
    await exporter.shutdown();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  if (!body) throw new Error('the OTLP exporter sent nothing');
  return body;
}
