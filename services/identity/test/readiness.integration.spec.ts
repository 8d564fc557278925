/*
 * /ready tells the truth: 200 only while the database and the bus answer, 503 naming the failing check
 * otherwise, and 200 again once they are back; /health (liveness) stays 200 throughout, so an outage of a
 * dependency takes the pod out of the load balancer without restarting it. Outages are made by cutting a
 * TCP proxy between the service and PostgreSQL (and, separately, between the log bus and PostgreSQL).
 */
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, loadConfig, type RunningService } from '@switchboard/service-kit';
import { TcpProxy, createTestDatabase, integrationSuite, waitFor, type TestDatabase } from '@switchboard/testing';
import { identityConfigSchema, startIdentityService } from '../src';

jest.setTimeout(60_000);

const JWT_SECRET = 'readiness-test-secret-of-32-characters!';

function viaProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.host = proxy.address;
  return parsed.toString();
}

async function readiness(service: RunningService): Promise<{ status: number; checks: Record<string, string> }> {
  const response = await fetch(`${service.url}/ready`);
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks };
}

integrationSuite(['postgres'], 'readiness against a cut PostgreSQL')('/ready with the database or the bus cut off', () => {
  const logger = createLogger('readiness-test', 'silent');
  let database: TestDatabase;
  let dbProxy: TcpProxy;
  let busProxy: TcpProxy;
  let bus: EventBus;
  let service: RunningService;

  beforeAll(async () => {
    database = await createTestDatabase('readiness');
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS, poolSize: 1 }), LOG_BUS_SCHEMA);
    const target = new URL(database.url);
    dbProxy = new TcpProxy({ targetHost: target.hostname, targetPort: Number(target.port || 5432) });
    busProxy = new TcpProxy({ targetHost: target.hostname, targetPort: Number(target.port || 5432) });
    await dbProxy.start();
    await busProxy.start();
    bus = new EventBus(new LogTransport({ databaseUrl: viaProxy(database.url, busProxy), logger, pollIntervalMs: 100 }), logger);
    await bus.transport.connect();
    service = await startIdentityService({
      logger,
      bus,
      config: loadConfig('identity', identityConfigSchema, { PORT: '0', DATABASE_URL: viaProxy(database.url, dbProxy), JWT_SECRET }),
    });
  });

  afterAll(async () => {
    dbProxy?.restore();
    busProxy?.restore();
    await service?.stop();
    await bus?.close();
    await dbProxy?.stop();
    await busProxy?.stop();
    await database?.drop();
  });

  it('is ready while both answer', async () => {
    expect(await readiness(service)).toEqual({ status: 200, checks: { database: 'ok', bus: 'ok' } });
  });

  it('is not ready while the database is cut off, and ready again after', async () => {
    dbProxy.cut();
    const during = await readiness(service);
    expect(during.status).toBe(503);
    expect(during.checks['database']).not.toBe('ok');
    expect(during.checks['bus']).toBe('ok');
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
    dbProxy.restore();
    await waitFor(async () => (await readiness(service)).status === 200, { timeoutMs: 15_000, intervalMs: 200 });
  });

  it('is not ready while the bus is cut off, and ready again after', async () => {
    busProxy.cut();
    const during = await readiness(service);
    expect(during.status).toBe(503);
    expect(during.checks['bus']).not.toBe('ok');
    expect(during.checks['database']).toBe('ok');
    busProxy.restore();
    await waitFor(async () => (await readiness(service)).status === 200, { timeoutMs: 15_000, intervalMs: 200 });
  });
});
