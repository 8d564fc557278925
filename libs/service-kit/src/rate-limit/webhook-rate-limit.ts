import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { trustProxyConfigSchema } from '../http/trust-proxy';
import { clientIp, rateLimit, type RateLimitMetrics } from './rate-limit.middleware';
import { rateLimitConfigSchema, type RateLimiter } from './rate-limiter';

/**
 * The webhook limit settings of every connector, read the same way as channel-telegram's (decision 0027):
 * `WEBHOOK_RATE_LIMIT_PER_MINUTE` per (connection, client IP), default 120,000, 0 turns it off; `REDIS_URL`
 * shares the counters between instances; `TRUST_PROXY` says whose address "client IP" is (behind the
 * ingress, set it to 1 or every request counts against the ingress pod; pass it to startNestService).
 * Generous on purpose: platforms keep few requests in flight per bot or app, so only a flood from elsewhere
 * reaches the limit, and a 429 is retried by the platform.
 */
export const webhookRateLimitConfigSchema = z
  .object({
    WEBHOOK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(120_000),
  })
  .extend(rateLimitConfigSchema.shape)
  .extend(trustProxyConfigSchema.shape);

/** What a connector's Nest module needs to limit its webhook routes; perMinute 0 means no limit. */
export interface WebhookRateLimit {
  limiter: RateLimiter;
  perMinute: number;
  metrics: RateLimitMetrics;
}

/**
 * The shared `rateLimit` middleware for the webhook URLs express still serves (Meta's verification GETs):
 * rule `webhook-<channel>` (the label of `rate_limit_refused_total`), a one-minute window, keyed by
 * `scope(req)` and the client IP, as the webhook endpoints of the same URL count their POSTs
 * (webhook-endpoint.ts), so both share one budget. Undefined when the limit is off.
 */
export function webhookRateLimit(options: WebhookRateLimit & { channel: string; scope: (req: Request) => string }): RequestHandler | undefined {
  if (options.perMinute === 0) return undefined;
  return rateLimit({
    limiter: options.limiter,
    rule: { name: `webhook-${options.channel}`, limit: options.perMinute, windowSeconds: 60 },
    key: (req) => `${options.scope(req)}:${clientIp(req)}`,
    metrics: options.metrics,
  });
}
