/*
 * Admin actions on bridges are audited in the transaction of their change (connect, rotate the secret,
 * disconnect; dead-letter replays in channel-bridge.integration.spec.ts), read with bridgeAuditLog by admins
 * only and never holding a secret. Partner requests are rate-limited per (connection, client IP) with 429
 * `rate_limited` + Retry-After (WEBHOOK_RATE_LIMIT_PER_MINUTE, as for the other connectors), and the client
 * IP is taken from X-Forwarded-For only when TRUST_PROXY says a proxy is in front (decision 0027).
 * PostgreSQL, log bus; two instances on one database: one behind a "proxy" (TRUST_PROXY=1), one not.
 */
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, signAccessToken } from '@switchboard/service-kit';
import { createTestDatabase, freePort, integrationSuite, postBridgeMessage, type TestDatabase } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { channelBridgeConfigSchema, startChannelBridgeService, type RunningChannelBridge } from '../src';

jest.setTimeout(60_000);

const JWT_SECRET = 'bridge-limits-test-secret-of-32-chars!!';
const LIMIT = 3;

interface Entry {
  id: string;
  action: string;
  targetType: string;
  targetId: string;
  actorId: string;
  actorRole: string;
  details: string;
  correlationId: string | null;
}
const ENTRY = 'id action targetType targetId actorId actorRole details correlationId';

