import { createTestDatabase, integrationSuite, type TestDatabase } from '@switchboard/testing';
import { Client } from 'pg';
// The shared loader of libs/service-kit, tested here: a lib's own tests may not use @switchboard/testing
// (module boundaries), and this service is one of its consumers.
import { channelHealthResolvers, channelHealthToGql, loadChannelHealth, STUCK_BACKLOG_MS, type SubgraphContext } from '@switchboard/service-kit';

integrationSuite(['postgres'], 'channel health tests')('loadChannelHealth (PostgreSQL)', () => {
  let database: TestDatabase;
  let client: Client;
  const ok = '11111111-1111-4111-8111-111111111111';
  const broken = '22222222-2222-4222-8222-222222222222';
  const stuck = '33333333-3333-4333-8333-333333333333';
  const off = '44444444-4444-4444-8444-444444444444';

  beforeAll(async () => {
    database = await createTestDatabase('channel_health');
    client = new Client({ connectionString: database.url });
    await client.connect();
    await client.query(`CREATE SCHEMA conn`);
    await client.query(`CREATE TABLE conn.connections (id uuid PRIMARY KEY, name text, state text, last_at timestamptz, last_error text, created_at timestamptz DEFAULT now())`);
    await client.query(`CREATE TABLE conn.outbox (id bigserial PRIMARY KEY, topic text NOT NULL, key text NOT NULL, value text NOT NULL, headers jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now())`);
    await client.query(
      `INSERT INTO conn.connections (id, name, state, last_at, last_error, created_at) VALUES
         ($1, 'Fine', 'active', now(), NULL, now() - interval '4 min'),
         ($2, 'Revoked', 'error', NULL, 'token revoked', now() - interval '3 min'),
         ($3, 'Stuck', 'active', now(), NULL, now() - interval '2 min'),
         ($4, 'Off', 'disconnected', NULL, NULL, now() - interval '1 min')`,
      [ok, broken, stuck, off],
    );
    // Two fresh events of the first connection (chat keys), one event of the third older than the stuck threshold.
    await client.query(
      `INSERT INTO conn.outbox (topic, key, value, created_at) VALUES ('t', $1 || ':chat-1', '{}', now()), ('t', $1 || ':chat-2', '{}', now()),
         ('t', $2 || ':chat-9', '{}', now() - ($3 || ' milliseconds')::interval)`,
      [ok, stuck, String(STUCK_BACKLOG_MS + 5_000)],
    );
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  // The executor answers rows, as TypeORM's DataSource does (pg's Client answers a result object).
  const db = { query: async (text: string, params?: unknown[]) => (await client.query(text, params)).rows };
  const sql = `SELECT id, name AS display_name, state, last_at AS last_event_at, last_error, NULL::timestamptz AS last_error_at, 'webhook' AS detail
               FROM conn.connections ORDER BY created_at`;

  it('maps each connection with its outbox backlog; errors, stuck backlogs and disconnects show in the state', async () => {
    const health = await loadChannelHealth(db, { channel: 'viber', schema: 'conn', connectionsSql: sql });
    expect(health.map((h) => [h.displayName, h.state, h.backlog])).toEqual([
      ['Fine', 'ok', 2],
      ['Revoked', 'error', 0],
      ['Stuck', 'degraded', 1],
      ['Off', 'disconnected', 0],
    ]);
    expect(health[1]).toMatchObject({ channel: 'viber', connectionId: broken, lastError: 'token revoked', detail: 'webhook', oldestBacklogAt: null });
    expect(channelHealthToGql(health[0]!)).toMatchObject({ state: 'OK', backlog: 2, lastEventAt: expect.any(String) });
  });

  it('answers the report for admins only', async () => {
    const resolvers = channelHealthResolvers('viber', () => loadChannelHealth(db, { channel: 'viber', schema: 'conn', connectionsSql: sql }));
    const admin: SubgraphContext = { principal: { employeeId: ok, role: 'admin', name: 'A' } };
    const operator: SubgraphContext = { principal: { employeeId: ok, role: 'operator', name: 'O' } };
    expect(resolvers.Query.channelHealth(undefined, {}, admin)).toEqual({ id: 'channels' });
    expect(() => resolvers.Query.channelHealth(undefined, {}, operator)).toThrow('Only admins');
    const field = resolvers.ChannelHealthReport['viber'] as (p: unknown, a: unknown, c: SubgraphContext) => Promise<unknown[]>;
    expect(await field({ id: 'channels' }, {}, admin)).toHaveLength(4);
    await expect(field({ id: 'channels' }, {}, operator)).rejects.toThrow('Only admins');
  });
});
