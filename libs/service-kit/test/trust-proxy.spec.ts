/*
 * TRUST_PROXY: one schema and one setter for every service with a per-IP limit. Over real HTTP through
 * startNestService (the path every connector takes): X-Forwarded-For decides the client IP only when
 * TRUST_PROXY is set, and then only as many hops as it says, so a caller's own entries stay ignored.
 */
import { Module } from '@nestjs/common';
import { clientIp, createLogger, startNestService, trustProxyConfigSchema, webhookRateLimitConfigSchema, type RunningService } from '../src';

@Module({})
class EmptyModule {}

const logger = createLogger('trust-proxy-test', 'silent');

describe('trustProxyConfigSchema', () => {
  it('defaults to 0 (the socket address) and reads a hop count', () => {
    expect(trustProxyConfigSchema.parse({})).toEqual({ TRUST_PROXY: 0 });
    expect(trustProxyConfigSchema.parse({ TRUST_PROXY: '1' })).toEqual({ TRUST_PROXY: 1 });
  });

  it('refuses what is not a plausible hop count, by variable name', () => {
    for (const value of ['-1', '1.5', '11', 'true', 'loopback']) {
      const result = trustProxyConfigSchema.safeParse({ TRUST_PROXY: value });
      expect({ value, ok: result.success }).toEqual({ value, ok: false });
      expect(result.error?.issues[0]?.message).toMatch(/TRUST_PROXY|number/);
    }
  });

  it('is part of the webhook limit settings every connector reads', () => {
    expect(webhookRateLimitConfigSchema.parse({ TRUST_PROXY: '1' })).toMatchObject({ TRUST_PROXY: 1, WEBHOOK_RATE_LIMIT_PER_MINUTE: 120_000 });
  });
});

describe('startNestService({ trustProxy })', () => {
  const started: RunningService[] = [];
  /** A service whose GET /ip answers the client IP the rate limits would key on. */
  const serve = async (trustProxy?: number) => {
    const service = await startNestService({
      name: 'trust-proxy-test',
      module: EmptyModule,
      port: 0,
      host: '127.0.0.1',
      logger,
      ...(trustProxy === undefined ? {} : { trustProxy }),
      configure: async (app) => {
        app.get('/ip', (req, res) => void res.json({ ip: clientIp(req) }));
      },
    });
    started.push(service);
    return async (forwardedFor?: string) => {
      const response = await fetch(`${service.url}/ip`, forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {});
      return ((await response.json()) as { ip: string }).ip;
    };
  };
  afterAll(async () => {
    for (const service of started) await service.stop();
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: a caller cannot pick its own address', async () => {
    for (const ipOf of [await serve(), await serve(0)]) {
      expect(await ipOf()).toBe('127.0.0.1');
      expect(await ipOf('203.0.113.7')).toBe('127.0.0.1');
    }
  });

  it('takes the address the trusted proxy appended with TRUST_PROXY=1, never an entry the caller wrote', async () => {
    const ipOf = await serve(1);
    expect(await ipOf('203.0.113.7')).toBe('203.0.113.7');
    // The caller sent "X-Forwarded-For: 198.51.100.99"; the ingress appended the address it saw.
    expect(await ipOf('198.51.100.99, 203.0.113.7')).toBe('203.0.113.7');
    // No proxy in the way (a request straight to the pod): the socket address.
    expect(await ipOf()).toBe('127.0.0.1');
  });

  it('believes as many hops as it is told (two proxies: the entry the outer one appended)', async () => {
    const ipOf = await serve(2);
    expect(await ipOf('198.51.100.99, 203.0.113.7, 10.0.0.5')).toBe('203.0.113.7');
  });

  it('refuses a hop count that is no count', async () => {
    await expect(serve(-1)).rejects.toThrow(/whole number of proxies from 0 to 10/);
  });
});
