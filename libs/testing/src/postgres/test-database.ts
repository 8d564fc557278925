import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

// One throwaway database per test file: tests can run in parallel and migrate freely without
// sharing state, and a crashed run leaves only an oddly named database behind.

export interface TestDatabase {
  /** Connection string for the new database (same server and credentials as the admin URL). */
  url: string;
  name: string;
  drop(): Promise<void>;
}

export function adminDatabaseUrl(): string {
  return process.env['TEST_DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export async function createTestDatabase(prefix: string, adminUrl: string = adminDatabaseUrl()): Promise<TestDatabase> {
  const name = databaseName(prefix);
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      if (dropped) return;
      // FORCE (PostgreSQL 13+) terminates pools the test forgot to close instead of failing.
      await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
      dropped = true;
    },
  };
}

export async function isPostgresAvailable(adminUrl: string = adminDatabaseUrl(), timeoutMs = 2000): Promise<boolean> {
  try {
    await withAdmin(adminUrl, (client) => client.query('SELECT 1'), timeoutMs);
    return true;
  } catch {
    return false;
  }
}

/** `${prefix}_${random}` limited to [a-z0-9_] and PostgreSQL's 63-byte identifier limit. */
function databaseName(prefix: string): string {
  let clean = prefix.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[a-z]/.test(clean)) clean = `t_${clean}`;
  const suffix = randomBytes(6).toString('hex');
  return `${clean.slice(0, 63 - suffix.length - 1)}_${suffix}`;
}

function quoteIdent(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: timeoutMs });
  // Without a listener an idle-connection error (server restart) would crash the test process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
