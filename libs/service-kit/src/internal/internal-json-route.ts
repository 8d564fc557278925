import express, { type Express } from 'express';
import { z } from 'zod';
import { bearerToken } from '../auth/access-token';
import { verifyServiceToken } from '../auth/service-token';
import type { Logger } from '../logging/logger';

/**
 * An internal question one service answers another (POST, JSON, service token only), served alike
 * everywhere: 401 without a valid service token, 400 with the schema's own words for a body that does not
 * fit, the handler's answer as JSON, 500 when it throws (logged as `<what> failed`). Not public API: the
 * ingress routes no /internal path.
 */
export function registerInternalJsonRoute<Schema extends z.ZodType>(
  app: Express,
  options: { path: string; schema: Schema; bodyLimit: string; what: string; jwtSecret: string; logger: Logger },
  answer: (input: z.output<Schema>) => Promise<unknown>,
): void {
  app.post(options.path, express.json({ limit: options.bodyLimit }), (req, res) => {
    void (async () => {
      try {
        await verifyServiceToken(bearerToken(req.headers.authorization) ?? '', options.jwtSecret);
      } catch (error) {
        res.status(401).json({ error: (error as Error).message });
        return;
      }
      const parsed = options.schema.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({ error: z.prettifyError(parsed.error) });
        return;
      }
      res.json(await answer(parsed.data));
    })().catch((error: unknown) => {
      options.logger.error({ err: error }, `${options.what} failed`);
      if (!res.headersSent) res.status(500).json({ error: `${options.what} failed` });
    });
  });
}
