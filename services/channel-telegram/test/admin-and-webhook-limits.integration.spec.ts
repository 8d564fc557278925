/*
 * Admin actions on connections are audited (connect, disconnect, webhook re-registration), and webhooks are
 * rate-limited per (connection, client IP) with 429 + Retry-After. PostgreSQL, log bus, Telegram double.
 */
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, signAccessToken } from '@switchboard/service-kit';
import { TelegramBotApiDouble, createTestDatabase, freePort, integrationSuite, type TestDatabase } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { channelTelegramConfigSchema, startChannelTelegramService, type RunningChannelTelegram } from '../src';

jest.setTimeout(60_000);

const BOT = { token: '444444:audit-bot-token', id: 444444, username: 'audit_shop_bot', firstName: 'Audit Shop' };
const JWT_SECRET = 'integration-test-secret-of-32-chars!!';

integrationSuite(['postgres'], 'channel-telegram admin audit and webhook limits')('channel-telegram admin audit and webhook limits', () => {
  const logger = createLogger('channel-telegram-limits-test', 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let telegram: TelegramBotApiDouble;
  let service: RunningChannelTelegram;
  const adminId = randomUUID();
  let adminToken: string;

  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, token = adminToken) => {
    const response = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-correlation-id': 'corr-audit-test' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  };

  beforeAll(async () => {
    database = await createTestDatabase('telegram_limits');
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS, poolSize: 1 }), LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 100 }), logger);
    await bus.transport.connect();
    telegram = new TelegramBotApiDouble();
    await telegram.start();
    telegram.registerBot(BOT);
    const port = await freePort();
    service = await startChannelTelegramService({
      config: channelTelegramConfigSchema.parse({
        DATABASE_URL: database.url,
        JWT_SECRET,
        TELEGRAM_API_BASE_URL: telegram.baseUrl,
        CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        PORT: String(port),
        PUBLIC_WEBHOOK_BASE_URL: `http://127.0.0.1:${port}`,
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
    await telegram?.stop();
    await database?.drop();
  });

  it('audits connect, webhook re-registration and disconnect; the log is for admins only', async () => {
    const connected = await gql<{ connectTelegramBot: { connection: { id: string } } }>(
      `mutation($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { id } } }`,
      { input: { token: BOT.token } },
    );
    const id = connected.data!.connectTelegramBot.connection.id;
    const setWebhooksBefore = telegram.requestsFor(BOT.token, 'setWebhook').length;
    const reregistered = await gql<{ reregisterTelegramWebhooks: { connectionId: string; ok: boolean; error: string | null }[] }>(
      `mutation { reregisterTelegramWebhooks { connectionId ok error } }`,
    );
    expect(reregistered.data!.reregisterTelegramWebhooks).toEqual([{ connectionId: id, ok: true, error: null }]);
    const setWebhooks = telegram.requestsFor(BOT.token, 'setWebhook');
    expect(setWebhooks.length).toBe(setWebhooksBefore + 1);
    // Same URL and secret as before: Telegram keeps delivering to the same place, authenticated the same way.
    expect(setWebhooks.at(-1)!.params).toMatchObject({ url: setWebhooks.at(-2)!.params['url'], secret_token: setWebhooks.at(-2)!.params['secret_token'] });

    await gql(`mutation($id: ID!) { disconnectTelegramBot(id: $id) { connection { id } } }`, { id });
    const log = await gql<{ telegramAuditLog: { action: string; targetId: string; actorId: string; actorRole: string; details: string; correlationId: string }[] }>(
      `{ telegramAuditLog { action targetId actorId actorRole details correlationId } }`,
    );
    expect(log.data!.telegramAuditLog.map((e) => e.action)).toEqual(['connection.disconnect', 'connection.reregister-webhook', 'connection.connect']);
    for (const entry of log.data!.telegramAuditLog) {
      expect(entry).toMatchObject({ targetId: id, actorId: adminId, actorRole: 'admin', correlationId: 'corr-audit-test' });
      // The token never lands in the audit log.
      expect(entry.details).not.toContain(BOT.token);
    }
    const operator = await signAccessToken({ employeeId: randomUUID(), role: 'operator', name: 'Op' }, { secret: JWT_SECRET, ttlSeconds: 60 });
    expect((await gql(`{ telegramAuditLog { id } }`, {}, operator)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('answers 429 with Retry-After once a connection and address exceed the webhook budget', async () => {
    const connectionId = randomUUID();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${service.url}/webhooks/telegram/${connectionId}`, { method: 'POST', body: '{}' });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
      await response.body?.cancel();
    }
    // Unknown connection: 404 while within the budget, then refused before any lookup.
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Another connection id has its own budget.
    expect((await fetch(`${service.url}/webhooks/telegram/${randomUUID()}`, { method: 'POST', body: '{}' })).status).toBe(404);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/rate_limit_refused_total\{rule="webhook-telegram",service="channel-telegram"\} 2/);
  });
});
