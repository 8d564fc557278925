/*
 * Cluster mode on one machine, without Docker (`npm run cluster`): every service as its own process against
 * PostgreSQL, Redis and a Kafka-protocol cluster (librdkafka's mock cluster, started with kcat), with two
 * instances of the chat service and of the Telegram connector, so consumer-group rebalancing is real.
 *
 *   npm run cluster                                  # defaults below; Ctrl-C stops everything
 *   npm run cluster -- --chat 3 --channel-telegram 2 --fresh
 *
 * Options: --<service> N (instances of a service; chat and channel-telegram default to 2, others to 1),
 * --fresh (drop and recreate the database first). Env: CLUSTER_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/switchboard_cluster, created if missing), CLUSTER_REDIS_URL (default
 * redis://127.0.0.1:6379, checked, and passed as REDIS_URL for the shared rate-limit counters), CLUSTER_PORT_BASE (default 4400: the
 * gateway, then one port per process), JWT_SECRET / CREDENTIALS_KEY (generated when unset), LOG_LEVEL.
 *
 * Each process's JSON log lines are prefixed with its name (chat#2 ...). The gateway talks to the first
 * instance of each subgraph (there is no load balancer here); the Kafka consumers of every instance share
 * their groups. The mock cluster keeps its data in memory: stopping this command loses the bus, not the
 * database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { isKcatAvailable, startKafkaMockCluster, type KafkaMockCluster } from '@switchboard/testing';

const ROOT = join(__dirname, '..');
const DEFAULT_INSTANCES: Record<string, number> = { chat: 2, 'channel-telegram': 2 };
const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 20_000;

interface Member {
  name: string;
  service: string;
  port: number;
  child: ChildProcess;
  exited: Promise<void>;
}

function parseArgs(argv: string[]): { instances: Record<string, number>; fresh: boolean } {
  const instances: Record<string, number> = { ...DEFAULT_INSTANCES };
  let fresh = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--fresh') fresh = true;
    else if (arg.startsWith('--')) {
      const count = Number(argv[++i]);
      if (!Number.isInteger(count) || count < 0) throw new Error(`${arg} needs a number of instances`);
      instances[arg.slice(2)] = count;
    } else throw new Error(`unknown argument ${arg}`);
  }
  return { instances, fresh };
}

/** Creates (or with --fresh re-creates) the cluster's database; PostgreSQL must be reachable. */
async function prepareDatabase(url: string, fresh: boolean): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name} must be a plain identifier`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    if (fresh) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** Runs an entry point as its own Node process; its output lines get a name prefix. */
function spawnEntry(name: string, entry: string, env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null> } {
  const { NODE_OPTIONS: _jestOptions, ...inherited } = process.env;
  const child = spawn(process.execPath, ['-r', './scripts/register.js', entry], { cwd: ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `${name.padEnd(20)}| `;
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

async function waitReady(member: Member, stopped: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (stopped()) throw new Error(`${member.name} exited before it was ready`);
    try {
      const response = await fetch(`http://127.0.0.1:${member.port}/ready`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${member.name} was not ready within ${READY_TIMEOUT_MS / 1000} s`);
}

