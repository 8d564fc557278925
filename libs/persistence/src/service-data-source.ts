import { createHash } from 'node:crypto';
import { DataSource, type EntityManager, type EntitySchema, type MixedList } from 'typeorm';
import { toTypeOrmMigration, type SqlMigrationSpec } from './sql-migration';

export interface ServiceDataSourceOptions {
  url: string;
  /** The service's own schema: no service reads another's tables. */
  schema: string;
  migrations: readonly SqlMigrationSpec[];
  // TypeORM's own option type; entity classes or schemas of this service only.
  entities?: MixedList<string | (new () => unknown) | EntitySchema>;
  poolSize?: number;
  applicationName?: string;
}

export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities ?? [],
    migrations: options.migrations.map(toTypeOrmMigration),
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? options.schema,
      // JIT and parallel query off in every session: services run short OLTP statements (an inbox page
      // over several index walks, a search), for which compiling a plan took 40-80 ms and starting a
      // parallel worker 12-25 ms, more than running them (bench/inbox). PGlite has neither and ignores both.
      options: '-c jit=off -c max_parallel_workers_per_gather=0',
    },
  });
}

/** Creates the schema if needed and applies pending migrations; returns the names it applied. */
export async function migrateSchema(dataSource: DataSource, schema: string): Promise<string[]> {
  const initialised = dataSource.isInitialized;
  if (!initialised) await dataSource.initialize();
  try {
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    if (!initialised) await dataSource.destroy();
  }
}

/** Runs `work` in one transaction; the executor is the transaction's EntityManager. */
export function inTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return dataSource.transaction(work);
}

/** Anything with TypeORM's `query` (DataSource, EntityManager, QueryRunner). */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Runs a statement and returns its rows. TypeORM's postgres driver returns `[rows, rowCount]` for
 * UPDATE/DELETE ... RETURNING but plain rows for SELECT/INSERT; callers should not have to remember which.
 */
export async function queryRows<T>(executor: Queryable, sql: string, parameters: unknown[] = []): Promise<T[]> {
  const result = await executor.query(sql, parameters);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/** A dedicated connection from the pool, for session-level state such as advisory locks. */
export async function openSqlSession(dataSource: DataSource): Promise<Queryable & { release(): Promise<void> }> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  return { query: (sql, parameters) => runner.query(sql, parameters), release: () => runner.release() };
}

/**
 * Whether a named prepared statement lives in one connection, as PostgreSQL's do. PGlite (the embedded
 * database) is one session that every connection shares, so a statement one pg client prepared already exists
 * for the next, which then fails to prepare it (42P05): there, statements must stay unnamed.
 */
export async function connectionsHaveOwnSessions(dataSource: DataSource): Promise<boolean> {
  const rows = (await dataSource.query(`SELECT version() AS version`)) as { version: string }[];
  return !/PGlite/i.test(rows[0]?.version ?? '');
}

/**
 * Runs one statement as a named prepared statement on a pooled connection: PostgreSQL parses and plans it
 * once per connection instead of on every call (worth it for a large statement on a hot path). The name is
 * derived from the text, so one name never stands for two statements. Only where connectionsHaveOwnSessions.
 */
export async function queryPrepared<T>(dataSource: DataSource, text: string, parameters: unknown[]): Promise<T[]> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    // TypeORM's postgres query runner holds the pg client it runs on; TypeORM's own query() cannot name a statement.
    const client = (runner as unknown as { databaseConnection: PreparedQueryClient }).databaseConnection;
    return (await client.query<T>({ name: preparedName(text), text, values: parameters })).rows;
  } finally {
    await runner.release();
  }
}

interface PreparedQueryClient {
  query<T>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }>;
}

/** Statement text -> name; a service has a handful of prepared statements. */
const preparedNames = new Map<string, string>();

function preparedName(text: string): string {
  let name = preparedNames.get(text);
  if (!name) {
    name = `sb_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    preparedNames.set(text, name);
  }
  return name;
}
