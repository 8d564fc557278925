/*
 * Admin actions on Viber connections are audited (connect, disconnect; viberAuditLog for admins only),
 * callbacks are rate-limited per (connection, client IP) with 429 + Retry-After (WEBHOOK_RATE_LIMIT_PER_MINUTE,
 * as for Telegram), and /metrics carries the bus series and viber_outbox_backlog (decisions 0027, 0028).
 * PostgreSQL, log bus, Viber double.
 */
import { TOPICS } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, signAccessToken } from '@switchboard/service-kit';
import { ViberApiDouble, createTestDatabase, freePort, integrationSuite, viberCallbacks, waitFor, type TestDatabase } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { channelViberConfigSchema, startChannelViberService, type RunningChannelViber } from '../src';

jest.setTimeout(60_000);

const BOT = { token: '4453b6ac12349001-e02c5f1217489001-daec9cbb54489001', id: 'pa:5638101235439001', name: 'Audit Shop', uri: 'auditshop' };
const JWT_SECRET = 'integration-test-secret-of-32-chars!!';
const CUSTOMER = { id: '01234567899A=', name: 'Оксана', language: 'uk', country: 'UA' };

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

integrationSuite(['postgres'], 'channel-viber admin audit and webhook limits')('channel-viber admin audit, webhook limits and bus metrics', () => {
  const logger = createLogger('channel-viber-limits-test', 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let viber: ViberApiDouble;
  let service: RunningChannelViber;
  const adminId = randomUUID();
  let adminToken: string;

  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, token = adminToken) => {
    const response = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-correlation-id': 'corr-viber-audit' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  };
  const metrics = async () => (await fetch(`${service.url}/metrics`)).text();

  beforeAll(async () => {
    database = await createTestDatabase('viber_limits');
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS, poolSize: 1 }), LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    viber = new ViberApiDouble({ bots: [BOT] });
    await viber.start();
    const port = await freePort();
    service = await startChannelViberService({
      config: channelViberConfigSchema.parse({
        PORT: String(port),
        DATABASE_URL: database.url,
        JWT_SECRET,
        VIBER_API_BASE_URL: viber.baseUrl,
        PUBLIC_WEBHOOK_BASE_URL: `http://127.0.0.1:${port}`,
        CREDENTIALS_KEY: randomBytes(32).toString('base64'),
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
    await viber?.stop();
    await database?.drop();
  });

  let connectionId: string;

  it('audits connect; the log is for admins only and holds no token', async () => {
    const connected = await gql<{ connectViberBot: { connection: { id: string } } }>(
      `mutation($input: ConnectViberBotInput!) { connectViberBot(input: $input) { connection { id } } }`,
      { input: { token: BOT.token } },
    );
    expect(connected.errors).toBeUndefined();
    connectionId = connected.data!.connectViberBot.connection.id;
    const log = await gql<{ viberAuditLog: { action: string; targetType: string; targetId: string; actorId: string; actorRole: string; details: string; correlationId: string }[] }>(
      `{ viberAuditLog { action targetType targetId actorId actorRole details correlationId } }`,
    );
    expect(log.data!.viberAuditLog).toEqual([
      expect.objectContaining({ action: 'connection.connect', targetType: 'viber-connection', targetId: connectionId, actorId: adminId, actorRole: 'admin', correlationId: 'corr-viber-audit' }),
    ]);
    expect(JSON.parse(log.data!.viberAuditLog[0]!.details)).toEqual({ account: BOT.name, accountId: BOT.id });
    expect(log.data!.viberAuditLog[0]!.details).not.toContain(BOT.token);
    const operator = await signAccessToken({ employeeId: randomUUID(), role: 'operator', name: 'Op' }, { secret: JWT_SECRET, ttlSeconds: 60 });
    expect((await gql(`{ viberAuditLog { id } }`, {}, operator)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('counts its own bus traffic and outbox backlog on /metrics after a callback', async () => {
    const before = sample(await metrics(), 'bus_records_published_total', { topic: TOPICS.inbound }) ?? 0;
    const response = await viber.deliver(BOT.token, viberCallbacks.message({ sender: CUSTOMER, message: { type: 'text', text: 'Привіт' } }));
    expect(response.status).toBe(200);
    // Viber callbacks go through the outbox: the relay's publish is what the bus acknowledges and counts.
    const text = await waitFor(
      async () => {
        const scraped = await metrics();
        // The relay deletes a row only after the bus acknowledged it, so a scrape in between sees it still waiting.
        return (sample(scraped, 'bus_records_published_total', { topic: TOPICS.inbound }) ?? 0) > before && sample(scraped, 'viber_outbox_backlog') === 0 && scraped;
      },
      { timeoutMs: 20_000, description: 'the inbound event to be counted as published and the outbox to be drained' },
    );
    expect(sample(text, 'viber_outbox_backlog')).toBe(0);
    for (const name of ['bus_records_consumed_total', 'bus_consumer_lag', 'bus_dead_letters_total']) expect(text).toContain(`# TYPE ${name} `);
  });

  it('answers 429 with Retry-After once a connection and address exceed the callback budget', async () => {
    const unknown = randomUUID();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${service.url}/webhooks/viber/${unknown}`, { method: 'POST', body: '{}' });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
      await response.body?.cancel();
    }
    // Unknown connection: 404 while within the budget, then refused before any lookup.
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Another connection id has its own budget.
    expect((await fetch(`${service.url}/webhooks/viber/${randomUUID()}`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect(sample(await metrics(), 'rate_limit_refused_total', { rule: 'webhook-viber' })).toBe(2);
  });

  it('audits disconnect', async () => {
    const disconnected = await gql(`mutation($id: ID!) { disconnectViberBot(id: $id) { connection { id } } }`, { id: connectionId });
    expect(disconnected.errors).toBeUndefined();
    const log = await gql<{ viberAuditLog: { action: string }[] }>(`{ viberAuditLog(targetId: "${connectionId}") { action } }`);
    expect(log.data!.viberAuditLog.map((e) => e.action)).toEqual(['connection.disconnect', 'connection.connect']);
  });
});
