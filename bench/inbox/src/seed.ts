import { CHAT_MIGRATIONS, CHAT_SCHEMA } from '@switchboard/chat';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { Client } from 'pg';
import { ADMIN, CONNECTIONS, MEMBERSHIPS, OPERATORS, type Scale } from './dataset';
import { CHAT_READS_SQL, CHATS_SQL, CUSTOMERS_SQL, HELPER_TABLES, MESSAGES_SQL, PLAN_SQL } from './seed-sql';
import { CITIES, CUSTOMER_PHRASES, LANGUAGES, NAMES, OPERATOR_PHRASES, PRODUCTS } from './vocabulary';

/** Bump when the generated data changes: a database seeded by another version is rebuilt. */
const SEED_VERSION = 1;
/**
 * The tables the bulk load fills: their keys and indexes are dropped first and rebuilt after.
 * chat_operators is derived from chats by triggers (migration 0008); those are disabled for the load and
 * the table filled once, set-based, by the migration's own chat.chat_operators_refill(). So is
 * chats.customer_search (migration 0009), which CHATS_SQL computes with chat.customer_search_text().
 */
const LOADED_TABLES = ['customers', 'chats', 'messages', 'chat_reads', 'connection_members', 'chat_operators'];

export interface SeedInfo {
  databaseUrl: string;
  databaseName: string;
  reused: boolean;
  seededAt: Date;
  /** How long the seed took when it ran (this run or the one that built the reused database). */
  seedSeconds: number;
  steps: { step: string; seconds: number }[];
  /** Migrations applied by this run (e.g. a new index on a reused database). */
  migrationsApplied: string[];
}

type Progress = (line: string) => void;

export function benchDatabaseName(fraction: number): string {
  return fraction === 1 ? 'switchboard_bench_inbox' : `switchboard_bench_inbox_${String(fraction).replace(/[^0-9]/g, '_')}`;
}

/**
 * The seeded inbox database: reused when it holds a complete seed of this size and version, otherwise
 * dropped, created, migrated with the chat service's own migrations and bulk-loaded.
 */
