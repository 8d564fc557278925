/**
 * The chat service's audit log of admin actions (decision 0027): connection members, the status list
 * (create, rename, close/reopen, reorder) and chat deletion each write one entry in the transaction of
 * the change (a refused change writes none), readable by admins through chatAuditLog. Subgraph over HTTP
 * with real access tokens, PostgreSQL, log bus.
 */
import { MessageReceivedV1, TOPICS, chatKeyOf, createEnvelope } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, signAccessToken, type Principal, type RunningService } from '@switchboard/service-kit';
import { createTestDatabase, employeeChangedEvent, integrationSuite, waitFor, type TestDatabase } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { chatConfigSchema, startChatService } from '../src';

jest.setTimeout(60_000);

const JWT_SECRET = 'audit-test-secret-'.padEnd(40, 'x');
const connection = { id: randomUUID(), channel: 'telegram' as const, displayName: '@audit_shop_bot' };
const admin: Principal = { employeeId: randomUUID(), role: 'admin', name: 'Ada Admin' };
const operator: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Олена' };
const other: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Ivan' };

type GraphQLAnswer<T> = { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
interface Entry {
  id: string;
  action: string;
  targetType: string;
  targetId: string;
  actorId: string | null;
  actorRole: string | null;
  details: string;
  correlationId: string | null;
}

integrationSuite(['postgres'], 'chat audit log')('chat audit log (PostgreSQL, log bus)', () => {
  let db: TestDatabase;
  let bus: EventBus;
  let chat: RunningService;
  const tokens = new Map<Principal, string>();

  async function gql<T>(as: Principal, query: string, variables: Record<string, unknown> = {}, correlationId?: string): Promise<GraphQLAnswer<T>> {
    const response = await fetch(`${chat.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(as)}`, ...(correlationId ? { 'x-correlation-id': correlationId } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLAnswer<T>;
  }
  async function ok<T>(as: Principal, query: string, variables: Record<string, unknown> = {}, correlationId?: string): Promise<T> {
    const answer = await gql<T>(as, query, variables, correlationId);
    if (answer.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(answer.errors)}`);
    return answer.data!;
  }
  const ENTRY = 'id action targetType targetId actorId actorRole details correlationId';
  const log = async (args = '') => (await ok<{ chatAuditLog: Entry[] }>(admin, `{ chatAuditLog${args} { ${ENTRY} } }`)).chatAuditLog;
  /** Entries newer than `since` (an id), oldest first. */
  const since = async (id: string | undefined) => (await log('(first: 500)')).filter((e) => id === undefined || BigInt(e.id) > BigInt(id)).reverse();
  const newest = async () => (await log('(first: 1)'))[0]?.id;

  beforeAll(async () => {
    db = await createTestDatabase('chat_audit');
    await migrateSchema(createServiceDataSource({ url: db.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS, poolSize: 1 }), LOG_BUS_SCHEMA);
    const logger = createLogger('chat-audit-test', 'silent');
    bus = new EventBus(new LogTransport({ databaseUrl: db.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    chat = await startChatService({ logger, bus, config: chatConfigSchema.parse({ PORT: '0', DATABASE_URL: db.url, JWT_SECRET }) });
    for (const p of [admin, operator, other]) tokens.set(p, await signAccessToken(p, { secret: JWT_SECRET, ttlSeconds: 600 }));
    // The chat service knows employees from identity's events.
    await bus.publish([admin, operator, other].map((p) => employeeChangedEvent(p, new Date(Date.now() - 60_000))));
    // A probe on a throwaway connection (its entries are older than every test's start): it fails with
    // BAD_USER_INPUT until both operators are known.
    await waitFor(
      async () =>
        !(
          await gql(admin, `mutation($c: ID!, $e: [ID!]!) { setConnectionMembers(connectionId: $c, employeeIds: $e) { connectionId } }`, {
            c: randomUUID(),
            e: [operator.employeeId, other.employeeId],
          })
        ).errors,
      { description: 'employees known to the chat service' },
    );
  });

  afterAll(async () => {
    await chat?.stop();
    await bus?.close();
    await db?.drop();
  });

  it('audits connection members with who was added and removed, in the same transaction', async () => {
    const start = await newest();
    const members = `mutation($c: ID!, $e: [ID!]!) { setConnectionMembers(connectionId: $c, employeeIds: $e) { connectionId } }`;
    await ok(admin, members, { c: connection.id, e: [operator.employeeId] }, 'corr-members-1');
    await ok(admin, members, { c: connection.id, e: [other.employeeId] }, 'corr-members-2');
    // Refused (an employee the chat service does not know): nothing changes, nothing is recorded.
    expect((await gql(admin, members, { c: connection.id, e: [randomUUID()] })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const entries = await since(start);
    expect(entries.map((e) => [e.action, e.targetType, e.targetId, e.actorId, e.actorRole, e.correlationId])).toEqual([
      ['connection.set-members', 'connection', connection.id, admin.employeeId, 'admin', 'corr-members-1'],
      ['connection.set-members', 'connection', connection.id, admin.employeeId, 'admin', 'corr-members-2'],
    ]);
    expect(entries.map((e) => JSON.parse(e.details))).toEqual([
      { added: [operator.employeeId], removed: [], members: [operator.employeeId] },
      { added: [other.employeeId], removed: [operator.employeeId], members: [other.employeeId] },
    ]);
  });

  it('audits status list changes: create, rename, close, reopen and reorder; a conflict or a no-op records nothing', async () => {
    const start = await newest();
    await ok(admin, `mutation { createChatStatus(input: { code: "audit_waiting", name: "Очікує" }) { code } }`);
    expect((await gql(admin, `mutation { createChatStatus(input: { code: "audit_waiting", name: "Again" }) { code } }`)).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await ok(admin, `mutation { updateChatStatus(input: { code: "audit_waiting", name: "Чекає клієнта" }) { code } }`);
    await ok(admin, `mutation { updateChatStatus(input: { code: "audit_waiting", isClosed: true }) { code } }`);
    await ok(admin, `mutation { updateChatStatus(input: { code: "audit_waiting", isClosed: false, name: "Чекає" }) { code } }`);
    await ok(admin, `mutation { updateChatStatus(input: { code: "audit_waiting", name: "Чекає" }) { code } }`);
    const before = (await ok<{ chatStatuses: { code: string }[] }>(admin, `{ chatStatuses { code } }`)).chatStatuses.map((s) => s.code);
    const reversed = [...before].reverse();
    await ok(admin, `mutation($codes: [String!]!) { reorderChatStatuses(codes: $codes) { code } }`, { codes: reversed });
    // Refused by the service (a status missing): rolled back with its entry.
    expect((await gql(admin, `mutation { reorderChatStatuses(codes: ["new"]) { code } }`)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const entries = await since(start);
    expect(entries.map((e) => [e.action, e.targetType, e.targetId, JSON.parse(e.details)])).toEqual([
      ['status.create', 'chat-status', 'audit_waiting', expect.objectContaining({ name: 'Очікує', isClosed: false })],
      ['status.rename', 'chat-status', 'audit_waiting', { from: 'Очікує', to: 'Чекає клієнта' }],
      ['status.close', 'chat-status', 'audit_waiting', { name: 'Чекає клієнта' }],
      ['status.rename', 'chat-status', 'audit_waiting', { from: 'Чекає клієнта', to: 'Чекає' }],
      ['status.reopen', 'chat-status', 'audit_waiting', { name: 'Чекає' }],
      ['status.reorder', 'chat-status-list', 'chat-statuses', { from: before, to: reversed }],
    ]);
    expect(entries.every((e) => e.actorId === admin.employeeId && e.actorRole === 'admin')).toBe(true);
  });

  it('audits chat deletion with the chat number and connection', async () => {
    const chatKey = chatKeyOf({ connectionId: connection.id, externalChatId: '9001' });
    await bus.publish([
      {
        topic: TOPICS.inbound,
        envelope: createEnvelope(
          MessageReceivedV1,
          {
            connection,
            chatKey,
            externalChatId: '9001',
            occurredAt: new Date().toISOString(),
            platformMessageId: '1',
            customer: { externalId: '9001', displayName: 'Оксана' },
            content: { text: 'Добрий день', attachments: [] },
          },
          { producer: 'test', key: chatKey },
        ),
      },
    ]);
    const chatsQuery = `{ chats(first: 10) { edges { node { id number } } } }`;
    const node = await waitFor(async () => (await ok<{ chats: { edges: { node: { id: string; number: number } }[] } }>(admin, chatsQuery)).chats.edges[0]?.node, {
      description: 'the chat',
    });
    const start = await newest();
    await ok(admin, `mutation($c: ID!) { deleteChat(chatId: $c) { deletedChatId } }`, { c: node.id }, 'corr-delete');
    const entries = await since(start);
    expect(entries).toEqual([
      expect.objectContaining({ action: 'chat.delete', targetType: 'chat', targetId: node.id, actorId: admin.employeeId, actorRole: 'admin', correlationId: 'corr-delete' }),
    ]);
    expect(JSON.parse(entries[0]!.details)).toEqual({ chatNumber: node.number, connectionId: connection.id });
  });

  it('serves the log to admins only, filtered by action and target', async () => {
    expect((await gql(operator, `{ chatAuditLog { id } }`)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await log(`(action: "status.rename")`)).map((e) => e.action)).toEqual(['status.rename', 'status.rename']);
    expect((await log(`(targetId: "${connection.id}")`)).every((e) => e.targetId === connection.id)).toBe(true);
  });
});
