/*
 * channel-meta's part of the channel health report (decision 0033): one entry per Page in
 * `channelHealth { meta }`, admins only; the last webhook is its last event, a subscription Meta dropped
 * makes it DEGRADED with the reason, a revoked token DISCONNECTED. PostgreSQL, log bus, Graph API double.
 */
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, signAccessToken } from '@switchboard/service-kit';
import { MetaGraphApiDouble, createTestDatabase, freePort, integrationSuite, metaTextMessage, metaWebhook, postMetaWebhook, waitFor, type TestDatabase } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { channelMetaConfigSchema, startChannelMetaService, type RunningChannelMeta } from '../src';

jest.setTimeout(60_000);

const JWT_SECRET = 'integration-test-secret-of-32-chars!!';
const APP_SECRET = 'd1b2c3d4e5f60718293a4b5c6d7e8f90';
const PAGE = { pageId: '104857600009101', name: 'Health Page', accessToken: `EAAB${'h'.repeat(40)}`, appSecret: APP_SECRET };
const IG = { accountId: '17841400000009101', username: 'health.page' };
const VERIFY_TOKEN = 'meta-verify-token-health-0123456789';
const PSID = '6000000000009101';

interface Health {
  channel: string;
  connectionId: string;
  displayName: string;
  state: string;
  detail: string | null;
  lastEventAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  backlog: number;
  oldestBacklogAt: string | null;
}
const QUERY = `{ channelHealth { id meta { channel connectionId displayName state detail lastEventAt lastError lastErrorAt backlog oldestBacklogAt } } }`;

integrationSuite(['postgres'], 'channel-meta channel health')('channel-meta channel health', () => {
  const logger = createLogger('channel-meta-health-test', 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let graph: MetaGraphApiDouble;
  let service: RunningChannelMeta;
  let adminToken: string;

  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, token = adminToken) => {
    const response = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  };
  const health = async () => {
    const result = await gql<{ channelHealth: { id: string; meta: Health[] } }>(QUERY);
    expect(result.errors).toBeUndefined();
    return result.data!.channelHealth;
  };

  beforeAll(async () => {
    database = await createTestDatabase('meta_health');
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS, poolSize: 1 }), LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    graph = new MetaGraphApiDouble();
    await graph.start();
    graph.registerPage({ ...PAGE, instagram: IG });
    service = await startChannelMetaService({
      config: channelMetaConfigSchema.parse({
        PORT: String(await freePort()),
        DATABASE_URL: database.url,
        JWT_SECRET,
        CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        META_GRAPH_API_BASE_URL: graph.baseUrl,
        META_SUBSCRIPTION_CHECK_INTERVAL_MS: '0',
      }),
      logger,
      bus,
      host: '127.0.0.1',
    });
    adminToken = await signAccessToken({ employeeId: randomUUID(), role: 'admin', name: 'Admin' }, { secret: JWT_SECRET, ttlSeconds: 300 });
  });

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await graph?.stop();
    await database?.drop();
  });

  let connectionId: string;

  it('is empty before a Page is connected, and for admins only', async () => {
    expect(await health()).toEqual({ id: 'channels', meta: [] });
    const operator = await signAccessToken({ employeeId: randomUUID(), role: 'operator', name: 'Op' }, { secret: JWT_SECRET, ttlSeconds: 60 });
    const refused = await gql(QUERY, {}, operator);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('shows a connected Page as OK, with its last webhook as the last event and nothing waiting in the outbox', async () => {
    const connected = await gql<{ connectMetaPage: { connection: { id: string } } }>(
      `mutation($input: ConnectMetaPageInput!) { connectMetaPage(input: $input) { connection { id } } }`,
      { input: { pageId: PAGE.pageId, accessToken: PAGE.accessToken, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN, instagramAccountId: IG.accountId } },
    );
    expect(connected.errors).toBeUndefined();
    connectionId = connected.data!.connectMetaPage.connection.id;
    expect((await health()).meta).toEqual([
      {
        channel: 'messenger',
        connectionId,
        displayName: PAGE.name,
        state: 'OK',
        detail: 'webhook: Messenger, Page comments, Instagram Direct and comments',
        lastEventAt: null,
        lastError: null,
        lastErrorAt: null,
        backlog: 0,
        oldestBacklogAt: null,
      },
    ]);

    const payload = metaWebhook('page', [{ id: PAGE.pageId, messaging: [metaTextMessage({ from: PSID, to: PAGE.pageId, text: 'Привіт' })] }]);
    expect((await postMetaWebhook(`${service.url}/webhooks/meta`, payload, { appSecret: APP_SECRET })).status).toBe(200);
    // The relay empties the outbox shortly after the webhook was answered.
    const after = await waitFor(
      async () => {
        const [page] = (await health()).meta;
        return page?.lastEventAt && page.backlog === 0 ? page : undefined;
      },
      { timeoutMs: 20_000, description: 'the webhook to show as the last event with the outbox drained' },
    );
    expect(after).toMatchObject({ state: 'OK', lastError: null });
    expect(Date.now() - Date.parse(after.lastEventAt!)).toBeLessThan(60_000);
  });

  it('a subscription Meta dropped makes the Page DEGRADED with the reason; a revoked token DISCONNECTED', async () => {
    graph.unsubscribePage(PAGE.pageId);
    expect((await gql(`mutation($id: ID!) { checkMetaPageHealth(id: $id) { connection { id } } }`, { id: connectionId })).errors).toBeUndefined();
    const [unsubscribed] = (await health()).meta;
    expect(unsubscribed).toMatchObject({ connectionId, state: 'DEGRADED', lastError: expect.stringContaining('no longer sends'), lastErrorAt: expect.any(String) });

    graph.revokeToken(PAGE.accessToken);
    expect((await gql(`mutation($id: ID!) { checkMetaPageHealth(id: $id) { connection { id } } }`, { id: connectionId })).errors).toBeUndefined();
    const [revoked] = (await health()).meta;
    expect(revoked).toMatchObject({ connectionId, state: 'DISCONNECTED', lastError: expect.stringContaining('190'), lastErrorAt: expect.any(String) });
  });
});
