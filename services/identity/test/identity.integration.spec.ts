import { EmployeeChangedV1, TOPICS, type EmployeeChanged } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport, type ConsumerHandle } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createTestDatabase, waitFor, type TestDatabase } from '@switchboard/testing';
import { createLogger, loadConfig, verifyAccessToken, type RunningService } from '@switchboard/service-kit';
import { Client } from 'pg';
import { identityConfigSchema, startIdentityService, type IdentityConfig } from '../src';

jest.setTimeout(60_000);

const JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';
const ADMIN = { email: 'Admin@Example.com', password: 'admin-password-1', name: 'Ada Admin' };

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

async function graphql<T>(service: RunningService, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLResponse<T>> {
  const response = await fetch(`${service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken expiresAt employee { id email name role active } }
}`;
const CREATE_EMPLOYEE = `mutation Create($input: CreateEmployeeInput!) {
  createEmployee(input: $input) { id email name role active }
}`;

interface LoginData {
  login: { accessToken: string; expiresAt: string; employee: { id: string; email: string; name: string; role: string; active: boolean } };
}

async function login(service: RunningService, email: string, password: string): Promise<GraphQLResponse<LoginData>> {
  return graphql<LoginData>(service, LOGIN, { input: { email, password } });
}

async function tokenFor(service: RunningService, email: string, password: string): Promise<string> {
  const result = await login(service, email, password);
  if (!result.data) throw new Error(`login failed: ${JSON.stringify(result.errors)}`);
  return result.data.login.accessToken;
}

function errorCode(result: GraphQLResponse<unknown>): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}

describe('identity service', () => {
  let database: TestDatabase;
  let config: IdentityConfig;
  let service: RunningService | undefined;
  let bus: EventBus;
  let observer: ConsumerHandle;
  /** identity.employee-changed events seen on the bus, in order. */
  const announced: EmployeeChanged[] = [];
  const logger = createLogger('identity-test', 'warn');

  beforeAll(async () => {
    database = await createTestDatabase('identity_it');
    config = loadConfig('identity', identityConfigSchema, {
      PORT: '0',
      DATABASE_URL: database.url,
      JWT_SECRET,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      ADMIN_NAME: ADMIN.name,
    });
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    observer = await bus.subscribe({
      group: 'test.identity-observer',
      topics: [TOPICS.identityEvents],
      handler: async (records) => void announced.push(...records.map((r) => EmployeeChangedV1.schema.parse(r.envelope.data))),
    });
    service = await startIdentityService({ config, logger, bus });
  });

  afterAll(async () => {
    await service?.stop();
    await observer?.stop();
    await bus?.close();
    await database?.drop();
  });

  function running(): RunningService {
    if (!service) throw new Error('service not started');
    return service;
  }

  async function countEmployees(): Promise<number> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM identity.employees');
      return Number(rows[0]?.count);
    } finally {
      await client.end();
    }
  }

  it('serves /health, /ready and /metrics', async () => {
    expect((await fetch(`${running().url}/health`)).status).toBe(200);
    const ready = await fetch(`${running().url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { database: 'ok' } });
    expect(await (await fetch(`${running().url}/metrics`)).text()).toContain('identity_logins_total');
  });

  it('creates the initial admin once; a restart does not add another', async () => {
    expect(await countEmployees()).toBe(1);
    await running().stop();
    service = await startIdentityService({ config, logger, bus });
    expect(await countEmployees()).toBe(1);
  });

  it('logs in with the right password and returns a token the shared verifier accepts', async () => {
    // Email case must not matter at login.
    const result = await login(running(), ADMIN.email.toLowerCase(), ADMIN.password);
    expect(result.errors).toBeUndefined();
    const payload = result.data!.login;
    expect(payload.employee).toMatchObject({ email: ADMIN.email, name: ADMIN.name, role: 'ADMIN', active: true });
    const principal = await verifyAccessToken(payload.accessToken, JWT_SECRET);
    expect(principal).toEqual({ employeeId: payload.employee.id, role: 'admin', name: ADMIN.name });
    const expiresIn = Date.parse(payload.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan((config.ACCESS_TOKEN_TTL_SECONDS - 60) * 1000);
    expect(expiresIn).toBeLessThanOrEqual(config.ACCESS_TOKEN_TTL_SECONDS * 1000);

    const me = await graphql<{ me: { id: string; role: string } }>(running(), '{ me { id role } }', {}, payload.accessToken);
    expect(me.data?.me).toEqual({ id: payload.employee.id, role: 'ADMIN' });
  });

  it('answers a wrong password and an unknown email alike with UNAUTHENTICATED', async () => {
    const wrongPassword = await login(running(), ADMIN.email, 'not-the-password');
    const unknownEmail = await login(running(), 'nobody@example.com', 'whatever-password');
    expect(errorCode(wrongPassword)).toBe('UNAUTHENTICATED');
    expect(errorCode(unknownEmail)).toBe('UNAUTHENTICATED');
    expect(wrongPassword.errors?.[0]?.message).toBe('Email or password is wrong');
    expect(unknownEmail.errors?.[0]?.message).toBe('Email or password is wrong');
    // A later success resets the failure count, so this test does not eat into the lockout test's budget.
    await tokenFor(running(), ADMIN.email, ADMIN.password);
  });

  it('rejects `me` without a token with UNAUTHENTICATED', async () => {
    const result = await graphql(running(), '{ me { id } }');
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
  });

  it('lets an admin create employees, forbids operators, and rejects duplicates and bad input', async () => {
    const adminToken = await tokenFor(running(), ADMIN.email, ADMIN.password);
    const operatorInput = { email: 'olga@example.com', name: 'Olga Operator', role: 'OPERATOR', password: 'operator-password' };
    const created = await graphql<{ createEmployee: { id: string; role: string; active: boolean } }>(
      running(),
      CREATE_EMPLOYEE,
      { input: operatorInput },
      adminToken,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.createEmployee).toMatchObject({ role: 'OPERATOR', active: true });

    const duplicate = await graphql(running(), CREATE_EMPLOYEE, { input: { ...operatorInput, email: 'OLGA@example.com' } }, adminToken);
    expect(errorCode(duplicate)).toBe('CONFLICT');

    const badEmail = await graphql(running(), CREATE_EMPLOYEE, { input: { ...operatorInput, email: 'not-an-email' } }, adminToken);
    expect(errorCode(badEmail)).toBe('BAD_USER_INPUT');
    const shortPassword = await graphql(running(), CREATE_EMPLOYEE, { input: { ...operatorInput, email: 'p@example.com', password: 'short' } }, adminToken);
    expect(errorCode(shortPassword)).toBe('BAD_USER_INPUT');

    const operatorToken = await tokenFor(running(), operatorInput.email, operatorInput.password);
    const forbidden = await graphql(
      running(),
      CREATE_EMPLOYEE,
      { input: { ...operatorInput, email: 'sneaky@example.com', role: 'ADMIN' } },
      operatorToken,
    );
    expect(errorCode(forbidden)).toBe('FORBIDDEN');

    const list = await graphql<{ employees: Array<{ email: string }> }>(running(), '{ employees { email } }', {}, operatorToken);
    expect(list.data?.employees.map((e) => e.email).sort()).toEqual([ADMIN.email, operatorInput.email].sort());
    const one = await graphql<{ employee: { name: string } | null }>(
      running(),
      'query One($id: ID!) { employee(id: $id) { name } }',
      { id: created.data!.createEmployee.id },
      operatorToken,
    );
    expect(one.data?.employee).toEqual({ name: operatorInput.name });
  });

  it('locks an account for 15 minutes after 5 failed logins, even for the right password', async () => {
    const adminToken = await tokenFor(running(), ADMIN.email, ADMIN.password);
    const victim = { email: 'victor@example.com', name: 'Victor', role: 'OPERATOR', password: 'victor-password' };
    const created = await graphql(running(), CREATE_EMPLOYEE, { input: victim }, adminToken);
    expect(created.errors).toBeUndefined();

    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(errorCode(await login(running(), victim.email, `wrong-${attempt}`))).toBe('UNAUTHENTICATED');
    }
    const before = Date.now();
    const locked = await login(running(), victim.email, victim.password);
    expect(errorCode(locked)).toBe('FORBIDDEN');
    const message = locked.errors?.[0]?.message ?? '';
    expect(message).toMatch(/^Too many failed logins; try again after /);
    const until = Date.parse(message.replace('Too many failed logins; try again after ', ''));
    expect(until - before).toBeGreaterThan(14 * 60 * 1000);
    expect(until - before).toBeLessThanOrEqual(15 * 60 * 1000);
  });

  it('announces employees on the bus: each one created, and those from before employee events once at start-up', async () => {
    const token = await tokenFor(running(), ADMIN.email, ADMIN.password);
    const created = await graphql<{ createEmployee: { id: string } }>(
      running(),
      CREATE_EMPLOYEE,
      { input: { email: 'announced@example.com', name: 'Оксана Announced', password: 'operator-password-1', role: 'OPERATOR' } },
      token,
    );
    const id = created.data!.createEmployee.id;
    await waitFor(() => announced.some((e) => e.employeeId === id), { description: 'the new employee announced' });
    expect(announced.find((e) => e.employeeId === id)).toMatchObject({ name: 'Оксана Announced', role: 'operator', active: true });
    expect(announced.some((e) => e.name === ADMIN.name && e.role === 'admin')).toBe(true);

    // As if the admin had been created before employee events existed: announced at the next start, once.
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(`UPDATE identity.employees SET announced = false WHERE lower(email) = lower($1)`, [ADMIN.email]);
    } finally {
      await client.end();
    }
    const before = announced.filter((e) => e.name === ADMIN.name).length;
    await running().stop();
    service = await startIdentityService({ config, logger, bus });
    await waitFor(() => announced.filter((e) => e.name === ADMIN.name).length === before + 1, { description: 'the admin announced again' });
    await running().stop();
    service = await startIdentityService({ config, logger, bus });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(announced.filter((e) => e.name === ADMIN.name).length).toBe(before + 1);
  });
});
