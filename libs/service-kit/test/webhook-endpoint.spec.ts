/*
 * Webhook endpoints (decision 0060): inbound POSTs answered ahead of express and Nest, through
 * startNestService over real HTTP. The edge must stay what express gave it: params, headers and the raw
 * bytes reach the handler; other methods and paths still reach express; a Nest HttpException is answered as
 * Nest would; a body over the limit is refused unread; the rate limit counts per scope and client address
 * before the body is read; each request is the root span of its trace.
 */
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { UnauthorizedException } from '@nestjs/common';
import express from 'express';
import http from 'node:http';
import { Histogram, Registry } from 'prom-client';
import {
  MemoryRateLimiter,
  RateLimitMetrics,
  clientAddress,
  clientIp,
  createLogger,
  serviceTracer,
  startNestService,
  startTracing,
  webhookHeader,
  type RunningService,
  type WebhookEndpoint,
  type WebhookRequest,
} from '../src';

interface Served {
  service: RunningService;
  handled: WebhookRequest[];
  failures: string[];
}

async function serve(endpoints: (handled: WebhookRequest[]) => WebhookEndpoint[], options: { trustProxy?: number } = {}): Promise<Served> {
  const handled: WebhookRequest[] = [];
  const failures: string[] = [];
  const serviceLogger = createLogger('webhook-endpoint-test', 'silent');
  serviceLogger.child = (() => serviceLogger) as unknown as typeof serviceLogger.child;
  serviceLogger.error = ((_: unknown, message: string) => void failures.push(message)) as typeof serviceLogger.error;
  const service = await startNestService({
    name: 'webhook-endpoint-test',
    port: 0,
    host: '127.0.0.1',
    logger: serviceLogger,
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    webhooks: endpoints(handled),
    configure: async (app) => {
      app.get('/webhooks/test/:connectionId', (req, res) => void res.json({ express: 'GET', ip: clientIp(req) }));
      app.post('/elsewhere', express.json(), (req, res) => void res.json({ express: 'POST', body: req.body as unknown }));
    },
  });
  return { service, handled, failures };
}

/** An endpoint that records what it was given and answers from the body: "fail" throws, "deny" is a 401. */
const echo = (handled: WebhookRequest[], extra: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
  channel: 'test',
  path: '/webhooks/test/:connectionId',
  bodyLimitBytes: 64,
  handle: async (request) => {
    handled.push(request);
    const text = request.body.toString('utf8');
    if (text === 'fail') throw new Error('the handler broke');
    if (text === 'deny') throw new UnauthorizedException('X-Test-Secret is wrong');
    return { status: 202, body: { connectionId: request.params['connectionId'], bytes: request.body.length, secret: webhookHeader(request, 'X-Test-Secret') ?? null }, headers: { 'x-answered-by': 'endpoint' } };
  },
  ...extra,
});

const post = async (url: string, body: string | Buffer, headers: Record<string, string> = {}) => {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
};

