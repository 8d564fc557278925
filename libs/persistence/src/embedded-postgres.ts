import { mkdirSync } from 'node:fs';
import { makeSessionExclusive } from './pglite-session-queue';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * PGlite (PostgreSQL compiled to WASM) behind its socket server, so TypeORM and pg connect to it exactly
 * as to a real server: standalone mode runs the same SQL as production.
 */
export async function startEmbeddedPostgres(options: { dataDir?: string; port?: number; maxConnections?: number }): Promise<EmbeddedPostgres> {
  // Dynamic imports: PGlite is ESM and only standalone mode needs it.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  // Contrib extensions a service's migrations may CREATE; PGlite only offers those loaded here.
  // (tsconfig.base.json maps this subpath for type-checking: node10 resolution does not read package exports.)
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? 'memory://', { extensions: { pg_trgm } });
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    // Standalone runs a dozen services on this one server, each with its own pool, relay session and bus
    // consumers: together they open far more than 32 connections under load, and the socket server drops
    // connections beyond its limit ("Connection terminated unexpectedly"). Connections are cheap here (every
    // query runs on PGlite's single session anyway), so the limit only guards against leaks.
    maxConnections: options.maxConnections ?? 256,
  });
  // Private field of the socket server; see pglite-session-queue.ts for why its scheduler is replaced.
  makeSessionExclusive((server as unknown as { queryQueue: Parameters<typeof makeSessionExclusive>[0] }).queryQueue);
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgres://postgres@${address}/postgres?sslmode=disable`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
