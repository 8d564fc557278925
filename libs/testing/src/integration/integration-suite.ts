import { spawnSync } from 'node:child_process';
import { isKcatAvailable } from '../kafka/kafka-mock-cluster';
import { adminDatabaseUrl } from '../postgres/test-database';

/**
 * The REQUIRE_INTEGRATION convention in one place. A suite that needs PostgreSQL or Kafka (kcat's mock
 * cluster) skips with a console.warn naming what is missing; under REQUIRE_INTEGRATION=1 (CI) a missing
 * dependency fails the test file instead, so CI never goes green by skipping.
 *
 * Jest registers suites synchronously, so the probes here are synchronous (a child process for PostgreSQL)
 * and cached per process.
 */
export type IntegrationNeed = 'postgres' | 'kafka' | 'redis';

export function integrationRequired(): boolean {
  return process.env['REQUIRE_INTEGRATION'] === '1';
}

const probes = new Map<IntegrationNeed, string | undefined>();

/** Why `need` is unusable on this machine, or undefined when it is available. Cached per process. */
export function integrationProblem(need: IntegrationNeed): string | undefined {
  if (!probes.has(need)) probes.set(need, need === 'kafka' ? probeKafka() : need === 'redis' ? probeRedis() : probePostgres());
  return probes.get(need);
}

/**
 * True when every need is available. Otherwise: throws under REQUIRE_INTEGRATION=1, else warns
 * "Skipping <what>: ..." and returns false.
 */
export function integrationAvailable(needs: readonly IntegrationNeed[], what: string): boolean {
  const problems = [...new Set(needs)].map(integrationProblem).filter((p): p is string => p !== undefined);
  if (problems.length === 0) return true;
  if (integrationRequired()) throw new Error(`REQUIRE_INTEGRATION=1 but ${what} cannot run: ${problems.join('; ')}`);
  console.warn(`Skipping ${what}: ${problems.join('; ')}`);
  return false;
}

/** `describe` when the needs are met, `describe.skip` (after a warning) when not; throws under REQUIRE_INTEGRATION=1. */
export function integrationSuite(needs: readonly IntegrationNeed[], what: string): jest.Describe {
  return integrationAvailable(needs, what) ? describe : describe.skip;
}

function probeKafka(): string | undefined {
  return isKcatAvailable() ? undefined : 'kcat (librdkafka mock Kafka cluster) is not installed';
}

function probePostgres(): string | undefined {
  const url = adminDatabaseUrl();
  // A real login (not just an open port): wrong credentials must count as "missing", not fail later.
  const script = `
    const { Client } = require(${JSON.stringify(require.resolve('pg'))});
    const client = new Client({ connectionString: process.env.PROBE_URL, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    client.connect().then(() => client.query('SELECT 1')).then(
      () => client.end().then(() => process.exit(0)),
      (error) => { console.error(error.message); process.exit(1); },
    );`;
  const result = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, PROBE_URL: url, NODE_OPTIONS: '' },
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (result.status === 0) return undefined;
  const reason = (result.stderr || result.error?.message || `exit ${result.status}`).trim().split('\n')[0];
  return `PostgreSQL at ${redact(url)} is not reachable (${reason})`;
}

/** Redis for tests: TEST_REDIS_URL, default redis://127.0.0.1:6379. */
export function testRedisUrl(): string {
  return process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

function probeRedis(): string | undefined {
  const { hostname, port } = new URL(testRedisUrl());
  // A PING answered with +PONG (not just an open port), synchronously like the PostgreSQL probe.
  const script = `
    const socket = require('node:net').createConnection({ host: process.env.PROBE_HOST, port: Number(process.env.PROBE_PORT) });
    socket.setTimeout(2000, () => { console.error('timeout'); process.exit(1); });
    socket.on('error', (error) => { console.error(error.message); process.exit(1); });
    socket.on('connect', () => socket.write('PING\\r\\n'));
    socket.on('data', (data) => process.exit(String(data).startsWith('+PONG') ? 0 : 1));`;
  const result = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, PROBE_HOST: hostname, PROBE_PORT: port || '6379', NODE_OPTIONS: '' },
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (result.status === 0) return undefined;
  const reason = (result.stderr || result.error?.message || `exit ${result.status}`).trim().split('\n')[0];
  return `Redis at ${hostname}:${port || '6379'} is not reachable (${reason})`;
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable TEST_DATABASE_ADMIN_URL)';
  }
}
