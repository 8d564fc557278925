/**
 * Typing indicators in the chat service (decision 0042), on PostgreSQL with the log bus: customers' typing
 * from messenger.presence.v1 and operators' reportTyping reach the live feed's ephemeral channel for exactly
 * those who may see the chat (never the typer), never the durable feed nor a catch-up read; expired and
 * invalid presence events are dropped without a dead letter; reportTyping is throttled per operator and chat.
 */
import {
  CustomerTypingV1,
  MessageReceivedV1,
  OperatorTypingV1,
  TOPICS,
  chatKeyOf,
  createEnvelope,
  deadLetterTopic,
  type Envelope,
} from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport, type ConsumerHandle } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, signAccessToken, signServiceToken, type Principal, type RunningService } from '@switchboard/service-kit';
import { createTestDatabase, employeeChangedEvent, isPostgresAvailable, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { chatConfigSchema, startChatService } from '../src';

const JWT_SECRET = 'typing-test-secret-'.padEnd(40, 'x');
const connectionA = { id: randomUUID(), channel: 'telegram' as const, displayName: '@shop_a_bot' };
const admin: Principal = { employeeId: randomUUID(), role: 'admin', name: 'Ada Admin' };
const operatorA: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Олена Петренко' };
const operatorNone: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Ivan Nobody' };
const everyone = [admin, operatorA, operatorNone].map((p) => ({ employeeId: p.employeeId, role: p.role }));

interface TypingEntry {
  kind: 'typing';
  chatId: string;
  actor: { kind: string; id: string; name: string };
  activity: string;
  expiresAt: string;
  audience: string[];
}
interface FeedAnswer {
  tooOld: false;
  head: string;
  entries: { envelope: Envelope }[];
  ephemeral?: TypingEntry[];
  ephemeralHead?: string;
}
type GraphQLAnswer<T> = { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };

function customerMessage(customerId: string, text: string, name: string) {
  const chatKey = chatKeyOf({ connectionId: connectionA.id, externalChatId: customerId });
  return {
    topic: TOPICS.inbound,
    envelope: createEnvelope(
      MessageReceivedV1,
      {
        connection: connectionA,
        chatKey,
        externalChatId: customerId,
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
        platformMessageId: `${customerId}-1`,
        customer: { externalId: customerId, displayName: name },
        content: { text, attachments: [] },
      },
      { producer: 'test', key: chatKey },
    ),
  };
}

function customerTyping(customerId: string, expiresInMs: number, activity: 'typing' | 'cancelled' = 'typing') {
  const chatKey = chatKeyOf({ connectionId: connectionA.id, externalChatId: customerId });
  const now = Date.now();
  return {
    topic: TOPICS.presence,
    envelope: createEnvelope(
      CustomerTypingV1,
      {
        connection: connectionA,
        chatKey,
        externalChatId: customerId,
        occurredAt: new Date(now).toISOString(),
        customerExternalId: customerId,
        activity,
        expiresAt: new Date(now + expiresInMs).toISOString(),
      },
      { producer: 'channel-telegram-user', key: chatKey },
    ),
  };
}

describe('typing in the chat service (PostgreSQL, log bus)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let chat: RunningService;
  let bus: EventBus;
  const tokens = new Map<Principal, string>();
  const presence: Envelope[] = [];
  const deadLetters: Envelope[] = [];
  const consumers: ConsumerHandle[] = [];
  let chatA1: string;

  async function gql<T>(as: Principal, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer<T>> {
    const response = await fetch(`${chat.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(as)}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLAnswer<T>;
  }
  async function feed(body: Record<string, unknown>): Promise<FeedAnswer> {
    const response = await fetch(`${chat.url}/internal/feed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await signServiceToken({ service: 'gateway', secret: JWT_SECRET })}` },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`feed answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as FeedAnswer;
  }
  const reportTyping = (as: Principal, chatId: string) => gql<{ reportTyping: boolean }>(as, `mutation($c: ID!) { reportTyping(chatId: $c) }`, { c: chatId });

  beforeAll(async () => {
    if (!(await isPostgresAvailable())) {
      if (process.env.REQUIRE_INTEGRATION === '1') throw new Error('PostgreSQL is required (REQUIRE_INTEGRATION=1)');
      return;
    }
    db = await createTestDatabase('chat_typing');
    await migrateSchema(createServiceDataSource({ url: db.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    const logger = createLogger('chat-test', process.env.LOG_LEVEL ?? 'warn');
    bus = new EventBus(new LogTransport({ databaseUrl: db.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    chat = await startChatService({ logger, bus, config: chatConfigSchema.parse({ PORT: '0', DATABASE_URL: db.url, JWT_SECRET }) });
    for (const p of [admin, operatorA, operatorNone]) tokens.set(p, await signAccessToken(p, { secret: JWT_SECRET, ttlSeconds: 600 }));
    consumers.push(
      await bus.subscribe({ group: 'test.presence', topics: [TOPICS.presence], handler: async (records) => void presence.push(...records.map((r) => r.envelope)) }),
      await bus.subscribe({ group: 'test.dlq', topics: [deadLetterTopic(TOPICS.presence)], handler: async (records) => void deadLetters.push(...records.map((r) => r.envelope)) }),
    );
    await bus.publish([admin, operatorA, operatorNone].map((p) => employeeChangedEvent(p, new Date(Date.now() - 60_000))));
    await bus.publish([customerMessage('1001', 'Добрий день!', 'Оксана Коваль'), customerMessage('1002', 'Hello', 'Petro')]);
    type Chats = { chats: { edges: { node: { id: string; customer: { displayName: string } } }[] } };
    await waitFor(async () => ((await gql<Chats>(admin, `{ chats(first: 10) { edges { node { id customer { displayName } } } } }`)).data?.chats.edges.length ?? 0) === 2, {
      description: 'two chats',
    });
    const chats = (await gql<Chats>(admin, `{ chats(first: 10) { edges { node { id customer { displayName } } } } }`)).data!.chats.edges;
    chatA1 = chats.find((e) => e.node.customer.displayName === 'Оксана Коваль')!.node.id;
    await waitFor(
      async () =>
        !(await gql(admin, `mutation($c: ID!, $e: [ID!]!) { setConnectionMembers(connectionId: $c, employeeIds: $e) { connectionId } }`, { c: connectionA.id, e: [operatorA.employeeId] }))
          .errors,
      { description: 'operator A a member of connection A' },
    );
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.stop();
    await chat?.stop();
    await bus?.close();
    await db?.drop();
  });

  it("hands a customer's typing to those who may see the chat on the ephemeral channel only, never to a catch-up", async () => {
    if (!db) return;
    const start = await feed({ subscribers: [] });
    expect(start.ephemeralHead).toMatch(/^\d+$/);
    // A long-poll waiting on the ephemeral channel ends when the typing arrives, not at its deadline.
    const startedAt = Date.now();
    const polled = feed({ after: start.head, ephemeralAfter: start.ephemeralHead, waitMs: 20_000, subscribers: everyone });
    await bus.publish([
      customerTyping('1002', -1_000), // already expired: dropped
      { ...customerTyping('1001', 6_000), envelope: { ...customerTyping('1001', 6_000).envelope, data: { chatKey: 'broken' } } }, // not the contract
      customerTyping('1001', 6_000),
    ]);
    const page = await polled;
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(page.ephemeral).toHaveLength(1);
    const typing = page.ephemeral![0]!;
    expect(typing).toMatchObject({ kind: 'typing', chatId: chatA1, activity: 'typing', actor: { kind: 'customer', name: 'Оксана Коваль' } });
    expect(typing.audience.sort()).toEqual([admin.employeeId, operatorA.employeeId].sort());
    expect(BigInt(page.ephemeralHead!)).toBeGreaterThan(BigInt(start.ephemeralHead!));

    // The durable feed and a read without the ephemeral channel (what a resume does) carry nothing of it.
    const catchUp = await feed({ after: start.head, subscribers: everyone });
    expect(catchUp.ephemeral).toBeUndefined();
    expect(catchUp.entries.filter((e) => e.envelope.type.includes('typing'))).toEqual([]);
    // Read once: after its head the channel is empty.
    expect((await feed({ after: page.head, ephemeralAfter: page.ephemeralHead, subscribers: everyone })).ephemeral).toEqual([]);
  });

  it('passes an operator typing on to the bus and to the other operators, at most once per 4 s, for visible chats only', async () => {
    if (!db) return;
    const start = await feed({ subscribers: [] });
    expect((await reportTyping(operatorA, chatA1)).data?.reportTyping).toBe(true);
    expect((await reportTyping(operatorA, chatA1)).data?.reportTyping).toBe(false);
    expect((await reportTyping(operatorNone, chatA1)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await reportTyping(operatorA, 'not-an-id')).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    await waitFor(() => presence.some((e) => e.type === OperatorTypingV1.type), { description: 'the operator typing on the presence topic' });
    const published = presence.filter((e) => e.type === OperatorTypingV1.type);
    expect(published).toHaveLength(1);
    expect(published[0]!.data).toMatchObject({
      connection: connectionA,
      externalChatId: '1001',
      chatId: chatA1,
      employeeId: operatorA.employeeId,
      employeeName: 'Олена Петренко',
      activity: 'typing',
    });

    let typing: TypingEntry | undefined;
    await waitFor(
      async () => {
        const page = await feed({ after: start.head, ephemeralAfter: start.ephemeralHead, subscribers: everyone });
        typing = page.ephemeral?.find((t) => t.actor.kind === 'employee');
        return typing !== undefined;
      },
      { description: 'the operator typing on the ephemeral channel' },
    );
    expect(typing).toMatchObject({ chatId: chatA1, actor: { id: operatorA.employeeId, name: 'Олена Петренко' } });
    // The admin sees it; the typer and an operator who may not see the chat do not.
    expect(typing!.audience).toEqual([admin.employeeId]);
  });

  it('never dead-letters presence events', async () => {
    if (!db) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deadLetters).toEqual([]);
  });
});
