import type { Express, NextFunction, Request, Response } from 'express';

/**
 * Upload and download links are used straight from the browser (the console may live on another origin
 * than the files service). Only the configured origins get CORS headers; the links carry their own
 * token, so no cookies or credentials are involved.
 */
export function registerCorsForLinks(app: Express, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  app.use('/files', (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin && allowed.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-expose-headers', 'content-disposition, content-length');
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', 'GET, POST');
        res.setHeader('access-control-allow-headers', 'content-type');
        res.setHeader('access-control-max-age', '600');
        res.status(204).end();
        return;
      }
    }
    next();
  });
}
