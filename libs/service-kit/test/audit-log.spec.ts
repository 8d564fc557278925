import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, integrationSuite, type TestDatabase } from '@switchboard/testing';
import { AUDIT_ENTRY_SDL, auditLogResolver, auditLogTableDdl, listAuditEntries, recordAuditEntry } from '../src';

const ROOT = join(__dirname, '..', '..', '..');
/** Every subgraph that declares AuditEntry must declare it exactly as the shared helper serves it. */
const SUBGRAPHS_WITH_AUDIT_LOG = [
  'services/identity/src/graphql/identity.graphql',
  'services/channel-telegram/src/graphql/channel-telegram.graphql',
  'services/channel-viber/src/graphql/channel-viber.graphql',
  'services/channel-whatsapp/src/graphql/channel-whatsapp.graphql',
  'services/channel-meta/src/graphql/channel-meta.graphql',
  'services/chat/src/graphql/chat.graphql',
];

/** Every .graphql file under services/ that mentions AuditEntry, so a new audit log cannot skip the check. */
function subgraphsMentioningAuditEntry(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.graphql') && readFileSync(path, 'utf8').includes('AuditEntry')) found.push(relative(ROOT, path));
    }
  };
  walk(join(ROOT, 'services'));
  return found.sort();
}

describe('AuditEntry SDL', () => {
  it.each(SUBGRAPHS_WITH_AUDIT_LOG)('%s declares the shared AuditEntry type word for word', (file) => {
    expect(readFileSync(join(ROOT, file), 'utf8')).toContain(AUDIT_ENTRY_SDL);
  });

  it('covers every subgraph that uses AuditEntry, each declaring it word for word', () => {
    const found = subgraphsMentioningAuditEntry();
    expect(found).toEqual(expect.arrayContaining(SUBGRAPHS_WITH_AUDIT_LOG));
    for (const file of found) expect({ file, declares: readFileSync(join(ROOT, file), 'utf8').includes(AUDIT_ENTRY_SDL) }).toEqual({ file, declares: true });
  });
});

integrationSuite(['postgres'], 'audit log against PostgreSQL')('audit log', () => {
  let database: TestDatabase;
  let client: Client;
  const schema = 'audit_test';
  const admin = { employeeId: '8b6f3c1e-3f7e-4c55-9f59-1f0a3b0d2a11', role: 'admin' as const, name: 'Ada' };

  beforeAll(async () => {
    database = await createTestDatabase('audit_log');
    client = new Client({ connectionString: database.url });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    for (const statement of auditLogTableDdl(schema).up) await client.query(statement);
  });
  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  it('records who did what to which target, and lists newest first with paging and filters', async () => {
    await recordAuditEntry(client, schema, {
      actor: admin,
      action: 'employee.create',
      target: { type: 'employee', id: 'e-1' },
      details: { email: 'a@example.com' },
      correlationId: 'corr-1',
    });
    await recordAuditEntry(client, schema, { actor: admin, action: 'connection.connect', target: { type: 'telegram-connection', id: 'c-1' } });
    await recordAuditEntry(client, schema, { actor: null, action: 'connection.disconnect', target: { type: 'telegram-connection', id: 'c-1' } });

    const all = await listAuditEntries(client, schema, {});
    expect(all.map((e) => e.action)).toEqual(['connection.disconnect', 'connection.connect', 'employee.create']);
    expect(all[2]).toMatchObject({
      actorId: admin.employeeId,
      actorRole: 'admin',
      targetType: 'employee',
      targetId: 'e-1',
      details: { email: 'a@example.com' },
      correlationId: 'corr-1',
    });
    expect(all[2]!.occurredAt).toBeInstanceOf(Date);
    expect(all[0]).toMatchObject({ actorId: null, actorRole: null });

    const firstPage = await listAuditEntries(client, schema, { first: 2 });
    const secondPage = await listAuditEntries(client, schema, { first: 2, before: firstPage[1]!.id });
    expect([...firstPage, ...secondPage].map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect((await listAuditEntries(client, schema, { action: 'connection.connect' })).map((e) => e.targetId)).toEqual(['c-1']);
    expect((await listAuditEntries(client, schema, { targetId: 'c-1' })).length).toBe(2);
  });

  it('rejects malformed actions and schema names before touching the database', async () => {
    await expect(recordAuditEntry(client, schema, { actor: admin, action: 'Create Employee', target: { type: 'employee', id: 'x' } })).rejects.toThrow(
      /subject\.verb/,
    );
    await expect(recordAuditEntry(client, 'bad"schema', { actor: admin, action: 'a.b', target: { type: 't', id: 'x' } })).rejects.toThrow(
      /plain identifier/,
    );
  });

  it('serves the log to admins only, with validated arguments', async () => {
    const resolve = auditLogResolver(client, schema);
    await expect(resolve(undefined, {}, {})).rejects.toThrow(/Log in|access token|authent/i);
    await expect(resolve(undefined, {}, { principal: { ...admin, role: 'operator' } })).rejects.toThrow(/Only admins/);
    await expect(resolve(undefined, { first: 10_000 }, { principal: admin })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    const entries = await resolve(undefined, { first: 1 }, { principal: admin });
    expect(entries).toHaveLength(1);
    expect(typeof entries[0]!.occurredAt).toBe('string');
    expect(JSON.parse(entries[0]!.details)).toEqual({});
  });
});
