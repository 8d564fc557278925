import express, { type Router } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Paths the gateway answers itself; everything else may be a page of the console. */
const API_PATHS = /^\/(graphql|health|ready|metrics)(\/|$)/;

/**
 * Serves a built operator console (apps/console/dist) at / beside /graphql, so the page and the API share
 * one origin: no CORS, and graphql-ws on the same URL. Hashed assets are cached for good; index.html is
 * revalidated, and answers every other GET so the console's own URLs (/chats/<id>?filters) load on reload.
 *
 * `fileOrigins`: where the page may also connect and load images from, i.e. the files service's public origin
 * (decision 0025: uploads and downloads go to its signed links, not through the gateway).
 */
export function consoleStatic(consoleDir: string, options: { fileOrigins?: readonly string[] } = {}): Router {
  const indexFile = join(consoleDir, 'index.html');
  if (!existsSync(indexFile)) throw new Error(`console directory ${consoleDir} has no index.html: build it first (npm run build -w @switchboard/console)`);
  const policy = contentSecurityPolicy((options.fileOrigins ?? []).map(webOrigin));
  const router = express.Router();
  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', policy);
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

/**
 * The page talks to this origin and to the files service (uploads, thumbnails); React sets inline style
 * attributes (the virtualised list).
 */
function contentSecurityPolicy(fileOrigins: readonly string[]): string {
  const extra = fileOrigins.map((origin) => ` ${origin}`).join('');
  return `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:${extra}; connect-src 'self'${extra}; frame-ancestors 'none'; base-uri 'self'`;
}

/** An http(s) origin as CSP wants it (no path, no trailing slash); anything else is a configuration error. */
function webOrigin(value: string): string {
  if (!URL.canParse(value)) throw new Error(`console file origin ${JSON.stringify(value)} is not a URL (expected e.g. https://files.example.com)`);
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`console file origin ${JSON.stringify(value)} must be http(s)`);
  return url.origin;
}
