/*
 * `npm run migrate` (and the container role SERVICE=migrate, the Kubernetes migration Job, the compose
 * `migrate` service): applies every service's pending SQL migrations to its own schema, then exits.
 *
 * Services also migrate their schema at start, which is all a single instance needs. Running this first
 * is what makes a rollout of many replicas safe: the migrations run once, under one lock, before any new
 * pod starts, and the new pods find nothing pending. A failed migration stops the rollout while the old
 * version keeps serving (migrations must therefore stay compatible with the version still running).
 *
 * Env: DATABASE_URL (one PostgreSQL database, one schema per service); <SCHEMA>_DATABASE_URL overrides it
 * for one schema (e.g. CHAT_DATABASE_URL) when services live in different databases. Optional arguments
 * name the schemas to migrate (default: all).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createServiceDataSource, migrateSchema, type SqlMigrationSpec } from '@switchboard/persistence';
import { createLogger } from '@switchboard/service-kit';

interface SchemaMigrations {
  service: string;
  schema: string;
  migrations: readonly SqlMigrationSpec[];
}

/**
 * Every service that owns a schema, found by convention: its package (`@switchboard/<folder>`) exports
 * `<NAME>_SCHEMA` and `<NAME>_MIGRATIONS` (IDENTITY_SCHEMA + IDENTITY_MIGRATIONS, ...). A new service is
 * migrated by this script, the migration Job and compose without being listed anywhere.
 */
async function discoverSchemas(): Promise<SchemaMigrations[]> {
  const servicesDir = join(__dirname, '..', 'services');
  const found: SchemaMigrations[] = [];
  for (const service of readdirSync(servicesDir).sort()) {
    if (!existsSync(join(servicesDir, service, 'src', 'index.ts'))) continue;
    const exports = (await import(`@switchboard/${service}`)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      const prefix = /^([A-Z][A-Z0-9_]*)_MIGRATIONS$/.exec(name)?.[1];
      const schema = prefix ? exports[`${prefix}_SCHEMA`] : undefined;
      if (Array.isArray(value) && typeof schema === 'string') found.push({ service, schema, migrations: value as SqlMigrationSpec[] });
    }
  }
  return found;
}

/**
 * One advisory lock key for all migration runs: two migration Jobs (a retried rollout, a second overlay
 * applied by mistake) wait for each other instead of racing on the same schema_migrations table.
 */
const MIGRATION_LOCK_KEY = 0x5b_6d_69_67; // "[mig"

async function main(): Promise<void> {
  const logger = createLogger('migrate', process.env.LOG_LEVEL ?? 'info');
  const schemas = await discoverSchemas();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !schemas.some((s) => s.schema === name));
  if (unknown.length > 0) {
    throw new Error(`unknown schema(s): ${unknown.join(', ')}; known: ${schemas.map((s) => s.schema).join(', ')}`);
  }
  const selected = wanted.length > 0 ? schemas.filter((s) => wanted.includes(s.schema)) : schemas;

  for (const { service, schema, migrations } of selected) {
    const url = process.env[`${schema.toUpperCase()}_DATABASE_URL`] ?? process.env.DATABASE_URL;
    if (!url) throw new Error(`DATABASE_URL (or ${schema.toUpperCase()}_DATABASE_URL) is required`);
    const dataSource = createServiceDataSource({ url, schema, migrations, poolSize: 2, applicationName: `migrate-${schema}` });
    await dataSource.initialize();
    const lock = dataSource.createQueryRunner();
    try {
      await lock.connect();
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const applied = await migrateSchema(dataSource, schema);
      logger.info({ owner: `@switchboard/${service}`, schema, applied }, applied.length > 0 ? 'schema migrated' : 'schema up to date');
    } finally {
      // Released explicitly; it would also go with the session if the process died.
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await lock.release();
      await dataSource.destroy();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
