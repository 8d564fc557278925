/**
 * Named prepared statements (the chat service's ingest statement) on PostgreSQL, and the guard that keeps
 * them off PGlite, whose connections share one session.
 */
import { DataSource } from 'typeorm';
import { connectionsHaveOwnSessions, queryPrepared, startEmbeddedPostgres } from '../src';

const SERVER_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function open(url: string, poolSize: number): Promise<DataSource | undefined> {
  const dataSource = new DataSource({ type: 'postgres', url, poolSize });
  try {
    await dataSource.initialize();
    return dataSource;
  } catch (error) {
    if (process.env.REQUIRE_INTEGRATION === '1') throw error;
    return undefined; // no server here: nothing to check
  }
}

describe('prepared statements', () => {
  it('are prepared once per PostgreSQL connection, under a name derived from the text', async () => {
    const dataSource = await open(SERVER_URL, 2);
    if (!dataSource) return;
    try {
      expect(await connectionsHaveOwnSessions(dataSource)).toBe(true);
      const text = 'SELECT $1::int + 1 AS next';
      // Both pooled connections, twice each: the second use of a connection binds the statement it prepared.
      const results = await Promise.all([1, 2, 3, 4].map((n) => queryPrepared<{ next: number }>(dataSource, text, [n])));
      expect(results.map((rows) => rows[0]?.next)).toEqual([2, 3, 4, 5]);
      const prepared = (await queryPrepared<{ name: string }>(dataSource, `SELECT name FROM pg_prepared_statements WHERE statement = $1`, [text]))[0];
      expect(prepared?.name).toMatch(/^sb_[0-9a-f]{16}$/);
    } finally {
      await dataSource.destroy();
    }
  });

  it('are not used on PGlite, where every connection shares one session', async () => {
    const pg = await startEmbeddedPostgres({});
    const dataSource = new DataSource({ type: 'postgres', url: pg.url, poolSize: 2 });
    try {
      await dataSource.initialize();
      expect(await connectionsHaveOwnSessions(dataSource)).toBe(false);
    } finally {
      await dataSource.destroy().catch(() => undefined);
      await pg.stop();
    }
  }, 60_000);
});
