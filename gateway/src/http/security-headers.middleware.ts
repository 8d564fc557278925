import type { RequestHandler } from 'express';

/** The gateway serves only JSON: no framing, no MIME sniffing, no referrer leaking query strings. */
export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  };
}
