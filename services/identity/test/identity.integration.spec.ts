import { EmployeeChangedV1, TOPICS, type EmployeeChanged } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport, type ConsumerHandle } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createTestDatabase, waitFor, type TestDatabase } from '@switchboard/testing';
import { EMPLOYEE_ACCESS_PATH, EmployeeAccessClient, createLogger, loadConfig, signAccessToken, signServiceToken, verifyAccessToken, type RunningService } from '@switchboard/service-kit';
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

const UPDATE_EMPLOYEE = `mutation Update($id: ID!, $input: UpdateEmployeeInput!) {
  updateEmployee(id: $id, input: $input) { id name role active }
}`;
const DEACTIVATE_EMPLOYEE = `mutation Deactivate($id: ID!) { deactivateEmployee(id: $id) { id role active } }`;
const REACTIVATE_EMPLOYEE = `mutation Reactivate($id: ID!) { reactivateEmployee(id: $id) { id role active } }`;
const AUDIT_LOG = `query Audit($targetId: ID) { identityAuditLog(targetId: $targetId) { action actorId targetId details } }`;

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

function errorReason(result: GraphQLResponse<unknown>): unknown {
  return (result.errors?.[0]?.extensions as Record<string, unknown> | undefined)?.['reason'];
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
  it('lets an admin rename, promote, deactivate and reactivate an employee, each audited and announced', async () => {
    const adminToken = await tokenFor(running(), ADMIN.email, ADMIN.password);
    const adminId = (await verifyAccessToken(adminToken, JWT_SECRET)).employeeId;
    const petro = { email: 'petro@example.com', name: 'Petro', role: 'OPERATOR', password: 'petro-password-1' };
    const created = await graphql<{ createEmployee: { id: string } }>(running(), CREATE_EMPLOYEE, { input: petro }, adminToken);
    const id = created.data!.createEmployee.id;
    const petroToken = await tokenFor(running(), petro.email, petro.password);

    // Operators may not; the input is checked at the edge.
    expect(errorCode(await graphql(running(), UPDATE_EMPLOYEE, { id, input: { role: 'ADMIN' } }, petroToken))).toBe('FORBIDDEN');
    expect(errorCode(await graphql(running(), DEACTIVATE_EMPLOYEE, { id: adminId }, petroToken))).toBe('FORBIDDEN');
    const empty = await graphql(running(), UPDATE_EMPLOYEE, { id, input: {} }, adminToken);
    expect(errorCode(empty)).toBe('BAD_USER_INPUT');
    expect(empty.errors?.[0]?.message).toMatch(/give a name or a role to change/);
    expect(errorCode(await graphql(running(), UPDATE_EMPLOYEE, { id, input: { name: '  ' } }, adminToken))).toBe('BAD_USER_INPUT');
    expect(errorCode(await graphql(running(), DEACTIVATE_EMPLOYEE, { id: 'not-a-uuid' }, adminToken))).toBe('BAD_USER_INPUT');
    expect(errorCode(await graphql(running(), DEACTIVATE_EMPLOYEE, { id: '00000000-0000-4000-8000-000000000000' }, adminToken))).toBe('NOT_FOUND');

    const updated = await graphql<{ updateEmployee: unknown }>(running(), UPDATE_EMPLOYEE, { id, input: { name: 'Петро Адмін', role: 'ADMIN' } }, adminToken);
    expect(updated.errors).toBeUndefined();
    expect(updated.data?.updateEmployee).toEqual({ id, name: 'Петро Адмін', role: 'ADMIN', active: true });
    await waitFor(() => announced.some((e) => e.employeeId === id && e.role === 'admin' && e.name === 'Петро Адмін'), { description: 'the promotion announced' });

    const deactivated = await graphql<{ deactivateEmployee: unknown }>(running(), DEACTIVATE_EMPLOYEE, { id }, adminToken);
    expect(deactivated.data?.deactivateEmployee).toEqual({ id, role: 'ADMIN', active: false });
    await waitFor(() => announced.some((e) => e.employeeId === id && !e.active), { description: 'the deactivation announced' });
    // No more logins, and the token issued before stops working here at once (it would verify until expiry).
    const refused = await login(running(), petro.email, petro.password);
    expect(errorCode(refused)).toBe('UNAUTHENTICATED');
    expect(refused.errors?.[0]?.message).toBe('Email or password is wrong');
    const me = await graphql(running(), '{ me { id } }', {}, petroToken);
    expect(errorCode(me)).toBe('UNAUTHENTICATED');
    expect(me.errors?.[0]?.message).toBe('Your employee account is deactivated');
    expect(errorCode(await graphql(running(), '{ employees { id } }', {}, petroToken))).toBe('UNAUTHENTICATED');
    // Deactivating again changes nothing: no second audit entry, no event.
    const eventsBefore = announced.filter((e) => e.employeeId === id).length;
    expect((await graphql<{ deactivateEmployee: unknown }>(running(), DEACTIVATE_EMPLOYEE, { id }, adminToken)).data?.deactivateEmployee).toEqual({ id, role: 'ADMIN', active: false });

    const reactivated = await graphql<{ reactivateEmployee: unknown }>(running(), REACTIVATE_EMPLOYEE, { id }, adminToken);
    expect(reactivated.data?.reactivateEmployee).toEqual({ id, role: 'ADMIN', active: true });
    await waitFor(() => announced.filter((e) => e.employeeId === id).length === eventsBefore + 1, { description: 'the reactivation announced' });
    expect(announced.filter((e) => e.employeeId === id).at(-1)).toMatchObject({ active: true, role: 'admin' });
    const again = await login(running(), petro.email, petro.password);
    expect(again.data?.login.employee).toMatchObject({ id, role: 'ADMIN', active: true });

    const audit = await graphql<{ identityAuditLog: Array<{ action: string; actorId: string; targetId: string; details: string }> }>(
      running(),
      AUDIT_LOG,
      { targetId: id },
      adminToken,
    );
    expect(audit.data?.identityAuditLog.map((entry) => entry.action)).toEqual(['employee.reactivate', 'employee.deactivate', 'employee.update', 'employee.create']);
    expect(audit.data?.identityAuditLog.every((entry) => entry.actorId === adminId)).toBe(true);
    expect(JSON.parse(audit.data!.identityAuditLog[2]!.details)).toEqual({
      email: petro.email,
      name: { from: 'Petro', to: 'Петро Адмін' },
      role: { from: 'operator', to: 'admin' },
    });
    expect(JSON.parse(audit.data!.identityAuditLog[1]!.details)).toEqual({ email: petro.email, active: { from: true, to: false } });

    // Back to an operator, so the next test starts with one admin.
    await graphql(running(), UPDATE_EMPLOYEE, { id, input: { role: 'OPERATOR' } }, adminToken);
  });

  it('tells the gateway, and only a service, the current role and state of employees (unknown ones left out)', async () => {
    const adminToken = await tokenFor(running(), ADMIN.email, ADMIN.password);
    const adminId = (await verifyAccessToken(adminToken, JWT_SECRET)).employeeId;
    const olha = { email: 'olha@example.com', name: 'Olha', role: 'OPERATOR', password: 'olha-password-1' };
    const olhaId = (await graphql<{ createEmployee: { id: string } }>(running(), CREATE_EMPLOYEE, { input: olha }, adminToken)).data!.createEmployee.id;
    const unknown = '00000000-0000-4000-8000-000000000000';
    const client = new EmployeeAccessClient({ identityUrl: running().url, jwtSecret: JWT_SECRET, service: 'gateway' });

    expect(await client.lookup([adminId, olhaId, unknown])).toEqual(
      expect.arrayContaining([
        { employeeId: adminId, role: 'admin', active: true },
        { employeeId: olhaId, role: 'operator', active: true },
      ]),
    );
    await graphql(running(), DEACTIVATE_EMPLOYEE, { id: olhaId }, adminToken);
    expect(await client.lookup([olhaId, unknown])).toEqual([{ employeeId: olhaId, role: 'operator', active: false }]);

    const post = async (body: unknown, authorization?: string) => {
      const response = await fetch(`${running().url}${EMPLOYEE_ACCESS_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as { error?: string } };
    };
    // An employee's own token is not a service token: the directory is not public.
    const employeeToken = await signAccessToken({ employeeId: adminId, role: 'admin', name: ADMIN.name }, { secret: JWT_SECRET, ttlSeconds: 60 });
    expect((await post({ employeeIds: [adminId] })).status).toBe(401);
    expect((await post({ employeeIds: [adminId] }, `Bearer ${employeeToken}`)).status).toBe(401);
    const service = `Bearer ${await signServiceToken({ service: 'gateway', secret: JWT_SECRET })}`;
    const notIds = await post({ employeeIds: ['not-an-id'] }, service);
    expect(notIds).toMatchObject({ status: 400, body: { error: expect.stringMatching(/employeeIds must be employee ids/) } });
    expect((await post({ employeeIds: [] }, service)).body.error).toMatch(/at least one employee/);
    expect((await post({ employeeIds: Array.from({ length: 1_001 }, () => unknown) }, service)).body.error).toMatch(/at most 1000 employees/);
  });

  it('refuses deactivating yourself and demoting the last active admin, even when two admins race to demote each other', async () => {
    const adminToken = await tokenFor(running(), ADMIN.email, ADMIN.password);
    const adminId = (await verifyAccessToken(adminToken, JWT_SECRET)).employeeId;
    const list = await graphql<{ employees: Array<{ id: string; email: string; role: string; active: boolean }> }>(
      running(),
      '{ employees { id email role active } }',
      {},
      adminToken,
    );
    expect(list.data?.employees.filter((e) => e.role === 'ADMIN' && e.active).map((e) => e.id)).toEqual([adminId]);

    const self = await graphql(running(), DEACTIVATE_EMPLOYEE, { id: adminId }, adminToken);
    expect(errorCode(self)).toBe('BAD_USER_INPUT');
    expect(errorReason(self)).toBe('SELF_DEACTIVATION');
    expect(self.errors?.[0]?.message).toBe('You cannot deactivate your own account: ask another admin');
    const last = await graphql(running(), UPDATE_EMPLOYEE, { id: adminId, input: { role: 'OPERATOR' } }, adminToken);
    expect(errorCode(last)).toBe('CONFLICT');
    expect(errorReason(last)).toBe('LAST_ADMIN');
    expect(last.errors?.[0]?.message).toBe(`${ADMIN.name} is the last active admin: make another employee an admin first`);

    // A second admin; both try to demote the other at once: exactly one wins, one admin remains.
    const olga = list.data!.employees.find((e) => e.email === 'olga@example.com')!;
    await graphql(running(), UPDATE_EMPLOYEE, { id: olga.id, input: { role: 'ADMIN' } }, adminToken);
    const olgaToken = await tokenFor(running(), olga.email, 'operator-password');
    const results = await Promise.all([
      graphql(running(), UPDATE_EMPLOYEE, { id: adminId, input: { role: 'OPERATOR' } }, olgaToken),
      graphql(running(), UPDATE_EMPLOYEE, { id: olga.id, input: { role: 'OPERATOR' } }, adminToken),
    ]);
    // The loser is refused as the last admin's demoter (CONFLICT) or, if the winner committed first, as no admin any more.
    const refusedCodes = results.map(errorCode).filter((code) => code !== undefined);
    expect(refusedCodes).toHaveLength(1);
    expect(['CONFLICT', 'FORBIDDEN']).toContain(refusedCodes[0]);
    const admins = (await graphql<{ employees: Array<{ id: string; role: string }> }>(running(), '{ employees { id role } }', {}, olgaToken)).data!.employees.filter(
      (e) => e.role === 'ADMIN',
    );
    expect(admins).toHaveLength(1);

    // The demoted one's token still says admin; identity goes by the current role.
    const [winnerToken, loserToken] = admins[0]!.id === adminId ? [adminToken, olgaToken] : [olgaToken, adminToken];
    expect(errorCode(await graphql(running(), CREATE_EMPLOYEE, { input: { email: 'late@example.com', name: 'Late', role: 'ADMIN', password: 'late-password-1' } }, loserToken))).toBe(
      'FORBIDDEN',
    );
    expect(errorCode(await graphql(running(), AUDIT_LOG, {}, loserToken))).toBe('FORBIDDEN');
    // Leave Ada as the only admin and Olga an operator, whoever won.
    if (admins[0]!.id !== adminId) {
      await graphql(running(), UPDATE_EMPLOYEE, { id: adminId, input: { role: 'ADMIN' } }, winnerToken);
      await graphql(running(), UPDATE_EMPLOYEE, { id: olga.id, input: { role: 'OPERATOR' } }, adminToken);
    }
  });
});