describe('webhook endpoints', () => {
  const running: RunningService[] = [];
  afterAll(async () => {
    for (const service of running) await service.stop();
  });
  const start = async (...args: Parameters<typeof serve>) => {
    const served = await serve(...args);
    running.push(served.service);
    return served;
  };

  it('hands the handler its decoded params, its headers and the exact bytes, sends its answer as JSON and times it', async () => {
    const registry = new Registry();
    const duration = new Histogram({ name: 'test_webhook_duration_seconds', help: 'test', labelNames: ['status'], registers: [registry] });
    const { service, handled } = await start((h) => [echo(h, { duration })]);
    const bytes = Buffer.from([0x7b, 0xff, 0x00, 0x7d]);
    const answer = await post(`${service.url}/webhooks/test/conn%201/?ignored=1`, bytes, { 'x-test-secret': 's3cret', 'content-type': 'application/octet-stream' });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ connectionId: 'conn 1', bytes: 4, secret: 's3cret' });
    expect(answer.headers.get('x-answered-by')).toBe('endpoint');
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(handled[0]!.body.equals(bytes)).toBe(true);
    expect(await post(`${service.url}/webhooks/test/c1`, 'x'.repeat(65))).toMatchObject({ status: 413 });
    const timed = await registry.getSingleMetricAsString('test_webhook_duration_seconds');
    expect(timed).toContain('test_webhook_duration_seconds_count{status="202"} 1');
    expect(timed).toContain('test_webhook_duration_seconds_count{status="413"} 1');
  });

  it('leaves other methods and paths to express', async () => {
    const { service, handled } = await start((h) => [echo(h)]);
    expect(await (await fetch(`${service.url}/webhooks/test/c1`)).json()).toMatchObject({ express: 'GET' });
    expect(await post(`${service.url}/elsewhere`, '{"n":1}', { 'content-type': 'application/json' })).toMatchObject({ status: 200, body: { express: 'POST', body: { n: 1 } } });
    for (const path of ['/webhooks/test', '/webhooks/test/c1/more', '/webhooks/other/c1']) {
      expect({ path, status: (await fetch(`${service.url}${path}`, { method: 'POST', body: 'x' })).status }).toEqual({ path, status: 404 });
    }
    // A segment that is no valid percent-encoding is not a match either; express refuses it as before.
    expect((await fetch(`${service.url}/webhooks/test/%E0%A4%A`, { method: 'POST', body: 'x' })).status).toBe(400);
    expect(handled).toHaveLength(0);
  });

  it("answers a Nest HttpException as Nest would, and anything else thrown as a logged 500", async () => {
    const { service, failures } = await start((h) => [echo(h)]);
    expect(await post(`${service.url}/webhooks/test/c1`, 'deny')).toMatchObject({ status: 401, body: { statusCode: 401, message: 'X-Test-Secret is wrong', error: 'Unauthorized' } });
    expect(failures).toEqual([]);
    expect(await post(`${service.url}/webhooks/test/c1`, 'fail')).toMatchObject({ status: 500, body: { statusCode: 500, message: 'Internal server error' } });
    expect(failures).toEqual(['webhook endpoint failed; answering 500']);
  });

  it('refuses a body over the limit with 413 and closes the connection, whether it is declared or streamed', async () => {
    const { service, handled } = await start((h) => [echo(h)]);
    const declared = await post(`${service.url}/webhooks/test/c1`, 'x'.repeat(65));
    expect(declared).toMatchObject({ status: 413, body: { statusCode: 413, message: 'Request body is larger than 64 bytes' } });
    expect(declared.headers.get('connection')).toBe('close');
    // Chunked, so the size is only known as it arrives.
    const streamed = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const request = http.request(`${service.url}/webhooks/test/c1`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0, connection: response.headers.connection });
      });
      request.on('error', reject);
      request.write('x'.repeat(40));
      setTimeout(() => request.write('x'.repeat(40)), 20);
    });
    expect(streamed).toEqual({ status: 413, connection: 'close' });
    expect(handled).toHaveLength(0);
    // At the limit exactly is fine.
    expect((await post(`${service.url}/webhooks/test/c1`, 'x'.repeat(64))).status).toBe(202);
  });

  it('counts the rate limit per scope and client address before reading the body, and answers in the shape the endpoint chose', async () => {
    const registry = new Registry();
    const metrics = new RateLimitMetrics(registry);
    const { service, handled } = await start(
      (h) => [
        echo(h, {
          rateLimit: {
            limiter: new MemoryRateLimiter(),
            perMinute: 2,
            metrics,
            scope: (params) => params['connectionId'] ?? '',
          },
          refusalBody: (refusal) => ({ code: refusal.status === 429 ? 'rate_limited' : 'too_large', retryAfter: refusal.status === 429 ? refusal.retryAfterSeconds : null }),
        }),
      ],
      { trustProxy: 1 },
    );
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(`${service.url}/webhooks/test/c1`, 'ok', from('203.0.113.7'))).status);
    expect(statuses).toEqual([202, 202, 429]);
    const refused = await post(`${service.url}/webhooks/test/c1`, 'x'.repeat(1000), from('203.0.113.7'));
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'rate_limited', retryAfter: Number(refused.headers.get('retry-after')) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-limit')).toBe('2');
    // Another connection, or another address, has a budget of its own.
    expect((await post(`${service.url}/webhooks/test/c2`, 'ok', from('203.0.113.7'))).status).toBe(202);
    expect((await post(`${service.url}/webhooks/test/c1`, 'ok', from('198.51.100.1'))).status).toBe(202);
    expect(handled).toHaveLength(4);
    expect(await post(`${service.url}/webhooks/test/c3`, 'x'.repeat(65))).toMatchObject({ status: 413, body: { code: 'too_large' } });
    expect(await registry.getSingleMetricAsString('rate_limit_refused_total')).toContain('rule="webhook-test"} 2');
  });

  it('is the root span of the trace of what its handler does', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ exporter, batch: false });
    try {
      const { service } = await start((h) => [
        echo(h, {
          handle: async () => {
            serviceTracer('webhook-endpoint-test')!.startSpan('publish').end();
            return { status: 200, body: { ok: true } };
          },
        }),
      ]);
      expect((await post(`${service.url}/webhooks/test/c1`, 'x', { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 10));
      const spans = exporter.getFinishedSpans();
      const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
      const child = spans.find((s) => s.name === 'publish')!;
      expect([server.name, server.parentSpanId, server.attributes['http.response.status_code']]).toEqual(['POST /webhooks/test', undefined, 200]);
      // A caller's traceparent is not trusted: a new trace.
      expect(server.spanContext().traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
      expect(child.parentSpanId).toBe(server.spanContext().spanId);
    } finally {
      await tracing.shutdown();
    }
  });
});

describe('clientAddress', () => {
  it("agrees with express's req.ip for every hop count", async () => {
    const headers = [undefined, '203.0.113.7', '198.51.100.99, 203.0.113.7', '198.51.100.99,203.0.113.7, 10.0.0.5'];
    for (const hops of [0, 1, 2, 3]) {
      const app = express();
      app.set('trust proxy', hops);
      app.get('/', (req, res) => void res.json({ ip: req.ip }));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const { port } = server.address() as { port: number };
        for (const header of headers) {
          const response = await fetch(`http://127.0.0.1:${port}/`, header ? { headers: { 'x-forwarded-for': header } } : {});
          const expressIp = ((await response.json()) as { ip: string }).ip;
          expect({ hops, header, ip: clientAddress('127.0.0.1', header, hops) }).toEqual({ hops, header, ip: expressIp });
        }
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });
});