/** The value of one sample `name{labels...}` of a /metrics text (labels matched as given), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split('} ')[0] ?? '';
    if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

integrationSuite(['postgres'], 'channel-bridge admin audit and request limits')('channel-bridge admin audit, request limits and TRUST_PROXY', () => {
  const logger = createLogger('channel-bridge-limits-test', process.env['LOG_LEVEL'] ?? 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  /** Behind one proxy: TRUST_PROXY=1. */
  let proxied: RunningChannelBridge;
  /** Reached directly: TRUST_PROXY unset. */
  let direct: RunningChannelBridge;
  const adminId = randomUUID();
  let admin: string;
  let operator: string;

  const start = async (overrides: Record<string, string>) =>
    startChannelBridgeService({
      config: channelBridgeConfigSchema.parse({
        PORT: String(await freePort()),
        DATABASE_URL: database.url,
        JWT_SECRET,
        CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        WEBHOOK_RATE_LIMIT_PER_MINUTE: String(LIMIT),
        ...overrides,
      }),
      logger,
      bus,
      host: '127.0.0.1',
    });

  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, token = admin) => {
    const response = await fetch(`${proxied.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-correlation-id': 'corr-bridge-audit' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  };
  const auditLog = async (args = '') => {
    const answer = await gql<{ bridgeAuditLog: Entry[] }>(`{ bridgeAuditLog${args} { ${ENTRY} } }`);
    expect(answer.errors).toBeUndefined();
    return answer.data!.bridgeAuditLog;
  };
  const connect = async (name: string, outboundUrl = 'https://partner.example/replies') => {
    const answer = await gql<{ connectBridge: { connection: { id: string }; secret: string } }>(
      'mutation ($input: ConnectBridgeInput!) { connectBridge(input: $input) { connection { id } secret } }',
      { input: { name, outboundUrl } },
    );
    expect(answer.errors).toBeUndefined();
    return { id: answer.data!.connectBridge.connection.id, secret: answer.data!.connectBridge.secret };
  };
  /** An unsigned request to a connection, as a flood would send it; the answer's status and headers. */
  const hit = async (service: RunningChannelBridge, connectionId: string, forwardedFor?: string) => {
    const response = await fetch(`${service.url}/bridge/v1/connections/${connectionId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
      body: '{}',
    });
    await response.body?.cancel();
    return response;
  };
  const statuses = async (service: RunningChannelBridge, connectionId: string, forwardedFor: string | undefined, count: number) => {
    const seen: number[] = [];
    for (let i = 0; i < count; i++) seen.push((await hit(service, connectionId, forwardedFor)).status);
    return seen;
  };
  const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase('bridge_limits');
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS, poolSize: 1 }), LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    proxied = await start({ TRUST_PROXY: '1' });
    direct = await start({});
    admin = await signAccessToken({ employeeId: adminId, role: 'admin', name: 'Admin' }, { secret: JWT_SECRET, ttlSeconds: 600 });
    operator = await signAccessToken({ employeeId: randomUUID(), role: 'operator', name: 'Op' }, { secret: JWT_SECRET, ttlSeconds: 600 });
  });

  afterAll(async () => {
    await proxied?.stop();
    await direct?.stop();
    await bus?.close();
    await database?.drop();
  });

  it('audits connect, secret rotation and disconnect; the log is for admins only and holds no secret', async () => {
    // Partners put tokens in user info or the query string: neither reaches the log.
    const bridge = await connect('Audited gateway', 'https://hook-user:hook-password@partner.example/replies?token=partner-token');
    const rotated = await gql<{ rotateBridgeSecret: { secret: string } }>('mutation ($id: ID!) { rotateBridgeSecret(id: $id) { secret } }', { id: bridge.id });
    expect(rotated.errors).toBeUndefined();
    const disconnected = await gql('mutation ($id: ID!) { disconnectBridge(id: $id) { connection { state } } }', { id: bridge.id });
    expect(disconnected.errors).toBeUndefined();

    const log = await auditLog(`(targetId: "${bridge.id}")`);
    const by = { targetType: 'bridge-connection', targetId: bridge.id, actorId: adminId, actorRole: 'admin', correlationId: 'corr-bridge-audit' };
    expect(log).toEqual([
      expect.objectContaining({ action: 'connection.disconnect', ...by }),
      expect.objectContaining({ action: 'connection.rotate-secret', ...by }),
      expect.objectContaining({ action: 'connection.connect', ...by }),
    ]);
    expect(JSON.parse(log[2]!.details)).toEqual({ name: 'Audited gateway', outboundUrl: 'https://partner.example/replies' });
    expect(JSON.parse(log[1]!.details)).toEqual({ name: 'Audited gateway' });
    const text = JSON.stringify(log);
    for (const secret of [bridge.secret, rotated.data!.rotateBridgeSecret.secret, 'hook-password', 'partner-token']) expect(text).not.toContain(secret);

    expect((await auditLog(`(action: "connection.connect", targetId: "${bridge.id}")`)).map((e) => e.action)).toEqual(['connection.connect']);
    expect((await gql(`{ bridgeAuditLog { id } }`, {}, operator)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await gql(`{ bridgeAuditLog(action: "Connect") { id } }`)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('records nothing for a change that did not happen', async () => {
    const before = (await auditLog()).length;
    // A disconnected bridge's secret cannot be rotated; an unknown bridge cannot be rotated or disconnected.
    const gone = await connect('Gone gateway');
    await gql('mutation ($id: ID!) { disconnectBridge(id: $id) { connection { state } } }', { id: gone.id });
    expect((await gql('mutation ($id: ID!) { rotateBridgeSecret(id: $id) { secret } }', { id: gone.id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql('mutation ($id: ID!) { rotateBridgeSecret(id: $id) { secret } }', { id: randomUUID() })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql('mutation ($id: ID!) { disconnectBridge(id: $id) { connection { id } } }', { id: randomUUID() })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // Refused callers change nothing either.
    expect((await gql('mutation ($id: ID!) { disconnectBridge(id: $id) { connection { id } } }', { id: gone.id }, operator)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Only the connect and the one disconnect that happened.
    const after = await auditLog();
    expect(after.length - before).toBe(2);
    expect(after.slice(0, 2).map((e) => [e.action, e.targetId])).toEqual([
      ['connection.disconnect', gone.id],
      ['connection.connect', gone.id],
    ]);
  });

  it('answers 429 rate_limited with Retry-After once a connection and address exceed the budget, before reading anything', async () => {
    const bridge = await connect('Busy gateway');
    const send = (key: string) =>
      postBridgeMessage({
        baseUrl: proxied.url,
        connectionId: bridge.id,
        secret: bridge.secret,
        idempotencyKey: key,
        body: JSON.stringify({ messageId: `m-${key}`, customer: { id: 'c-1', name: 'Оксана' }, message: { text: 'Привіт' } }),
      });
    const answers = [];
    for (let i = 0; i < LIMIT; i++) answers.push(await send(randomUUID()));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(answers.map((a) => a.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0']);

    const refusedKey = randomUUID();
    const refused = await send(refusedKey);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // The partner API's one error shape (docs/bridge.md, "Errors"), and nothing stored for it.
    expect(refused.body).toEqual({ error: { code: 'rate_limited', message: expect.stringMatching(/retry after \d+ s with the same Idempotency-Key/) } });
    expect(await sql('SELECT 1 FROM channel_bridge.inbound_requests WHERE idempotency_key = $1', [refusedKey])).toEqual([]);

    // Another connection from the same address has its own budget (unknown: 404 from the handler).
    expect((await hit(proxied, randomUUID())).status).toBe(404);
    const metrics = await (await fetch(`${proxied.url}/metrics`)).text();
    expect(sample(metrics, 'rate_limit_refused_total', { rule: 'webhook-bridge' })).toBe(1);
  });

  it('answers 413 too_large, in the same error shape, for a body over 256 KB before checking anything else', async () => {
    const response = await fetch(`${proxied.url}/bridge/v1/connections/${randomUUID()}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.30' },
      body: JSON.stringify({ messageId: 'big', customer: { id: 'c-1', name: 'Оксана' }, message: { text: 'x'.repeat(300 * 1024) } }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: { code: 'too_large', message: 'The body is larger than 256 KB; send files by URL, not inline' } });
  });

  it('counts each client address apart behind the proxy (TRUST_PROXY=1), by the entry the proxy appended', async () => {
    const connectionId = randomUUID();
    expect(await statuses(proxied, connectionId, '203.0.113.10', LIMIT + 1)).toEqual([404, 404, 404, 429]);
    // Another customer of the same connection, seen by the proxy at another address: its own budget.
    expect((await hit(proxied, connectionId, '203.0.113.11')).status).toBe(404);
    // A caller that writes its own X-Forwarded-For cannot pick a fresh address: the proxy's entry, last, counts.
    expect((await hit(proxied, connectionId, '198.51.100.99, 203.0.113.10')).status).toBe(429);
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: every address a caller claims shares its socket budget', async () => {
    const connectionId = randomUUID();
    expect(await statuses(direct, connectionId, '203.0.113.20', LIMIT)).toEqual([404, 404, 404]);
    expect((await hit(direct, connectionId, '203.0.113.21')).status).toBe(429);
    expect((await hit(direct, connectionId)).status).toBe(429);
  });
});
