import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';

/**
 * A named budget: at most `limit` hits per key in a window of `windowSeconds`. Fixed windows, counted from
 * a key's first hit: simple, one Redis round trip, and at worst 2x the limit across a window edge, which is
 * acceptable for abuse limits (they are meant to stop floods and guessing, not to meter).
 */
export interface RateLimitRule {
  /** Part of the storage key: rules with different names never share counters. */
  name: string;
  limit: number;
  windowSeconds: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window of this key ends (when a refused caller may try again). */
  retryAfterSeconds: number;
}

/**
 * One interface, two stores: Redis in distributed mode (counters shared by every instance, so adding
 * instances does not multiply the budget) and memory in standalone mode (one process holds them all).
 */
export interface RateLimiter {
  readonly kind: 'redis' | 'memory';
  /** Counts one hit of `key` against `rule` and says whether it is within the budget. */
  hit(rule: RateLimitRule, key: string): Promise<RateLimitDecision>;
  /** Forgets a key's count (e.g. after a successful login). */
  reset(rule: RateLimitRule, key: string): Promise<void>;
  close(): Promise<void>;
}

export class RateLimitExceededError extends Error {
  constructor(
    readonly rule: RateLimitRule,
    readonly retryAfterSeconds: number,
  ) {
    super(`Too many requests; retry after ${retryAfterSeconds} s`);
    this.name = 'RateLimitExceededError';
  }
}

/** Rate-limit settings every service with a limited edge reads the same way. */
export const rateLimitConfigSchema = z.object({
  /** Redis for shared counters (distributed mode); without it each process counts in memory. */
  REDIS_URL: z.preprocess((value) => (value === '' ? undefined : value), z.url().optional()),
});
export type RateLimitConfig = z.output<typeof rateLimitConfigSchema>;

export function validateRule(rule: RateLimitRule): void {
  if (!/^[a-z0-9:_-]+$/i.test(rule.name)) throw new Error(`rate-limit rule name "${rule.name}" must be [A-Za-z0-9:_-]`);
  if (!Number.isInteger(rule.limit) || rule.limit < 1) throw new Error(`rate-limit rule ${rule.name}: limit must be a positive integer`);
  if (!Number.isInteger(rule.windowSeconds) || rule.windowSeconds < 1) {
    throw new Error(`rate-limit rule ${rule.name}: windowSeconds must be a positive integer`);
  }
}

/** Counters in this process; expired windows are swept so a flood of distinct keys cannot grow memory forever. */
export class MemoryRateLimiter implements RateLimiter {
  readonly kind = 'memory' as const;
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  async hit(rule: RateLimitRule, key: string): Promise<RateLimitDecision> {
    const id = storageKey(rule, key);
    const now = this.now();
    let window = this.windows.get(id);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + rule.windowSeconds * 1000 };
      this.windows.set(id, window);
    }
    window.count++;
    return decide(rule, window.count, window.resetAt - now);
  }

  async reset(rule: RateLimitRule, key: string): Promise<void> {
    this.windows.delete(storageKey(rule, key));
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.windows.clear();
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, window] of this.windows) if (window.resetAt <= now) this.windows.delete(id);
  }
}

/**
 * INCR and the first hit's PEXPIRE in one script: atomic across instances, and a key can never be left
 * without an expiry (which would lock its owner out for good).
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/**
 * Shared counters in Redis. Redis is never the source of truth (../shared/ARCHITECTURE.md): when it does not
 * answer, the limiter lets the request through and logs it (fail open), because refusing every login and
 * every webhook during a Redis outage would turn a cache outage into a product outage. See decision 0027.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly logger: Logger,
    private readonly onStoreError: (error: unknown) => void = () => undefined,
  ) {
    this.redis = new Redis(url, {
      // Commands wait for the (re)connection, but briefly: after one reconnect attempt or 500 ms they fail
      // and the request goes through, so a login never hangs on the limiter while Redis is away.
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
      keyPrefix: 'switchboard:rl:',
    });
    this.redis.on('error', (error: Error) => this.logger.warn({ err: error }, 'rate-limit Redis connection error'));
  }

  async hit(rule: RateLimitRule, key: string): Promise<RateLimitDecision> {
    try {
      const [count, ttl] = (await this.redis.eval(HIT_SCRIPT, 1, storageKey(rule, key), String(rule.windowSeconds * 1000))) as [number, number];
      return decide(rule, count, ttl);
    } catch (error) {
      this.onStoreError(error);
      this.logger.error({ err: error, rule: rule.name }, 'rate-limit store unavailable; letting the request through');
      return { allowed: true, limit: rule.limit, remaining: rule.limit, retryAfterSeconds: 0 };
    }
  }

  async reset(rule: RateLimitRule, key: string): Promise<void> {
    await this.redis.del(storageKey(rule, key));
  }

  async close(): Promise<void> {
    // quit() waits for a reply a Redis that is away never sends; then only dropping the socket ends it.
    if (this.redis.status === 'ready') await this.redis.quit();
    else this.redis.disconnect();
  }
}

export function createRateLimiter(options: { config: RateLimitConfig; logger: Logger; onStoreError?: (error: unknown) => void }): RateLimiter {
  return options.config.REDIS_URL
    ? new RedisRateLimiter(options.config.REDIS_URL, options.logger.child({ component: 'rate-limit' }), options.onStoreError)
    : new MemoryRateLimiter();
}

function storageKey(rule: RateLimitRule, key: string): string {
  // Keys carry caller input (emails, IPs): long ones are hashed so a huge value cannot bloat the store.
  return `${rule.name}:${key.length > 128 ? createHash('sha256').update(key).digest('base64url') : key}`;
}

function decide(rule: RateLimitRule, count: number, ttlMs: number): RateLimitDecision {
  return {
    allowed: count <= rule.limit,
    limit: rule.limit,
    remaining: Math.max(0, rule.limit - count),
    retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
  };
}
