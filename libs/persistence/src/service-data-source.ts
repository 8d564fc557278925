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
