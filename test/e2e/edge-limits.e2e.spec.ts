/*
 * Abuse limits at the edges, through the real gateway in front of the real identity service on PostgreSQL:
 * login attempts per client IP (gateway) and per email (identity), and the audit log of employee creation.
 * The Telegram webhook limit is covered in channel-telegram's integration test.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { SUBGRAPHS, SUPERGRAPH_FILE, startGateway, type RunningGateway } from '@switchboard/gateway';
import { identityConfigSchema, startIdentityService } from '@switchboard/identity';
import { LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, loadConfig, type RunningService } from '@switchboard/service-kit';
import { createTestDatabase, integrationSuite, type TestDatabase } from '@switchboard/testing';
import { GraphQLClient } from './support/graphql-client';

jest.setTimeout(90_000);

const JWT_SECRET = randomBytes(32).toString('hex');
const ADMIN = { email: 'admin@edge.test', password: 'edge-admin-password', name: 'Edge Admin' };
const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }`;
/** Every subgraph of the supergraph needs a URL; only identity is called by these tests. */
const UNUSED = 'http://127.0.0.1:9/graphql';

integrationSuite(['postgres'], 'edge limits e2e')('edge limits and audit (gateway + identity on PostgreSQL)', () => {
  let database: TestDatabase;
  let identity: RunningService;
  let gateway: RunningGateway;
  const logger = createLogger('edge-e2e', 'silent');

  beforeAll(async () => {
    database = await createTestDatabase('edge_limits');
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS, poolSize: 1 }), LOG_BUS_SCHEMA);
    identity = await startIdentityService({
      logger,
      config: loadConfig('identity', identityConfigSchema, {
        PORT: '0',
        DATABASE_URL: database.url,
        JWT_SECRET,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        ADMIN_NAME: ADMIN.name,
      }),
    });
    gateway = await startGateway({
      port: 0,
      host: '127.0.0.1',
      supergraphSdl: readFileSync(SUPERGRAPH_FILE, 'utf8'),
      subgraphUrls: { ...Object.fromEntries(SUBGRAPHS.map((s) => [s.name, UNUSED])), identity: `${identity.url}/graphql` },
      jwtSecret: JWT_SECRET,
      logger,
      loginAttemptsPerIp: 30,
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await identity?.stop();
    await database?.drop();
  });

  it('limits login attempts per email at the identity service, unknown emails too, and a success resets it', async () => {
    const client = new GraphQLClient(gateway.url);
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 21; i++) {
      const { body } = await client.raw(LOGIN, { input: { email: 'Nobody@Edge.test', password: `guess-${i}` } });
      codes.push(body.errors?.[0]?.extensions?.code);
    }
    expect(codes.slice(0, 20).every((code) => code === 'UNAUTHENTICATED')).toBe(true);
    expect(codes[20]).toBe('RATE_LIMITED');
    // Letter case does not open a new budget.
    const again = await client.raw(LOGIN, { input: { email: 'nobody@edge.test', password: 'x' } });
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });

    // The admin's own typos are forgiven by a successful login (the lockout after 5 still applies).
    for (let i = 0; i < 3; i++) await client.raw(LOGIN, { input: { email: ADMIN.email, password: 'typo' } });
    await client.login(ADMIN.email, ADMIN.password);
    expect(client.token).toBeDefined();
  });

  it('limits login attempts per client IP at the gateway with HTTP 429 and Retry-After', async () => {
    // 26 attempts were made from 127.0.0.1 by the test above (21 + 1 + 3 + 1); the budget is 30.
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    let code: string | undefined;
    for (let i = 0; i < 6; i++) {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: LOGIN, variables: { input: { email: `ip-${i}@edge.test`, password: 'x' } } }),
      });
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        code = ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code;
      } else await response.body?.cancel();
    }
    expect(statuses.slice(0, 4).every((status) => status !== 429)).toBe(true);
    expect(statuses.slice(4)).toEqual([429, 429]);
    expect(code).toBe('RATE_LIMITED');
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Other operations of the same address are not limited by the login budget.
    const admin = new GraphQLClient(gateway.url);
    const token = await (async () => {
      // Logging in is limited now, so sign in through the identity service directly (as another gateway would).
      const direct = new GraphQLClient(`${identity.url}/graphql`);
      await direct.login(ADMIN.email, ADMIN.password);
      return direct.token;
    })();
    admin.token = token;
    expect((await admin.request<{ me: { email: string } }>('{ me { email } }')).me.email).toBe(ADMIN.email);
    const metrics = await (await fetch(new URL('/metrics', gateway.url))).text();
    expect(metrics).toMatch(/rate_limit_refused_total\{rule="login-ip",service="gateway"\} 2/);
  });

  it('records employee creation in the audit log, readable by admins only', async () => {
    const direct = new GraphQLClient(`${identity.url}/graphql`);
    await direct.login(ADMIN.email, ADMIN.password);
    const admin = new GraphQLClient(gateway.url);
    admin.token = direct.token!;
    const created = await admin.request<{ createEmployee: { id: string } }>(
      `mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { id } }`,
      { input: { email: 'olena@edge.test', name: 'Olena', role: 'OPERATOR', password: 'operator-password' } },
    );
    const log = await admin.request<{ identityAuditLog: { action: string; targetId: string; actorId: string; details: string }[] }>(
      `{ identityAuditLog(first: 5) { action targetId actorId details } me { id } }`,
    );
    expect(log.identityAuditLog[0]).toMatchObject({ action: 'employee.create', targetId: created.createEmployee.id });
    expect(JSON.parse(log.identityAuditLog[0]!.details)).toEqual({ email: 'olena@edge.test', role: 'operator' });

    const operator = new GraphQLClient(`${identity.url}/graphql`);
    await operator.login('olena@edge.test', 'operator-password');
    const refused = await new GraphQLClient(gateway.url).raw('{ identityAuditLog { id } }');
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const viaOperator = Object.assign(new GraphQLClient(gateway.url), { token: operator.token });
    const forbidden = await viaOperator.raw('{ identityAuditLog { id } }');
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
