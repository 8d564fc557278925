/*
 * Operations CLI (`npm run ops -- <command>`); the runbook is docs/operations.md.
 *
 *   dlq list <topic> [--limit N] [--json]                   dead letters parked on <topic>.dlq
 *   dlq replay <topic> (--all | --offset P:O ...) [--dry-run]  publish them back to <topic>
 *   webhooks reregister                                      setWebhook again for every connector webhook
 *   rotate-key <service> [--dry-run]                         re-encrypt a connector's stored credentials
 *   migrate [schema ...]                                     scripts/migrate.ts (every schema by default)
 *
 * Env: the bus as the services read it (KAFKA_BROKERS for Kafka, else the PostgreSQL log bus at
 * BUS_DATABASE_URL or DATABASE_URL); DATABASE_URL (or <SCHEMA>_DATABASE_URL) for rotate-key and migrate;
 * CREDENTIALS_KEY (current) and NEW_CREDENTIALS_KEY for rotate-key; OPS_GATEWAY_URL, OPS_EMAIL and
 * OPS_PASSWORD (an admin) for webhooks, which go through the public GraphQL API like any admin action, so
 * they are authorised and audited as one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import {
  KafkaDeadLetterStore,
  LogDeadLetterStore,
  toReplayRecord,
  type DeadLetter,
  type DeadLetterStore,
} from '@switchboard/messaging';
import {
  busConfigSchema,
  createBusTransport,
  createLogger,
  credentialsKeySchema,
  loadConfig,
  rotateCredentials,
  type CredentialColumnSpec,
} from '@switchboard/service-kit';
import { z } from 'zod';

const ROOT = join(__dirname, '..');
const USAGE = `usage: npm run ops -- <command>
  dlq list <topic> [--limit N] [--json]
  dlq replay <topic> (--all | --offset PARTITION:OFFSET ...) [--dry-run]
  webhooks reregister
  rotate-key <service> [--dry-run]
  migrate [schema ...]`;

class UsageError extends Error {}

const logger = createLogger('ops', process.env['LOG_LEVEL'] ?? 'warn');

function busConfig() {
  return loadConfig('ops', busConfigSchema.extend({ DATABASE_URL: z.string().optional() }), process.env);
}

function deadLetterStore(): DeadLetterStore {
  const config = busConfig();
  if (config.KAFKA_BROKERS.length > 0) return new KafkaDeadLetterStore(config.KAFKA_BROKERS);
  const url = config.BUS_DATABASE_URL ?? config.DATABASE_URL;
  if (!url) throw new UsageError('set KAFKA_BROKERS (Kafka) or BUS_DATABASE_URL / DATABASE_URL (log bus)');
  return new LogDeadLetterStore(url);
}

function printDeadLetters(letters: readonly DeadLetter[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(letters, null, 2)}\n`);
    return;
  }
  if (letters.length === 0) {
    process.stdout.write('no dead letters\n');
    return;
  }
  for (const l of letters) {
    process.stdout.write(
      `${l.partition}:${l.offset}  key=${l.key}  group=${l.group ?? '?'}  attempts=${l.attempts ?? '?'}  parked=${l.parkedAt ?? '?'}\n` +
        `    type=${l.headers['event-type'] ?? '?'}  event=${l.headers['event-id'] ?? '?'}\n    error: ${l.error ?? '?'}\n`,
    );
  }
  process.stdout.write(`${letters.length} dead letter(s) on ${letters[0]!.dlqTopic}\n`);
}

async function dlq(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      offset: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const [action, topic] = positionals;
  if (!topic || (action !== 'list' && action !== 'replay') || positionals.length > 2) throw new UsageError(USAGE);
  const limit = values.limit === undefined ? 1000 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
  const store = deadLetterStore();
  try {
    const letters = await store.list(topic, { limit: action === 'replay' ? Number.MAX_SAFE_INTEGER : limit });
    if (action === 'list') {
      printDeadLetters(letters, values.json);
      return;
    }
    const wanted = values.offset ?? [];
    if (values.all === wanted.length > 0) throw new UsageError('dlq replay needs either --all or one or more --offset PARTITION:OFFSET');
    for (const o of wanted) if (!/^\d+:\d+$/.test(o)) throw new UsageError(`--offset ${o}: expected PARTITION:OFFSET, e.g. 2:17`);
    const selected = values.all ? letters : letters.filter((l) => wanted.includes(`${l.partition}:${l.offset}`));
    const missing = wanted.filter((o) => !letters.some((l) => `${l.partition}:${l.offset}` === o));
    if (missing.length > 0) throw new Error(`no dead letter at ${missing.join(', ')} on ${letters[0]?.dlqTopic ?? topic}; nothing replayed`);
    if (selected.length === 0) {
      process.stdout.write('no dead letters to replay\n');
      return;
    }
    const records = selected.map(toReplayRecord);
    if (values['dry-run']) {
      for (const r of records) process.stdout.write(`would replay key=${r.key} to ${r.topic} (from ${r.headers?.['dlq-replayed-from']})\n`);
      return;
    }
    const config = busConfig();
    const transport = createBusTransport({ config, clientId: 'switchboard-ops', databaseUrl: config.BUS_DATABASE_URL ?? config.DATABASE_URL ?? '', logger });
    await transport.connect();
    try {
      // One publish: acknowledged as a whole (durable) before this reports success.
      await transport.publish(records);
    } finally {
      await transport.close();
    }
    for (const r of records) process.stdout.write(`replayed key=${r.key} to ${r.topic} (from ${r.headers?.['dlq-replayed-from']})\n`);
    process.stdout.write(`${records.length} record(s) replayed; the dead letters stay on the topic as the record of what happened\n`);
  } finally {
    await store.close();
  }
}

/** Connector mutations that re-register webhooks (connectors whose platform has per-connection webhooks). */
const WEBHOOK_REREGISTRATIONS = [{ connector: 'channel-telegram', mutation: 'reregisterTelegramWebhooks' }] as const;

