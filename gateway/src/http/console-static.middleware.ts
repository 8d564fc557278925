import express, { type Router } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Paths the gateway answers itself; everything else may be a page of the console. */
const API_PATHS = /^\/(graphql|health|ready|metrics)(\/|$)/;

/**
 * Serves a built operator console (apps/console/dist) at / beside /graphql, so the page and the API share
 * one origin: no CORS, and graphql-ws on the same URL. Hashed assets are cached for good; index.html is
 * revalidated, and answers every other GET so the console's own URLs (/chats/<id>?filters) load on reload.
 */
export function consoleStatic(consoleDir: string): Router {
  const indexFile = join(consoleDir, 'index.html');
  if (!existsSync(indexFile)) throw new Error(`console directory ${consoleDir} has no index.html: build it first (npm run build -w @switchboard/console)`);
  const router = express.Router();
  router.use((_req, res, next) => {
    // The page talks only to this origin; React sets inline style attributes (the virtualised list).
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'",
    );
    next();
  });
  router.use(
    '/assets',
    express.static(join(consoleDir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }),
  );
  router.use(express.static(consoleDir, { index: false, maxAge: 0 }));
  router.get(/.*/, (req, res, next) => {
    if (API_PATHS.test(req.path) || !req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  });
  return router;
}