async function main(): Promise<void> {
  const { instances, fresh } = parseArgs(process.argv.slice(2));
  const databaseUrl = process.env.CLUSTER_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/switchboard_cluster';
  const redisUrl = process.env.CLUSTER_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const portBase = Number(process.env.CLUSTER_PORT_BASE ?? 4400);

  if (!isKcatAvailable()) throw new Error('kcat is required for the mock Kafka cluster (apt-get install kcat)');
  await prepareDatabase(databaseUrl, fresh);
  if (!(await redisAnswers(redisUrl))) throw new Error(`Redis does not answer at ${redisUrl}`);

  const members: Member[] = [];
  let kafka: KafkaMockCluster | undefined;
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    if (stopping) return new Promise<never>(() => undefined);
    stopping = true;
    console.log('--- stopping: SIGTERM to every service (consumers drain), then the mock Kafka cluster');
    for (const member of [...members].reverse()) member.child.kill('SIGTERM');
    const killer = setTimeout(() => members.forEach((m) => m.child.kill('SIGKILL')), STOP_GRACE_MS);
    await Promise.all(members.map((m) => m.exited));
    clearTimeout(killer);
    await kafka?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    kafka = await startKafkaMockCluster({ brokers: 3 });
    const common: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
      CREDENTIALS_KEY: process.env.CREDENTIALS_KEY ?? randomBytes(32).toString('base64'),
      KAFKA_BROKERS: kafka.brokers.join(','),
      // Rate-limit counters shared by every instance (gateway, identity, webhook connectors; decision 0027).
      REDIS_URL: redisUrl,
      // The mock cluster does not wake a waiting fetch when data arrives (../shared/ARCHITECTURE.md).
      KAFKA_MAX_WAIT_MS: '10',
      // A killed instance's partitions move after this; short, so rebalancing is visible.
      KAFKA_SESSION_TIMEOUT_MS: process.env.KAFKA_SESSION_TIMEOUT_MS ?? '10000',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    };
    console.log(`--- Kafka mock cluster (kcat pid ${kafka.pid}): ${kafka.brokers.join(',')}`);

    console.log('--- migrating every schema once (scripts/migrate.ts)');
    const migrate = spawnEntry('migrate', 'scripts/migrate.ts', common);
    if ((await migrate.exited) !== 0) throw new Error('migrations failed');

    const services = readdirSync(join(ROOT, 'services')).filter((name) => existsSync(join(ROOT, 'services', name, 'src', 'main.ts'))).sort();
    for (const unknown of Object.keys(instances).filter((name) => !services.includes(name))) throw new Error(`--${unknown}: no such service`);
    // Identity first (the others verify its tokens), chat before tasks (tasks calls it), the gateway last.
    const order = ['identity', 'chat', ...services.filter((s) => s !== 'identity' && s !== 'chat')];
    let nextPort = portBase + 1;
    const firstUrl = new Map<string, string>();
    const start = (service: string, index: number, entry: string, env: Record<string, string>): Member => {
      const port = service === 'gateway' ? portBase : nextPort++;
      const name = `${service}#${index}`;
      const { child, exited } = spawnEntry(name, entry, { ...common, ...env, PORT: String(port) });
      const member: Member = { name, service, port, child, exited: exited.then(() => undefined) };
      void exited.then((code) => {
        if (!stopping) console.log(`--- ${name} exited (${code ?? 'signal'})`);
      });
      members.push(member);
      return member;
    };
    for (const service of order) {
      const count = instances[service] ?? 1;
      const started: Member[] = [];
      for (let i = 1; i <= count; i++) {
        // Variables a service does not read are ignored by its config schema.
        const env: Record<string, string> = {
          ADMIN_EMAIL: process.env.ADMIN_EMAIL ?? 'admin@switchboard.local',
          ADMIN_PASSWORD: process.env.ADMIN_PASSWORD ?? 'switchboard',
          ...(firstUrl.has('chat') ? { CHAT_SERVICE_URL: firstUrl.get('chat') as string } : {}),
        };
        started.push(start(service, i, `services/${service}/src/main.ts`, env));
      }
      await Promise.all(started.map((m) => waitReady(m, () => m.child.exitCode !== null || m.child.signalCode !== null)));
      if (started[0]) firstUrl.set(service, `http://127.0.0.1:${started[0].port}`);
    }
    // Every subgraph's URL, named as the gateway's config expects (CHANNEL_TELEGRAM_SUBGRAPH_URL, ...).
    const subgraphUrls = Object.fromEntries(
      [...firstUrl].map(([service, url]) => [`${service.toUpperCase().replace(/-/g, '_')}_SUBGRAPH_URL`, `${url}/graphql`]),
    );
    const gateway = start('gateway', 1, 'gateway/src/main.ts', subgraphUrls);
    await waitReady(gateway, () => gateway.child.exitCode !== null || gateway.child.signalCode !== null);

    console.log('\n--- cluster mode is up (Ctrl-C stops it)');
    for (const m of members) console.log(`    ${m.name.padEnd(20)} pid ${String(m.child.pid).padEnd(8)} http://127.0.0.1:${m.port}`);
    console.log(`    GraphQL: http://127.0.0.1:${portBase}/graphql   login: ${process.env.ADMIN_EMAIL ?? 'admin@switchboard.local'}`);
  } catch (error) {
    console.error(`cluster mode failed: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll(1);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
