/*
 * bench/ingest (issues 3 and 5): sustained inbound messages/s and webhook-to-chat-event latency at a fixed
 * offered load, on the Kafka and standalone runtimes, for Telegram updates and batched WhatsApp webhooks,
 * beside PostgreSQL's own insert ceiling.
 *
 *   npm run bench:ingest -- [--runtime kafka|standalone|both] [--profile telegram|whatsapp|both] [--messages N] [--rate R] [--duration S] [--quick]
 *
 * The report (markdown) goes to stdout, progress and product warnings to stderr. Exits 1 when any accepted
 * message's chat event never arrived, or a runtime failed.
 */
import { isKcatAvailable, isPostgresAvailable, createTestDatabase } from '@switchboard/testing';
import { startEmbeddedPostgres } from '@switchboard/persistence';
import pino from 'pino';
import { parseArgs } from 'node:util';
import { measureCeiling } from './ceiling';
import { benchmarkRuntime, type IngestOptions, type RuntimeResult } from './ingest-benchmark';
import { renderReport, type CeilingReport } from './report';
import { stopAllStacks, type Runtime } from './stack';
import { PROFILE_NAMES, type ProfileName } from './webhook-profiles';

const USAGE = `usage: npm run bench:ingest -- [options]
  --runtime kafka|standalone|both   (default both)
  --profile telegram|whatsapp|both  (default both): Telegram updates (one message per webhook) and/or
                      signed WhatsApp Cloud API webhooks carrying --wa-batch messages of different customers each
  --wa-batch N        messages per WhatsApp webhook (default 5)
  --messages N        messages in the sustained phase (default 20000; --quick 1000)
  --concurrency N     webhook requests in flight (default 64)
  --max-backlog N     sustained phase: at most N messages accepted but without their chat event yet (default 2000; 0 = no limit)
  --rate R            offered load of the latency phase, messages/s (not requests) (default 500)
  --duration S        length of the latency phase, seconds (default 20; --quick 3)
  --customers N       distinct customers, hence chats (default 200)
  --warmup N          unmeasured messages first, at least one per customer (default 3000; --quick 200)
  --ceiling-rows N    rows per PostgreSQL ceiling measurement (default 100000; --quick 5000)
  --ceiling-batch N   rows per INSERT in the ceiling (default 500)
  --kafka-brokers H:P,...  a real Kafka for the kafka runtime instead of librdkafka's mock cluster
  --single-process    kafka runtime: run the chat service and the connectors in the benchmark's process too
                      (default: each in its own process, as deployed)
  --mock-brokers N    brokers of librdkafka's mock cluster (default 3)
  --mock-max-wait-ms N  fetch wait on the mock cluster (default 50): how often idle consumers poll, and the
                      latency an empty fetch adds (the mock does not wake a waiting fetch when data arrives)
  --cpu-prof DIR      kafka runtime: write the service processes' V8 CPU profiles into DIR (profile the benchmark's own
                      process with: node --cpu-prof -r ./scripts/register.js bench/ingest/src/main.ts ...)
  --skip-ceiling      do not measure the PostgreSQL ceiling
  --quick             small numbers for a smoke run`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      runtime: { type: 'string', default: 'both' },
      profile: { type: 'string', default: 'both' },
      'wa-batch': { type: 'string' },
      messages: { type: 'string' },
      concurrency: { type: 'string' },
      'max-backlog': { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      customers: { type: 'string' },
      warmup: { type: 'string' },
      'ceiling-rows': { type: 'string' },
      'ceiling-batch': { type: 'string' },
      'kafka-brokers': { type: 'string' },
      'skip-ceiling': { type: 'boolean', default: false },
      'single-process': { type: 'boolean', default: false },
      'mock-brokers': { type: 'string' },
      'mock-max-wait-ms': { type: 'string' },
      'cpu-prof': { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: keyof typeof values, fallback: number, zeroAllowed = false): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < (zeroAllowed ? 0 : 1)) throw new Error(`--${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} integer, got ${String(raw)}\n${USAGE}`);
    return n;
  };
  const runtimes: Runtime[] = values.runtime === 'both' ? ['kafka', 'standalone'] : [values.runtime as Runtime];
  if (!runtimes.every((r) => r === 'kafka' || r === 'standalone')) throw new Error(`--runtime must be kafka, standalone or both\n${USAGE}`);
  const profiles: ProfileName[] = values.profile === 'both' ? [...PROFILE_NAMES] : [values.profile as ProfileName];
  if (!profiles.every((p) => PROFILE_NAMES.includes(p))) throw new Error(`--profile must be telegram, whatsapp or both\n${USAGE}`);
  const quick = values.quick;
  const ingest: IngestOptions = {
    profiles,
    waBatch: int('wa-batch', 5),
    messages: int('messages', quick ? 1_000 : 20_000),
    concurrency: int('concurrency', 64),
    maxBacklog: int('max-backlog', 2_000, true),
    rate: int('rate', 500),
    durationSeconds: int('duration', quick ? 3 : 20),
    customers: int('customers', 200),
    warmup: int('warmup', quick ? 200 : 3_000),
    idleTimeoutMs: 30_000,
  };
  const kafkaBrokers = values['kafka-brokers']?.split(',').filter(Boolean);
  return {
    runtimes,
    ingest,
    stack: {
      ...(kafkaBrokers?.length ? { kafkaBrokers } : {}),
      singleProcess: values['single-process'],
      profiles,
      mockBrokers: int('mock-brokers', 3),
      mockMaxWaitMs: int('mock-max-wait-ms', 50),
      ...(values['cpu-prof'] ? { cpuProfileDir: values['cpu-prof'] } : {}),
    },
    ceiling: values['skip-ceiling'] ? undefined : { rows: int('ceiling-rows', quick ? 5_000 : 100_000), batchSize: int('ceiling-batch', 500) },
  };
}

