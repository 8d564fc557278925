import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Registry } from 'prom-client';
import { integrationSuite, testRedisUrl } from '@switchboard/testing';
import {
  MemoryRateLimiter,
  RateLimitMetrics,
  RedisRateLimiter,
  createLogger,
  createRateLimiter,
  rateLimit,
  type RateLimiter,
  type RateLimitRule,
} from '../src';

const logger = createLogger('rate-limit-test', 'silent');

/** The same behaviour is required of both stores. */
function limiterContract(name: string, make: () => RateLimiter): void {
  describe(name, () => {
    let limiter: RateLimiter;
    beforeEach(() => {
      limiter = make();
    });
    afterEach(() => limiter.close());

    it('allows up to the limit per key and window, then refuses with the time left', async () => {
      const rule: RateLimitRule = { name: `t-${randomUUID()}`, limit: 3, windowSeconds: 30 };
      const decisions = [];
      for (let i = 0; i < 5; i++) decisions.push(await limiter.hit(rule, 'a'));
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
      expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0]);
      expect(decisions[3]!.retryAfterSeconds).toBeGreaterThan(0);
      expect(decisions[3]!.retryAfterSeconds).toBeLessThanOrEqual(30);
      // Another key and another rule have their own budgets.
      expect((await limiter.hit(rule, 'b')).allowed).toBe(true);
      expect((await limiter.hit({ ...rule, name: `${rule.name}-other` }, 'a')).allowed).toBe(true);
    });

    it('starts a new window once the old one ended', async () => {
      const rule: RateLimitRule = { name: `t-${randomUUID()}`, limit: 1, windowSeconds: 1 };
      expect((await limiter.hit(rule, 'k')).allowed).toBe(true);
      expect((await limiter.hit(rule, 'k')).allowed).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await limiter.hit(rule, 'k')).allowed).toBe(true);
    });

    it('reset forgets a key', async () => {
      const rule: RateLimitRule = { name: `t-${randomUUID()}`, limit: 1, windowSeconds: 60 };
      await limiter.hit(rule, 'k');
      expect((await limiter.hit(rule, 'k')).allowed).toBe(false);
      await limiter.reset(rule, 'k');
      expect((await limiter.hit(rule, 'k')).allowed).toBe(true);
    });

    it('keeps very long keys apart by hashing them', async () => {
      const rule: RateLimitRule = { name: `t-${randomUUID()}`, limit: 1, windowSeconds: 60 };
      const prefix = 'x'.repeat(300);
      expect((await limiter.hit(rule, `${prefix}1`)).allowed).toBe(true);
      expect((await limiter.hit(rule, `${prefix}2`)).allowed).toBe(true);
      expect((await limiter.hit(rule, `${prefix}1`)).allowed).toBe(false);
    });
  });
}

limiterContract('MemoryRateLimiter', () => new MemoryRateLimiter());

integrationSuite(['redis'], 'Redis rate limiter')('Redis', () => {
  limiterContract('RedisRateLimiter', () => new RedisRateLimiter(testRedisUrl(), logger));

  it('shares counters between instances (two gateways, one budget)', async () => {
    const a = new RedisRateLimiter(testRedisUrl(), logger);
    const b = new RedisRateLimiter(testRedisUrl(), logger);
    try {
      const rule: RateLimitRule = { name: `t-${randomUUID()}`, limit: 2, windowSeconds: 30 };
      expect((await a.hit(rule, 'ip')).allowed).toBe(true);
      expect((await b.hit(rule, 'ip')).allowed).toBe(true);
      expect((await a.hit(rule, 'ip')).allowed).toBe(false);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('createRateLimiter picks Redis when REDIS_URL is set and memory otherwise', async () => {
    const redis = createRateLimiter({ config: { REDIS_URL: testRedisUrl() }, logger });
    const memory = createRateLimiter({ config: {}, logger });
    expect([redis.kind, memory.kind]).toEqual(['redis', 'memory']);
    await redis.close();
    await memory.close();
  });
});

describe('RedisRateLimiter when Redis does not answer', () => {
  it('lets requests through (fail open) and reports the store error', async () => {
    // A port nothing listens on: every command fails at once.
    const errors: unknown[] = [];
    const limiter = new RedisRateLimiter('redis://127.0.0.1:1', logger, (error) => errors.push(error));
    try {
      const decision = await limiter.hit({ name: 'down', limit: 1, windowSeconds: 60 }, 'k');
      expect(decision.allowed).toBe(true);
      expect(errors.length).toBe(1);
    } finally {
      await limiter.close();
    }
  });
});

describe('rateLimit middleware', () => {
  let server: Server;
  let url: string;
  const registry = new Registry();
  const limiter = new MemoryRateLimiter();

  beforeAll(async () => {
    const app = express();
    app.post(
      '/hook/:id',
      rateLimit({ limiter, rule: { name: 'hook', limit: 2, windowSeconds: 60 }, key: (req) => String(req.params['id']), metrics: new RateLimitMetrics(registry) }),
      (_req, res) => void res.json({ ok: true }),
    );
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await limiter.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers 429 with Retry-After over the budget, per key, and counts refusals', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${url}/hook/a`, { method: 'POST' })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const refused = await fetch(`${url}/hook/a`, { method: 'POST' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-limit')).toBe('2');
    expect((await refused.json()) as { message: string }).toMatchObject({ message: expect.stringMatching(/Too many requests/) });
    expect((await fetch(`${url}/hook/b`, { method: 'POST' })).status).toBe(200);
    expect(await registry.getSingleMetricAsString('rate_limit_refused_total')).toContain('rate_limit_refused_total{rule="hook"} 2');
  });
});
