/**
 * The operator's inbox in the chat service (issue 4), through its subgraph over HTTP with real access
 * tokens, on PostgreSQL with the log bus: permissions (admin / member of connection A / member of none),
 * list filters and tab counts, chat actions with their timeline entries and chat events, notes that never
 * leave the building, read state, canned answers and the status list.
 */
import { MessageReceivedV1, TOPICS, chatKeyOf, createEnvelope, outboundTopic, type Envelope } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport, type ConsumerHandle } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { ChatVisibilityClient, createLogger, signAccessToken, type Principal, type RunningService } from '@switchboard/service-kit';
import { createTestDatabase, employeeChangedEvent, isPostgresAvailable, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { chatConfigSchema, startChatService } from '../src';

const JWT_SECRET = 'inbox-test-secret-'.padEnd(40, 'x');
const connectionA = { id: randomUUID(), channel: 'telegram' as const, displayName: '@shop_a_bot' };
const connectionB = { id: randomUUID(), channel: 'viber' as const, displayName: 'Shop B' };

const admin: Principal = { employeeId: randomUUID(), role: 'admin', name: 'Ada Admin' };
const operatorA: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Олена Петренко' };
const operatorNone: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Ivan Nobody' };

let platformMessageId = 1;
function customerMessage(connection: typeof connectionA | typeof connectionB, customerId: string, text: string, name = `Customer ${customerId}`) {
  const chatKey = chatKeyOf({ connectionId: connection.id, externalChatId: customerId });
  const id = platformMessageId++;
  return {
    topic: TOPICS.inbound,
    envelope: createEnvelope(
      MessageReceivedV1,
      {
        connection,
        chatKey,
        externalChatId: customerId,
        occurredAt: new Date(Date.now() - 60_000 + id).toISOString(),
        platformMessageId: String(id),
        customer: { externalId: customerId, displayName: name },
        content: { text, attachments: [] },
      },
      { producer: 'test', key: chatKey },
    ),
  };
}

type GraphQLAnswer<T> = { data?: T; errors?: { message: string; extensions?: { code?: string; field?: string } }[] };

describe('the inbox in the chat service (PostgreSQL, log bus)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let chat: RunningService;
  let bus: EventBus;
  const tokens = new Map<Principal, string>();
  const published: Envelope[] = [];
  const consumers: ConsumerHandle[] = [];

  async function gql<T>(as: Principal, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer<T>> {
    const response = await fetch(`${chat.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(as)}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLAnswer<T>;
  }
  async function ok<T>(as: Principal, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const answer = await gql<T>(as, query, variables);
    if (answer.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(answer.errors)}`);
    return answer.data!;
  }
  const errorCode = (answer: GraphQLAnswer<unknown>) => answer.errors?.[0]?.extensions?.code;
  const answerError = (answer: GraphQLAnswer<unknown>) => answer.errors?.[0]?.extensions;

  const CHAT_FIELDS = `id number unanswered unreadCount status { code } operators { id } source { channel } customer { displayName }`;
  type ChatNode = { id: string; number: number; unanswered: boolean; unreadCount: number; status: { code: string }; operators: { id: string }[]; source: { channel: string }; customer: { displayName: string } };
  type Counts = { all: number; unassigned: number; assignedToMe: number; unanswered: number };
  type ChatsAnswer = { chats: { totalCount: number; counts: Counts; upTo1: Counts; upTo100: Counts; edges: { node: ChatNode }[] } };
  const COUNTS = `{ all unassigned assignedToMe unanswered }`;
  const capped = (counts: Counts, upTo: number) => Object.fromEntries(Object.entries(counts).map(([tab, n]) => [tab, Math.min(n, upTo)]));
  // Every list also asks for capped tab counts: the list's own walks stopping at upTo, checked here
  // against the exact counts under every filter and viewer the suite uses.
  const listChats = async (as: Principal, filter: Record<string, unknown> = {}) => {
    const { chats } = await ok<ChatsAnswer>(
      as,
      `query($filter: ChatFilter) { chats(filter: $filter, first: 100) { totalCount counts ${COUNTS} upTo1: counts(upTo: 1) ${COUNTS} upTo100: counts(upTo: 100) ${COUNTS} edges { node { ${CHAT_FIELDS} } } } }`,
      { filter },
    );
    expect(chats.upTo100).toEqual(chats.counts);
    expect(chats.upTo1).toEqual(capped(chats.counts, 1));
    return chats;
  };
  const chatIdOf = async (name: string) => (await listChats(admin)).edges.find((e) => e.node.customer.displayName === name)!.node.id;

  let chatA1: string; // connection A, customer Оксана
  let chatA2: string; // connection A, customer Petro
  let chatB1: string; // connection B, customer Sam

  beforeAll(async () => {
    if (!(await isPostgresAvailable())) {
      if (process.env.REQUIRE_INTEGRATION === '1') throw new Error('PostgreSQL is required (REQUIRE_INTEGRATION=1)');
      return;
    }
    db = await createTestDatabase('chat_inbox');
    await migrateSchema(createServiceDataSource({ url: db.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    const logger = createLogger('chat-test', process.env.LOG_LEVEL ?? 'warn');
    bus = new EventBus(new LogTransport({ databaseUrl: db.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    chat = await startChatService({ logger, bus, config: chatConfigSchema.parse({ PORT: '0', DATABASE_URL: db.url, JWT_SECRET }) });
    for (const p of [admin, operatorA, operatorNone]) tokens.set(p, await signAccessToken(p, { secret: JWT_SECRET, ttlSeconds: 600 }));
    consumers.push(
      await bus.subscribe({
        group: 'test.observer',
        topics: [TOPICS.chatEvents, outboundTopic('telegram'), outboundTopic('viber')],
        handler: async (records) => void published.push(...records.map((r) => r.envelope)),
      }),
    );

    // The chat service knows employees from identity's events; operators it is given must be among them.
    const known = new Date(Date.now() - 60_000);
    await bus.publish([admin, operatorA, operatorNone].map((p) => employeeChangedEvent(p, known)));
    await bus.publish([
      customerMessage(connectionA, '1001', 'Добрий день! Де моє замовлення?', 'Оксана Коваль'),
      customerMessage(connectionA, '1002', 'Hello, do you ship abroad?', 'Petro'),
      customerMessage(connectionB, '2001', 'Привет, сколько стоит доставка?', 'Sam'),
    ]);
    await waitFor(async () => (await listChats(admin)).totalCount === 3, { description: 'three chats' });
    await waitFor(async () => !(await gql(admin, `mutation($c: ID!, $e: [ID!]!) { setConnectionMembers(connectionId: $c, employeeIds: $e) { connectionId } }`, { c: randomUUID(), e: [operatorNone.employeeId] })).errors, {
      description: 'employees known to the chat service',
    });
    [chatA1, chatA2, chatB1] = await Promise.all([chatIdOf('Оксана Коваль'), chatIdOf('Petro'), chatIdOf('Sam')]);
    await ok(admin, `mutation($c: ID!, $e: [ID!]!) { setConnectionMembers(connectionId: $c, employeeIds: $e) { connectionId } }`, {
      c: connectionA.id,
      e: [operatorA.employeeId],
    });
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.stop();
    await chat?.stop();
    await bus?.close();
    await db?.drop();
  });

  it('shows each employee only the chats they may see: admin all, a member their connection, others none', async () => {
    if (!db) return;
    expect((await listChats(admin)).totalCount).toBe(3);
    const a = await listChats(operatorA);
    expect(a.edges.map((e) => e.node.id).sort()).toEqual([chatA1, chatA2].sort());
    expect(a.counts).toEqual({ all: 2, unassigned: 2, assignedToMe: 0, unanswered: 2 });
    expect((await listChats(operatorNone)).totalCount).toBe(0);

    expect((await ok<{ chat: unknown }>(operatorA, `query($id: ID!) { chat(id: $id) { id } }`, { id: chatB1 })).chat).toBeNull();
    const send = await gql(operatorA, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }`, { i: { chatId: chatB1, text: 'hi' } });
    expect(errorCode(send)).toBe('NOT_FOUND');
    const note = await gql(operatorNone, `mutation($c: ID!) { addNote(chatId: $c, text: "peek") { note { id } } }`, { c: chatA1 });
    expect(errorCode(note)).toBe('NOT_FOUND');
    const members = await gql(operatorA, `query($c: ID!) { connectionMembers(connectionId: $c) { members { id } } }`, { c: connectionA.id });
    expect(errorCode(members)).toBe('FORBIDDEN');
  });

  it('lets an operator of a chat see it even without connection membership', async () => {
    if (!db) return;
    await ok(admin, `mutation($c: ID!, $o: [ID!]!) { addChatOperators(chatId: $c, operatorIds: $o) { chat { id } } }`, { c: chatB1, o: [operatorNone.employeeId] });
    const none = await listChats(operatorNone);
    expect(none.edges.map((e) => e.node.id)).toEqual([chatB1]);
    expect(none.counts.assignedToMe).toBe(1);
    await ok(operatorNone, `mutation($c: ID!) { leaveChat(chatId: $c) { chat { id } } }`, { c: chatB1 });
    expect((await listChats(operatorNone)).totalCount).toBe(0);
  });

  it('filters by messenger, type, operator and status, AND between filters and OR inside one', async () => {
    if (!db) return;
    await ok(operatorA, `mutation($c: ID!) { takeChatIntoWork(chatId: $c) { chat { id } } }`, { c: chatA1 });
    const ids = async (filter: Record<string, unknown>) => (await listChats(admin, filter)).edges.map((e) => e.node.id).sort();
    expect(await ids({ channels: ['VIBER'] })).toEqual([chatB1]);
    expect(await ids({ channels: ['VIBER', 'TELEGRAM'] })).toEqual([chatA1, chatA2, chatB1].sort());
    expect(await ids({ type: 'UNASSIGNED' })).toEqual([chatA2, chatB1].sort());
    expect(await ids({ operatorIds: [operatorA.employeeId, operatorNone.employeeId] })).toEqual([chatA1]);
    expect(await ids({ statusCodes: ['in_progress'] })).toEqual([chatA1]);
    expect(await ids({ statusCodes: ['new', 'in_progress'], channels: ['TELEGRAM'] })).toEqual([chatA1, chatA2].sort());
    expect(await ids({ statusCodes: ['new'], channels: ['TELEGRAM'], type: 'UNASSIGNED' })).toEqual([chatA2]);
    const mine = await listChats(operatorA, { type: 'ASSIGNED_TO_ME' });
    expect(mine.edges.map((e) => e.node.id)).toEqual([chatA1]);
    expect(mine.totalCount).toBe(1);
    expect(mine.counts).toEqual({ all: 2, unassigned: 1, assignedToMe: 1, unanswered: 2 });
    const bad = await gql(admin, `query { chats(filter: { operatorIds: ["not-an-id"] }) { totalCount } }`);
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    const badCap = await gql(admin, `query { chats { counts(upTo: 0) { all } } }`);
    expect(errorCode(badCap)).toBe('BAD_USER_INPUT');
    expect(badCap.errors?.[0]?.message).toContain('upTo must be at least 1');
  });

  it('records every action as a timeline entry and a chat event, in order', async () => {
    if (!db) return;
    await ok(operatorA, `mutation($c: ID!) { changeChatStatus(chatId: $c, statusCode: "new") { chat { status { code } } } }`, { c: chatA2 }); // no change: no entry
    await ok(operatorA, `mutation($c: ID!) { takeChatIntoWork(chatId: $c) { chat { id } } }`, { c: chatA2 });
    await ok(operatorA, `mutation($c: ID!, $o: [ID!]!) { addChatOperators(chatId: $c, operatorIds: $o) { chat { id } } }`, { c: chatA2, o: [operatorNone.employeeId] });
    const ended = await ok<{ endChat: { chat: { status: { code: string } } } }>(operatorA, `mutation($c: ID!) { endChat(chatId: $c) { chat { status { code } } } }`, { c: chatA2 });
    expect(ended.endChat.chat.status.code).toBe('completed');
    const unknownStatus = await gql(operatorA, `mutation($c: ID!) { changeChatStatus(chatId: $c, statusCode: "nope") { chat { id } } }`, { c: chatA2 });
    expect(errorCode(unknownStatus)).toBe('BAD_USER_INPUT');

    const timeline = await ok<{ chat: { timeline: { edges: { node: { __typename: string; type?: string; actor?: { id: string }; fromStatus?: string; toStatus?: string; operators?: { id: string }[] } }[] } } }>(
      admin,
      `query($id: ID!) { chat(id: $id) { timeline(first: 20) { edges { node { __typename
         ... on ActivityEntry { type actor { id } fromStatus toStatus operators { id } } } } } } }`,
      { id: chatA2 },
    );
    const activities = timeline.chat.timeline.edges.map((e) => e.node).filter((n) => n.__typename === 'ActivityEntry').reverse();
    expect(activities).toEqual([
      { __typename: 'ActivityEntry', type: 'TAKEN_INTO_WORK', actor: { id: operatorA.employeeId }, fromStatus: 'new', toStatus: 'in_progress', operators: [] },
      { __typename: 'ActivityEntry', type: 'OPERATORS_ADDED', actor: { id: operatorA.employeeId }, fromStatus: null, toStatus: null, operators: [{ id: operatorNone.employeeId }] },
      { __typename: 'ActivityEntry', type: 'ENDED', actor: { id: operatorA.employeeId }, fromStatus: 'in_progress', toStatus: 'completed', operators: [] },
    ]);
    await waitFor(() => published.filter((e) => e.key === chatA2 && e.type === 'chat.status-changed').length === 2, { description: 'status events' });
    const forChat = published.filter((e) => e.key === chatA2 && e.type !== 'chat.created' && e.type !== 'chat.message-added').map((e) => `${e.type}:${(e.data as { reason: string }).reason}`);
    expect(forChat).toEqual(['chat.status-changed:taken-into-work', 'chat.operators-changed:taken-into-work', 'chat.operators-changed:added', 'chat.status-changed:ended']);
  });

  it('keeps notes internal: in the timeline, never in an outbound command', async () => {
    if (!db) return;
    const noteText = 'Клієнт VIP, не забути знижку — SECRET-NOTE-42';
    const added = await ok<{ addNote: { note: { id: string; text: string; author: { id: string } } } }>(
      operatorA,
      `mutation($c: ID!, $t: String!) { addNote(chatId: $c, text: $t) { note { id text author { id } } } }`,
      { c: chatA1, t: noteText },
    );
    expect(added.addNote.note).toMatchObject({ text: noteText, author: { id: operatorA.employeeId } });
    await ok(operatorA, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }`, { i: { chatId: chatA1, text: 'Ваше замовлення вже в дорозі' } });
    await waitFor(() => published.some((e) => e.type === 'messenger.send-requested'), { description: 'the reply command' });
    const commands = published.filter((e) => !e.type.startsWith('chat.'));
    expect(commands.length).toBeGreaterThan(0);
    expect(JSON.stringify(commands)).not.toContain('SECRET-NOTE-42');
    expect(published.some((e) => e.type === 'chat.note-added' && (e.data as { noteId: string }).noteId === added.addNote.note.id)).toBe(true);

    const chatView = await ok<{ chat: { lastMessagePreview: string; messages: { edges: unknown[] }; timeline: { edges: { node: { __typename: string } }[] } } }>(
      admin,
      `query($id: ID!) { chat(id: $id) { lastMessagePreview messages(first: 50) { edges { cursor } } timeline(first: 50) { edges { node { __typename } } } } }`,
      { id: chatA1 },
    );
    expect(chatView.chat.lastMessagePreview).toBe('Ваше замовлення вже в дорозі');
    expect(chatView.chat.messages.edges).toHaveLength(2);
    expect(chatView.chat.timeline.edges.map((e) => e.node.__typename)).toContain('Note');
  });

  it('counts unread customer messages per employee and marks them read', async () => {
    if (!db) return;
    await bus.publish([customerMessage(connectionA, '1002', 'Are you there?', 'Petro'), customerMessage(connectionA, '1002', 'Hello?', 'Petro')]);
    const unread = async (as: Principal) => (await listChats(as)).edges.find((e) => e.node.id === chatA2)?.node.unreadCount;
    await waitFor(async () => (await unread(operatorA)) === 3, { description: 'three unread for operator A' });
    const marked = await ok<{ markChatRead: { chat: { unreadCount: number } } }>(operatorA, `mutation($c: ID!) { markChatRead(chatId: $c) { chat { unreadCount } } }`, { c: chatA2 });
    expect(marked.markChatRead.chat.unreadCount).toBe(0);
    expect(await unread(admin)).toBe(3);
    await bus.publish([customerMessage(connectionA, '1002', 'One more thing', 'Petro')]);
    await waitFor(async () => (await unread(operatorA)) === 1, { description: 'one new unread' });
  });

  it('renders canned answers with the chat and operator filled in, rejecting unknown variables', async () => {
    if (!db) return;
    const typo = await gql(operatorA, `mutation { createCannedAnswer(input: { shortcode: "hi", title: "Hi", body: "Привіт, {{custmer.name}}" }) { id } }`);
    expect(errorCode(typo)).toBe('BAD_USER_INPUT');
    expect(typo.errors?.[0]?.message).toContain('custmer.name');
    const sharedByOperator = await gql(operatorA, `mutation { createCannedAnswer(input: { shortcode: "x", title: "X", body: "x", shared: true }) { id } }`);
    expect(errorCode(sharedByOperator)).toBe('FORBIDDEN');

    const created = await ok<{ createCannedAnswer: { id: string; shared: boolean } }>(
      operatorA,
      `mutation { createCannedAnswer(input: { shortcode: "hello", title: "Вітання", body: "Добрий день, {{ customer.firstName }}! Мене звати {{operator.firstName}}, чат #{{chat.number}}." }) { id shared } }`,
    );
    expect(created.createCannedAnswer.shared).toBe(false);
    const duplicate = await gql(operatorA, `mutation { createCannedAnswer(input: { shortcode: "HELLO", title: "again", body: "x" }) { id } }`);
    expect(errorCode(duplicate)).toBe('CONFLICT');
    await ok(admin, `mutation { createCannedAnswer(input: { shortcode: "delivery", title: "Доставка", body: "Доставка 1-2 дні", shared: true }) { id } }`);

    const listed = await ok<{ cannedAnswers: { shortcode: string; shared: boolean }[] }>(operatorA, `{ cannedAnswers { shortcode shared } }`);
    expect(listed.cannedAnswers).toEqual([
      { shortcode: 'hello', shared: false },
      { shortcode: 'delivery', shared: true },
    ]);
    expect((await ok<{ cannedAnswers: unknown[] }>(operatorNone, `{ cannedAnswers { shortcode } }`)).cannedAnswers).toHaveLength(1);

    const number = (await listChats(admin)).edges.find((e) => e.node.id === chatA1)!.node.number;
    const rendered = await ok<{ renderCannedAnswer: { text: string; missingVariables: string[] } }>(
      operatorA,
      `query($id: ID!, $c: ID!) { renderCannedAnswer(id: $id, chatId: $c) { text missingVariables } }`,
      { id: created.createCannedAnswer.id, c: chatA1 },
    );
    expect(rendered.renderCannedAnswer).toEqual({ text: `Добрий день, Оксана! Мене звати Олена, чат #${number}.`, missingVariables: [] });
    const otherChat = await gql(operatorA, `query($id: ID!, $c: ID!) { renderCannedAnswer(id: $id, chatId: $c) { text } }`, { id: created.createCannedAnswer.id, c: chatB1 });
    expect(errorCode(otherChat)).toBe('NOT_FOUND');
  });

  it('lets admins add, rename, reorder and close statuses; operators may not', async () => {
    if (!db) return;
    expect(errorCode(await gql(operatorA, `mutation { createChatStatus(input: { code: "waiting", name: "Очікує" }) { code } }`))).toBe('FORBIDDEN');
    await ok(admin, `mutation { createChatStatus(input: { code: "waiting", name: "Очікує" }) { code } }`);
    expect(errorCode(await gql(admin, `mutation { createChatStatus(input: { code: "waiting", name: "Again" }) { code } }`))).toBe('CONFLICT');
    expect(errorCode(await gql(admin, `mutation { createChatStatus(input: { code: "Bad Code", name: "x" }) { code } }`))).toBe('BAD_USER_INPUT');
    await ok(admin, `mutation { updateChatStatus(input: { code: "waiting", name: "Чекає клієнта" }) { code } }`);
    expect(errorCode(await gql(admin, `mutation { reorderChatStatuses(codes: ["new", "waiting"]) { code } }`))).toBe('BAD_USER_INPUT');
    const reordered = await ok<{ reorderChatStatuses: { code: string; name: string; position: number }[] }>(
      admin,
      `mutation { reorderChatStatuses(codes: ["new", "waiting", "in_progress", "completed"]) { code name position } }`,
    );
    expect(reordered.reorderChatStatuses.map((s) => `${s.position}:${s.code}:${s.name}`)).toEqual(['1:new:Новий', '2:waiting:Чекає клієнта', '3:in_progress:В обробці', '4:completed:Завершений']);
    await ok(operatorA, `mutation($c: ID!) { changeChatStatus(chatId: $c, statusCode: "waiting") { chat { id } } }`, { c: chatA1 });
    expect((await listChats(admin, { statusCodes: ['waiting'] })).edges.map((e) => e.node.id)).toEqual([chatA1]);
  });

  it('deletes a chat with its history and tells other modules', async () => {
    if (!db) return;
    expect(errorCode(await gql(operatorNone, `mutation($c: ID!) { deleteChat(chatId: $c) { deletedChatId } }`, { c: chatB1 }))).toBe('NOT_FOUND');
    await ok(admin, `mutation($c: ID!) { deleteChat(chatId: $c) { deletedChatId } }`, { c: chatB1 });
    expect((await ok<{ chat: unknown }>(admin, `query($id: ID!) { chat(id: $id) { id } }`, { id: chatB1 })).chat).toBeNull();
    await waitFor(() => published.some((e) => e.type === 'chat.deleted' && e.key === chatB1), { description: 'the chat.deleted event' });
  });

  it('takes only active employees as operators or members, and refuses a deactivated one at once', async () => {
    if (!db) return;
    const stranger = randomUUID();
    const assigned = await gql(admin, `mutation($c: ID!, $o: [ID!]!) { assignChatOperators(chatId: $c, operatorIds: $o) { chat { id } } }`, { c: chatA2, o: [operatorA.employeeId, stranger] });
    expect(answerError(assigned)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'operatorIds' });
    expect(assigned.errors?.[0]?.message).toContain(stranger);
    const members = await gql(admin, `mutation($c: ID!, $e: [ID!]!) { setConnectionMembers(connectionId: $c, employeeIds: $e) { connectionId } }`, { c: connectionB.id, e: [stranger] });
    expect(answerError(members)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'employeeIds' });

    // Deactivated: refused everywhere at once, though the token is still valid; an older state arriving late changes nothing.
    const later = new Date();
    await bus.publish([employeeChangedEvent(operatorA, later, { active: false }), employeeChangedEvent(operatorA, new Date(later.getTime() - 1_000))]);
    await waitFor(async () => errorCode(await gql(operatorA, `{ chats(first: 1) { totalCount } }`)) === 'UNAUTHENTICATED', { description: 'operator A refused' });
    // Other services asking (files before an upload, tasks, CRM) hear "not visible", not an error.
    const visibility = new ChatVisibilityClient({ chatServiceUrl: chat.url, jwtSecret: JWT_SECRET, service: 'files' });
    expect(await visibility.check(operatorA, chatA2)).toEqual({ visible: false });
    expect(await visibility.check(admin, chatA2)).toMatchObject({ visible: true });
    expect(errorCode(await gql(admin, `mutation($c: ID!, $o: [ID!]!) { addChatOperators(chatId: $c, operatorIds: $o) { chat { id } } }`, { c: chatA2, o: [operatorA.employeeId] }))).toBe('BAD_USER_INPUT');
    await bus.publish([employeeChangedEvent(operatorA, new Date(later.getTime() + 1_000))]);
    await waitFor(async () => !(await gql(operatorA, `{ chats(first: 1) { totalCount } }`)).errors, { description: 'operator A back' });

    // A role change applies before the token expires: an admin made an operator sees only their connections' chats.
    await bus.publish([employeeChangedEvent(admin, new Date(later.getTime() + 2_000), { role: 'operator' })]);
    await waitFor(async () => (await listChats(admin)).totalCount === 0, { description: 'demoted admin sees no chats' });
    await bus.publish([employeeChangedEvent(admin, new Date(later.getTime() + 3_000))]);
    await waitFor(async () => (await listChats(admin)).totalCount > 0, { description: 'admin again' });
  });
});
