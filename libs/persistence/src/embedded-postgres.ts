import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
  // An in-memory database has no cluster to reuse: each would run initdb (seconds of WASM work), so it starts
  // from an image of a pristine cluster, taken once per PGlite version. A data directory keeps its cluster.
  const image = options.dataDir ? undefined : await readPristineImage();
  const db = await PGlite.create(options.dataDir ?? 'memory://', { extensions: { pg_trgm }, ...(image ? { loadDataDir: image } : {}) });
  if (!options.dataDir && !image) await savePristineImage(await db.dumpDataDir('none'));
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

/** Where the pristine in-memory cluster image of this PGlite version is kept (a file per version: never stale). */
function pristineImagePath(): string | undefined {
  try {
    const packageJson = join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
    const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
    return join(tmpdir(), `switchboard-pglite-${version}-pristine.tar`);
  } catch {
    return undefined;
  }
}

async function readPristineImage(): Promise<Blob | undefined> {
  const path = pristineImagePath();
  if (!path || !existsSync(path)) return undefined;
  return new Blob([await readFile(path)]);
}

/** Written beside and renamed into place, so a concurrent start never reads half an image. */
async function savePristineImage(image: Blob): Promise<void> {
  const path = pristineImagePath();
  if (!path) return;
  const partial = `${path}.${process.pid}.${Date.now()}.partial`;
  await writeFile(partial, Buffer.from(await image.arrayBuffer()));
  await rename(partial, path);
}