export async function prepareDatabase(options: { adminUrl: string; fraction: number; scale: Scale; reseed: boolean; progress: Progress }): Promise<SeedInfo> {
  const { progress } = options;
  const name = benchDatabaseName(options.fraction);
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();

  const admin = new Client({ connectionString: options.adminUrl });
  await admin.connect();
  let exists: boolean;
  try {
    exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount === 1;
    if (exists && !options.reseed) {
      const reused = await reusable(databaseUrl, options.scale, progress);
      if (reused) {
        const migrationsApplied = await migrate(databaseUrl, progress);
        // As after a seed: a migration's new table (or rewritten one) gets its visibility map and
        // statistics now, so index-only walks are measured as a vacuumed database serves them.
        if (migrationsApplied.length > 0) await vacuumAnalyze(databaseUrl, progress);
        return { databaseUrl, databaseName: name, reused: true, ...reused, migrationsApplied };
      }
    }
    progress(`seed: (re)creating database ${name}`);
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const migrationsApplied = await migrate(databaseUrl, progress);
  const started = Date.now();
  const steps = await bulkLoad(databaseUrl, options.scale, progress);
  const seedSeconds = (Date.now() - started) / 1000;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE TABLE public.bench_inbox_seed (seed_version int, chats bigint, messages bigint, seeded_at timestamptz, seed_seconds float8, steps jsonb)`);
    await client.query(`INSERT INTO public.bench_inbox_seed VALUES ($1, $2, $3, now(), $4, $5)`, [SEED_VERSION, options.scale.chats, options.scale.messages, seedSeconds, JSON.stringify(steps)]);
  } finally {
    await client.end();
  }
  progress(`seed: done in ${seedSeconds.toFixed(0)} s`);
  return { databaseUrl, databaseName: name, reused: false, seededAt: new Date(), seedSeconds, steps, migrationsApplied };
}

async function migrate(databaseUrl: string, progress: Progress): Promise<string[]> {
  const applied = await migrateSchema(createServiceDataSource({ url: databaseUrl, schema: CHAT_SCHEMA, migrations: CHAT_MIGRATIONS, poolSize: 1 }), CHAT_SCHEMA);
  if (applied.length > 0) progress(`seed: chat migrations applied: ${applied.join(', ')}`);
  return applied;
}

async function vacuumAnalyze(databaseUrl: string, progress: Progress): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const table of LOADED_TABLES) {
      progress(`seed: vacuum analyze chat.${table}`);
      await client.query(`VACUUM (ANALYZE) chat.${table}`);
    }
  } finally {
    await client.end();
  }
}

async function reusable(databaseUrl: string, scale: Scale, progress: Progress): Promise<Pick<SeedInfo, 'seededAt' | 'seedSeconds' | 'steps'> | undefined> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const marker = await client.query<{ seed_version: number; chats: string; messages: string; seeded_at: Date; seed_seconds: number; steps: SeedInfo['steps'] }>(
      `SELECT * FROM public.bench_inbox_seed`,
    ).catch(() => undefined);
    const row = marker?.rows[0];
    if (!row || row.seed_version !== SEED_VERSION || Number(row.chats) !== scale.chats || Number(row.messages) !== scale.messages) {
      progress('seed: the existing database is not a complete seed of this size and version; rebuilding');
      return undefined;
    }
    const counts = (
      await client.query<{ chats: string; customers: string; messages: string }>(
        `SELECT (SELECT count(*) FROM chat.chats) AS chats, (SELECT count(*) FROM chat.customers) AS customers, (SELECT count(*) FROM chat.messages) AS messages`,
      )
    ).rows[0]!;
    if (Number(counts.chats) !== scale.chats || Number(counts.customers) !== scale.chats || Number(counts.messages) !== scale.messages) {
      progress(`seed: row counts differ (${JSON.stringify(counts)}); rebuilding`);
      return undefined;
    }
    progress(`seed: reusing ${databaseUrl.replace(/^.*\//, '')} (${scale.chats} chats, ${scale.messages} messages, seeded ${row.seeded_at.toISOString()})`);
    return { seededAt: row.seeded_at, seedSeconds: row.seed_seconds, steps: row.steps };
  } finally {
    await client.end();
  }
}

interface KeyDefinitions {
  constraints: { table: string; name: string; type: string; def: string }[];
  indexes: { name: string; def: string }[];
}

/** The keys and indexes the migrations created on the loaded tables, exactly as PostgreSQL reports them. */
async function keyDefinitions(client: Client): Promise<KeyDefinitions> {
  const constraints = await client.query<KeyDefinitions['constraints'][number]>(
    `SELECT t.relname AS table, c.conname AS name, c.contype AS type, pg_get_constraintdef(c.oid) AS def
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
     WHERE c.connamespace = 'chat'::regnamespace AND t.relname = ANY($1) AND c.contype IN ('p', 'u', 'f')
     ORDER BY c.conname`,
    [LOADED_TABLES],
  );
  const indexes = await client.query<KeyDefinitions['indexes'][number]>(
    `SELECT ic.relname AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
     WHERE t.relnamespace = 'chat'::regnamespace AND t.relname = ANY($1)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u'))
     ORDER BY ic.relname`,
    [LOADED_TABLES],
  );
  return { constraints: constraints.rows, indexes: indexes.rows };
}

async function bulkLoad(databaseUrl: string, scale: Scale, progress: Progress): Promise<{ step: string; seconds: number }[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const steps: { step: string; seconds: number }[] = [];
  const step = async (label: string, work: () => Promise<unknown>) => {
    progress(`seed: ${label}...`);
    const started = Date.now();
    await work();
    const seconds = (Date.now() - started) / 1000;
    steps.push({ step: label, seconds });
    progress(`seed: ${label}: ${seconds.toFixed(1)} s`);
  };
  try {
    await client.query(`SET maintenance_work_mem = '1GB'`);
    await client.query(`SET work_mem = '256MB'`);
    await client.query(`SET synchronous_commit = off`);
    const keys = await keyDefinitions(client);
    const foreign = keys.constraints.filter((c) => c.type === 'f');
    const unique = keys.constraints.filter((c) => c.type !== 'f');

    await step('drop keys and secondary indexes', async () => {
      for (const c of foreign) await client.query(`ALTER TABLE chat.${c.table} DROP CONSTRAINT ${c.name}`);
      for (const c of unique) await client.query(`ALTER TABLE chat.${c.table} DROP CONSTRAINT ${c.name}`);
      for (const i of keys.indexes) await client.query(`DROP INDEX chat.${i.name}`);
      // Row triggers would maintain derived data one chat at a time; it is filled set-based instead
      // (chat_operators below; chats.customer_search by CHATS_SQL, with migration 0009's function).
      await client.query(`ALTER TABLE chat.chats DISABLE TRIGGER USER`);
    });
    await step('helper tables', async () => {
      for (const sql of HELPER_TABLES) await client.query(sql);
      await fillHelperTables(client);
    });
    const now = new Date();
    await step(`plan ${scale.chats} chats`, () => client.query(PLAN_SQL, [scale.chats, connectionThresholds(), OPERATORS.map((o) => o.employeeId), ADMIN.employeeId, now]));
    await step(`customers (${scale.chats})`, () => client.query(CUSTOMERS_SQL, [[...LANGUAGES]]));
    await step(`chats (${scale.chats})`, () => client.query(CHATS_SQL, [PRODUCTS]));
    await step(`messages (${scale.messages})`, () => client.query(MESSAGES_SQL, [PRODUCTS, OPERATORS.map((o) => o.employeeId)]));
    await step('connection members, chat number counter', async () => {
      await client.query(
        `INSERT INTO chat.connection_members (connection_id, employee_id, added_by) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[])`,
        [MEMBERSHIPS.map((m) => CONNECTIONS[m.connection]!.id), MEMBERSHIPS.map((m) => OPERATORS[m.operator]!.employeeId), MEMBERSHIPS.map(() => ADMIN.employeeId)],
      );
      await client.query(`UPDATE chat.chat_number_counter SET last_number = $1 WHERE id = 1`, [scale.chats]);
    });
    await step('read marks', () => client.query(CHAT_READS_SQL));
    await step('chat operators (derived)', async () => {
      await client.query(`SELECT chat.chat_operators_refill()`);
      await client.query(`ALTER TABLE chat.chats ENABLE TRIGGER USER`);
    });
    await client.query(`DROP SCHEMA bench_seed CASCADE`);
    for (const c of unique) await step(`constraint ${c.name}`, () => client.query(`ALTER TABLE chat.${c.table} ADD CONSTRAINT ${c.name} ${c.def}`));
    for (const c of foreign) await step(`constraint ${c.name}`, () => client.query(`ALTER TABLE chat.${c.table} ADD CONSTRAINT ${c.name} ${c.def}`));
    for (const i of keys.indexes) await step(`index ${i.name}`, () => client.query(i.def));
    const rebuilt = await keyDefinitions(client);
    if (JSON.stringify(rebuilt) !== JSON.stringify(keys)) throw new Error(`rebuilt keys differ from the migrations' ones:\n${JSON.stringify({ keys, rebuilt }, null, 1)}`);
    await step('vacuum analyze', async () => {
      for (const table of LOADED_TABLES) await client.query(`VACUUM (ANALYZE) chat.${table}`);
    });
    return steps;
  } finally {
    await client.end();
  }
}

/** Where each connection's share of chats starts on [0, 1), for width_bucket(). */
function connectionThresholds(): number[] {
  const total = CONNECTIONS.reduce((n, c) => n + c.weight, 0);
  let start = 0;
  return CONNECTIONS.map((c) => {
    const threshold = start / total;
    start += c.weight;
    return threshold;
  });
}

async function fillHelperTables(client: Client): Promise<void> {
  for (const c of CONNECTIONS) {
    await client.query(`INSERT INTO bench_seed.connections VALUES ($1, $2, $3, $4)`, [c.index, c.id, c.channel, c.displayName]);
    const members = MEMBERSHIPS.filter((m) => m.connection === c.index).map((m) => OPERATORS[m.operator]!.employeeId);
    await client.query(`INSERT INTO bench_seed.conn_members VALUES ($1, $2, $3)`, [c.index, members, members.length]);
  }
  for (const [lang, language] of LANGUAGES.entries()) {
    const cities = CITIES[language];
    for (const [role, phrases] of [CUSTOMER_PHRASES[language], OPERATOR_PHRASES[language]].entries()) {
      await client.query(`INSERT INTO bench_seed.vocab VALUES ($1, $2, $3, $4, $5, $6)`, [lang, role, phrases, phrases.length, cities, cities.length]);
    }
    const names = NAMES[language];
    await client.query(`INSERT INTO bench_seed.names VALUES ($1, $2, $3, $4)`, [lang, names.first, names.firstLatin, names.last]);
  }
}