async function webhooks(args: string[]): Promise<void> {
  if (args[0] !== 'reregister' || args.length !== 1) throw new UsageError(USAGE);
  const env = loadConfig(
    'ops webhooks',
    z.object({ OPS_GATEWAY_URL: z.url(), OPS_EMAIL: z.string().min(1), OPS_PASSWORD: z.string().min(1) }),
    process.env,
  );
  const call = async <T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> => {
    const response = await fetch(env.OPS_GATEWAY_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (!body.data || body.errors?.length) throw new Error(`gateway answered ${response.status}: ${body.errors?.map((e) => e.message).join('; ')}`);
    return body.data;
  };
  const { login } = await call<{ login: { accessToken: string } }>(`mutation($input: LoginInput!) { login(input: $input) { accessToken } }`, {
    input: { email: env.OPS_EMAIL, password: env.OPS_PASSWORD },
  });
  let failed = 0;
  for (const { connector, mutation } of WEBHOOK_REREGISTRATIONS) {
    const data = await call<Record<string, { connectionId: string; ok: boolean; error: string | null }[]>>(
      `mutation { ${mutation} { connectionId ok error } }`,
      {},
      login.accessToken,
    );
    const results = data[mutation] ?? [];
    for (const r of results) process.stdout.write(`${connector} ${r.connectionId}: ${r.ok ? 'ok' : `FAILED ${r.error}`}\n`);
    if (results.length === 0) process.stdout.write(`${connector}: no webhook connections\n`);
    failed += results.filter((r) => !r.ok).length;
  }
  if (failed > 0) throw new Error(`${failed} webhook(s) could not be re-registered`);
}

/** `<NAME>_CREDENTIAL_COLUMNS` and `<NAME>_SCHEMA` exported by @switchboard/<service>. */
async function credentialColumnsOf(service: string): Promise<{ schema: string; specs: readonly CredentialColumnSpec[] }> {
  const services = readdirSync(join(ROOT, 'services')).filter((s) => existsSync(join(ROOT, 'services', s, 'src', 'index.ts')));
  if (!services.includes(service)) throw new UsageError(`unknown service ${service}; known: ${services.join(', ')}`);
  const exports = (await import(`@switchboard/${service}`)) as Record<string, unknown>;
  for (const [name, value] of Object.entries(exports)) {
    const prefix = /^([A-Z][A-Z0-9_]*)_CREDENTIAL_COLUMNS$/.exec(name)?.[1];
    const schema = prefix ? exports[`${prefix}_SCHEMA`] : undefined;
    if (Array.isArray(value) && typeof schema === 'string') return { schema, specs: value as CredentialColumnSpec[] };
  }
  throw new UsageError(`${service} declares no stored credentials (no *_CREDENTIAL_COLUMNS export)`);
}

async function rotateKey(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'dry-run': { type: 'boolean', default: false } } });
  const [service] = positionals;
  if (!service || positionals.length !== 1) throw new UsageError(USAGE);
  const { schema, specs } = await credentialColumnsOf(service);
  const env = loadConfig(
    'ops rotate-key',
    z.object({ CREDENTIALS_KEY: credentialsKeySchema, NEW_CREDENTIALS_KEY: credentialsKeySchema, DATABASE_URL: z.string().optional() }),
    process.env,
  );
  const url = process.env[`${schema.toUpperCase()}_DATABASE_URL`] ?? env.DATABASE_URL;
  if (!url) throw new UsageError(`DATABASE_URL (or ${schema.toUpperCase()}_DATABASE_URL) is required`);
  const client = new Client({ connectionString: url, application_name: 'switchboard-ops-rotate-key' });
  await client.connect();
  try {
    const reports = await rotateCredentials({ client, specs, oldKey: env.CREDENTIALS_KEY, newKey: env.NEW_CREDENTIALS_KEY, dryRun: values['dry-run'] });
    for (const r of reports) {
      process.stdout.write(`${r.table}.${r.cipherColumn}: ${r.rotated} re-encrypted, ${r.alreadyRotated} already under the new key\n`);
    }
    process.stdout.write(
      values['dry-run']
        ? 'dry run: every credential opens with one of the keys; nothing was changed\n'
        : `done: set ${service}'s CREDENTIALS_KEY to the new key and restart it\n`,
    );
  } finally {
    await client.end();
  }
}

function migrate(args: string[]): void {
  const result = spawnSync(process.execPath, ['-r', join(ROOT, 'scripts', 'register.js'), join(ROOT, 'scripts', 'migrate.ts'), ...args], {
    stdio: 'inherit',
    env: process.env,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`migrate exited with ${result.status ?? result.signal}`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'dlq':
      return dlq(rest);
    case 'webhooks':
      return webhooks(rest);
    case 'rotate-key':
      return rotateKey(rest);
    case 'migrate':
      return migrate(rest);
    default:
      throw new UsageError(USAGE);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    // 64 (EX_USAGE) for a wrong invocation, 1 for a failed operation.
    process.exit(error instanceof UsageError ? 64 : 1);
  },
);
