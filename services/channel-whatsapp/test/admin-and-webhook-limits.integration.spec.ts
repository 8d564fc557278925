/*
 * Admin actions on WhatsApp connections are audited (connect, disconnect; whatsAppAuditLog for admins only),
 * the webhook is rate-limited per client IP with 429 + Retry-After (WEBHOOK_RATE_LIMIT_PER_MINUTE, as for
 * Telegram), and /metrics carries the bus series and whatsapp_outbox_backlog (decisions 0027, 0028).
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
  postWhatsAppWebhook,
  waMessagesChange,
  waText,
  waWebhook,
  waitFor,
  type TestDatabase,
} from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { channelWhatsAppConfigSchema, startChannelWhatsAppService, type RunningChannelWhatsApp } from '../src';

jest.setTimeout(60_000);

const JWT_SECRET = 'integration-test-secret-of-32-chars!!';
const APP_SECRET = 'c1b2c3d4e5f60718293a4b5c6d7e8f90';
const NUMBER = { phoneNumberId: '106540352249001', wabaId: '102290129349001', displayPhoneNumber: '15550009001', verifiedName: 'Audit Shop' };
const TOKEN = `EAAG${'q'.repeat(40)}`;
const VERIFY_TOKEN = 'verify-token-audit-0123456789';
const CUSTOMER = { waId: '380501119001', name: 'Оксана' };

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

integrationSuite(['postgres'], 'channel-whatsapp admin audit and webhook limits')('channel-whatsapp admin audit, webhook limits and bus metrics', () => {
  const logger = createLogger('channel-whatsapp-limits-test', 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let graph: MetaGraphApiDouble;
  let service: RunningChannelWhatsApp;
  const adminId = randomUUID();
  let adminToken: string;

  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, token = adminToken) => {
    const response = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-correlation-id': 'corr-wa-audit' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  };
  const metrics = async () => (await fetch(`${service.url}/metrics`)).text();

  beforeAll(async () => {
    database = await createTestDatabase('whatsapp_limits');
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS, poolSize: 1 }), LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    graph = new MetaGraphApiDouble();
    await graph.start();
    graph.registerWhatsAppNumber({ ...NUMBER, accessToken: TOKEN, appSecret: APP_SECRET });
    service = await startChannelWhatsAppService({
      config: channelWhatsAppConfigSchema.parse({
        PORT: String(await freePort()),
        DATABASE_URL: database.url,
        JWT_SECRET,
        CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        WHATSAPP_GRAPH_API_BASE_URL: graph.baseUrl,
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
    const connected = await gql<{ connectWhatsAppNumber: { connection: { id: string } } }>(
      `mutation($input: ConnectWhatsAppNumberInput!) { connectWhatsAppNumber(input: $input) { connection { id } } }`,
      { input: { phoneNumberId: NUMBER.phoneNumberId, wabaId: NUMBER.wabaId, accessToken: TOKEN, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } },
    );
    expect(connected.errors).toBeUndefined();
    connectionId = connected.data!.connectWhatsAppNumber.connection.id;
    const log = await gql<{ whatsAppAuditLog: { action: string; targetType: string; targetId: string; actorId: string; actorRole: string; details: string; correlationId: string }[] }>(
      `{ whatsAppAuditLog { action targetType targetId actorId actorRole details correlationId } }`,
    );
    expect(log.data!.whatsAppAuditLog).toEqual([
      expect.objectContaining({ action: 'connection.connect', targetType: 'whatsapp-connection', targetId: connectionId, actorId: adminId, actorRole: 'admin', correlationId: 'corr-wa-audit' }),
    ]);
    expect(JSON.parse(log.data!.whatsAppAuditLog[0]!.details)).toEqual({ phoneNumber: NUMBER.displayPhoneNumber, phoneNumberId: NUMBER.phoneNumberId, wabaId: NUMBER.wabaId });
    for (const secret of [TOKEN, APP_SECRET, VERIFY_TOKEN]) expect(log.data!.whatsAppAuditLog[0]!.details).not.toContain(secret);
    const operator = await signAccessToken({ employeeId: randomUUID(), role: 'operator', name: 'Op' }, { secret: JWT_SECRET, ttlSeconds: 60 });
    expect((await gql(`{ whatsAppAuditLog { id } }`, {}, operator)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('counts its own bus traffic and outbox backlog on /metrics after a webhook', async () => {
    const before = sample(await metrics(), 'bus_records_published_total', { topic: TOPICS.inbound }) ?? 0;
    const payload = waWebhook([{ wabaId: NUMBER.wabaId, changes: [waMessagesChange({ number: NUMBER, contacts: [CUSTOMER], messages: [waText(CUSTOMER, 'Привіт')] })] }]);
    expect((await postWhatsAppWebhook(`${service.url}/webhooks/whatsapp`, payload, { appSecret: APP_SECRET })).status).toBe(200);
    const text = await waitFor(
      async () => {
        const scraped = await metrics();
        // The relay deletes a row only after the bus acknowledged it, so a scrape in between sees it still waiting.
        return (sample(scraped, 'bus_records_published_total', { topic: TOPICS.inbound }) ?? 0) > before && sample(scraped, 'whatsapp_outbox_backlog') === 0 && scraped;
      },
      { timeoutMs: 20_000, description: 'the inbound event to be counted as published and the outbox to be drained' },
    );
    expect(sample(text, 'whatsapp_outbox_backlog')).toBe(0);
    // Registered with the shared names even before anything was consumed or dead-lettered.
    for (const name of ['bus_records_consumed_total', 'bus_consumer_lag', 'bus_dead_letters_total']) expect(text).toContain(`# TYPE ${name} `);
  });

  it('answers 429 with Retry-After once an address exceeds the webhook budget, before reading the body', async () => {
    // The previous test spent one of the 3 requests of this address; unsigned requests are 401 while within the budget.
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${service.url}/webhooks/whatsapp`, { method: 'POST', body: '{}' });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
      await response.body?.cancel();
    }
    expect(statuses).toEqual([401, 401, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // The verification GET (served by express) spends the same budget as the POSTs (a webhook endpoint).
    const verification = await fetch(`${service.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`);
    expect(verification.status).toBe(429);
    expect(sample(await metrics(), 'rate_limit_refused_total', { rule: 'webhook-whatsapp' })).toBe(3);
  });

  it('audits disconnect', async () => {
    const disconnected = await gql(`mutation($id: ID!) { disconnectWhatsAppNumber(id: $id) { connection { id } } }`, { id: connectionId });
    expect(disconnected.errors).toBeUndefined();
    const log = await gql<{ whatsAppAuditLog: { action: string; targetId: string }[] }>(`{ whatsAppAuditLog(targetId: "${connectionId}") { action targetId } }`);
    expect(log.data!.whatsAppAuditLog.map((e) => e.action)).toEqual(['connection.disconnect', 'connection.connect']);
  });
});
