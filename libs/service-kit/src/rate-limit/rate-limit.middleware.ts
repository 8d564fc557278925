import type { Request, RequestHandler } from 'express';
import { Counter, type Registry } from 'prom-client';
import { validateRule, type RateLimitDecision, type RateLimiter, type RateLimitRule } from './rate-limiter';

/** Counts refusals by rule on a service's registry: a rising rate is an attack or a misconfigured client. */
export class RateLimitMetrics {
  readonly refused: Counter<'rule'>;

  constructor(registry: Registry) {
    this.refused = new Counter({
      name: 'rate_limit_refused_total',
      help: 'Requests refused with 429 by a rate-limit rule',
      labelNames: ['rule'],
      registers: [registry],
    });
  }
}

/** Sets the draft-standard RateLimit headers and, on refusal, Retry-After. */
export function setRateLimitHeaders(res: { setHeader(name: string, value: string): unknown }, decision: RateLimitDecision): void {
  res.setHeader('RateLimit-Limit', String(decision.limit));
  res.setHeader('RateLimit-Remaining', String(decision.remaining));
  res.setHeader('RateLimit-Reset', String(decision.retryAfterSeconds));
  if (!decision.allowed) res.setHeader('Retry-After', String(decision.retryAfterSeconds));
}

/**
 * Express middleware: one hit per request against `rule`, keyed by `key(req)` (e.g. connection + client
 * IP); over the budget it answers 429 with Retry-After and a JSON body, and the handler never runs.
 * Platforms treat 429 as "retry later", so a refused webhook is delayed, never lost.
 */
export function rateLimit(options: {
  limiter: RateLimiter;
  rule: RateLimitRule;
  key: (req: Request) => string;
  metrics?: RateLimitMetrics;
}): RequestHandler {
  validateRule(options.rule);
  return (req, res, next) => {
    options.limiter.hit(options.rule, options.key(req)).then(
      (decision) => {
        setRateLimitHeaders(res, decision);
        if (decision.allowed) {
          next();
          return;
        }
        options.metrics?.refused.inc({ rule: options.rule.name });
        res.status(429).json({ statusCode: 429, message: `Too many requests; retry after ${decision.retryAfterSeconds} s` });
      },
      // The limiters report store failures themselves; anything else is a bug and goes to the error handler.
      (error: unknown) => next(error),
    );
  };
}

/**
 * The caller's address as express sees it: X-Forwarded-For only as far as `trust proxy` allows (set by
 * startNestService from TRUST_PROXY, applyTrustProxy), else the socket's; "unknown" if the socket is gone.
 */
export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
