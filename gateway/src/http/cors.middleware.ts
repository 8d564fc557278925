import type { RequestHandler } from 'express';

const ALLOWED_HEADERS = 'authorization, content-type, x-correlation-id, apollo-require-preflight';

/**
 * CORS for an explicit list of browser origins (no wildcard). Credentials are not allowed: callers send
 * the access token in the Authorization header, never in cookies, which also keeps CSRF off the table.
 */
export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.headers.origin;
    if (origin && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', 'x-correlation-id');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        res.setHeader('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    }
    next();
  };
}
