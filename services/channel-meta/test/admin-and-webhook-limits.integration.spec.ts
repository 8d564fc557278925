/*
 * Admin actions on Page connections are audited (connect, disconnect; metaAuditLog for admins only), the
 * webhook is rate-limited per client IP with 429 + Retry-After (WEBHOOK_RATE_LIMIT_PER_MINUTE, as for
 * Telegram), and /metrics carries the bus series and meta_outbox_backlog (decisions 0027, 0028).
 * PostgreSQL, log bus, Graph API double.
 */
import { TOPICS } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, signAccessToken } from '@switchboard/service-kit';
import {
  MetaGraphApiDouble,
  createTestDatabase,
  freePort,
  integrationSuite,
  metaTextMessage,
  metaWebhook,
  postMetaWebhook,
  waitFor,
  type TestDatabase,
} from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { channelMetaConfigSchema, startChannelMetaService, type RunningChannelMeta } from '../src';

jest.setTimeout(60_000);

const JWT_SECRET = 'integration-test-secret-of-32-chars!!';
const APP_SECRET = 'c1b2c3d4e5f60718293a4b5c6d7e8f90';
const PAGE = { pageId: '104857600009001', name: 'Audit Page', accessToken: `EAAB${'q'.repeat(40)}`, appSecret: APP_SECRET };
const VERIFY_TOKEN = 'meta-verify-token-audit-0123456789';
const PSID = '6000000000009001';

/** The value of one sample `name{labels...}` (labels matched as given, in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split('} ')[0] ?? '';
    if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

integrationSuite(['postgres'], 'channel-meta admin audit and webhook limits')('channel-meta admin audit, webhook limits and bus metrics', () => {
  const logger = createLogger('channel-meta-limits-test', 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let graph: MetaGraphApiDouble;
  let service: RunningChannelMeta;
  const adminId = randomUUID();
  let adminToken: string;

  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, token = adminToken) => {
    const response = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-correlation-id': 'corr-meta-audit' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  };
  const metrics = async () => (await fetch(`${service.url}/metrics`)).text();

  beforeAll(async () => {
    database = await createTestDatabase('meta_limits');
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS, poolSize: 1 }), LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    graph = new MetaGraphApiDouble();
    await graph.start();
    graph.registerPage(PAGE);
    service = await startChannelMetaService({
      config: channelMetaConfigSchema.parse({
        PORT: String(await freePort()),
        DATABASE_URL: database.url,
        JWT_SECRET,
        CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        META_GRAPH_API_BASE_URL: graph.baseUrl,
        META_SUBSCRIPTION_CHECK_INTERVAL_MS: '0',
        WEBHOOK_RATE_LIMIT_PER_MINUTE: '3',
      }),
      logger,
      bus,
      host: '127.0.0.1',
    });
    adminToken = await signAccessToken({ employeeId: adminId, role: 'admin', name: 'Admin' }, { secret: JWT_SECRET, ttlSeconds: 300 });
  });

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await graph?.stop();
    await database?.drop();
  });

  let connectionId: string;

  it('audits connect; the log is for admins only and holds no credentials', async () => {
    const connected = await gql<{ connectMetaPage: { connection: { id: string } } }>(
      `mutation($input: ConnectMetaPageInput!) { connectMetaPage(input: $input) { connection { id } } }`,
      { input: { pageId: PAGE.pageId, accessToken: PAGE.accessToken, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } },
    );
    expect(connected.errors).toBeUndefined();
    connectionId = connected.data!.connectMetaPage.connection.id;
    const log = await gql<{ metaAuditLog: { action: string; targetType: string; targetId: string; actorId: string; actorRole: string; details: string; correlationId: string }[] }>(
      `{ metaAuditLog { action targetType targetId actorId actorRole details correlationId } }`,
    );
    expect(log.data!.metaAuditLog).toEqual([
      expect.objectContaining({ action: 'connection.connect', targetType: 'meta-connection', targetId: connectionId, actorId: adminId, actorRole: 'admin', correlationId: 'corr-meta-audit' }),
    ]);
    expect(JSON.parse(log.data!.metaAuditLog[0]!.details)).toEqual({ page: PAGE.name, pageId: PAGE.pageId, instagramAccountId: null });
    for (const secret of [PAGE.accessToken, APP_SECRET, VERIFY_TOKEN]) expect(log.data!.metaAuditLog[0]!.details).not.toContain(secret);
    const operator = await signAccessToken({ employeeId: randomUUID(), role: 'operator', name: 'Op' }, { secret: JWT_SECRET, ttlSeconds: 60 });
    expect((await gql(`{ metaAuditLog { id } }`, {}, operator)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('counts its own bus traffic and outbox backlog on /metrics after a webhook', async () => {
    const before = sample(await metrics(), 'bus_records_published_total', { topic: TOPICS.inbound }) ?? 0;
    const payload = metaWebhook('page', [{ id: PAGE.pageId, messaging: [metaTextMessage({ from: PSID, to: PAGE.pageId, text: 'Привіт' })] }]);
    expect((await postMetaWebhook(`${service.url}/webhooks/meta`, payload, { appSecret: APP_SECRET })).status).toBe(200);
    const text = await waitFor(
      async () => {
        const scraped = await metrics();
        // The relay deletes a row only after the bus acknowledged it, so a scrape in between sees it still waiting.
        return (sample(scraped, 'bus_records_published_total', { topic: TOPICS.inbound }) ?? 0) > before && sample(scraped, 'meta_outbox_backlog') === 0 && scraped;
      },
      { timeoutMs: 20_000, description: 'the inbound event to be counted as published and the outbox to be drained' },
    );
    expect(sample(text, 'meta_outbox_backlog')).toBe(0);
    // Registered with the shared names even before anything was consumed or dead-lettered.
    for (const name of ['bus_records_consumed_total', 'bus_consumer_lag', 'bus_dead_letters_total']) expect(text).toContain(`# TYPE ${name} `);
  });

  it('answers 429 with Retry-After once an address exceeds the webhook budget, before reading the body', async () => {
    // The previous test spent one of the 3 requests of this address; unsigned requests are 401 while within the budget.
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${service.url}/webhooks/meta`, { method: 'POST', body: '{}' });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
      await response.body?.cancel();
    }
    expect(statuses).toEqual([401, 401, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(sample(await metrics(), 'rate_limit_refused_total', { rule: 'webhook-meta' })).toBe(2);
  });

  it('audits disconnect', async () => {
    const disconnected = await gql(`mutation($id: ID!) { disconnectMetaPage(id: $id) { connection { id } } }`, { id: connectionId });
    expect(disconnected.errors).toBeUndefined();
    // A health check changes nothing an admin decided: not audited.
    await gql(`mutation($id: ID!) { checkMetaPageHealth(id: $id) { connection { id } } }`, { id: connectionId });
    const log = await gql<{ metaAuditLog: { action: string; targetId: string }[] }>(`{ metaAuditLog(targetId: "${connectionId}") { action targetId } }`);
    expect(log.data!.metaAuditLog.map((e) => e.action)).toEqual(['connection.disconnect', 'connection.connect']);
  });
});