function progress(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

async function ceilings(runtimes: Runtime[], options: { rows: number; batchSize: number }): Promise<CeilingReport[]> {
  const reports: CeilingReport[] = [];
  const connections = [1, 4];
  if (await isPostgresAvailable()) {
    progress(`ceiling: PostgreSQL at 127.0.0.1:5432, ${options.rows} rows`);
    const db = await createTestDatabase('bench_ceiling');
    try {
      reports.push({ kind: 'server', batchSize: options.batchSize, ...(await measureCeiling({ databaseUrl: db.url, connections, ...options })) });
    } finally {
      await db.drop();
    }
  } else {
    progress('ceiling: PostgreSQL at 127.0.0.1:5432 is not reachable; skipped');
  }
  if (runtimes.includes('standalone')) {
    progress(`ceiling: embedded PGlite, ${options.rows} rows`);
    const pg = await startEmbeddedPostgres({});
    try {
      reports.push({ kind: 'pglite', batchSize: options.batchSize, ...(await measureCeiling({ databaseUrl: pg.url, connections, ...options })) });
    } finally {
      await pg.stop();
    }
  }
  return reports;
}

async function main(): Promise<number> {
  const options = parseOptions();
  if (options.runtimes.includes('kafka') && !((options.stack.kafkaBrokers || isKcatAvailable()) && (await isPostgresAvailable()))) {
    throw new Error('the kafka runtime needs PostgreSQL at 127.0.0.1:5432 (TEST_DATABASE_ADMIN_URL) and kcat or --kafka-brokers; use --runtime standalone');
  }
  // The product logs warnings and errors only, to stderr: stdout is the report.
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn', base: { service: 'bench' } }, pino.destination(2));
  const runs: RuntimeResult[] = [];
  const failures: string[] = [];
  for (const runtime of options.runtimes) {
    try {
      runs.push(...(await benchmarkRuntime(runtime, { ...options.ingest, ...options.stack }, logger, progress)));
    } catch (error) {
      progress(`${runtime} failed: ${(error as Error).stack ?? String(error)}`);
      failures.push(runtime);
    }
  }
  const ceilingReports = options.ceiling ? await ceilings(options.runtimes, options.ceiling) : [];
  console.log(renderReport(options.ingest, runs, ceilingReports, failures));
  const lost = runs.reduce((n, r) => n + r.sustained.lost + r.fixed.lost, 0);
  if (lost > 0) progress(`FAILED: ${lost} accepted messages never produced a chat event`);
  return lost > 0 || failures.length > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping`);
    void stopAllStacks().finally(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    void stopAllStacks().finally(() => process.exit(1));
  },
);
