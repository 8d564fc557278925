/**
 * What the chat service does for the Meta sources (issue 5), through its subgraph over HTTP on PostgreSQL
 * with the log bus: the reply window of Messenger/Instagram chats (free text for 24 hours, then the
 * HUMAN_AGENT tag up to 7 days, then refused with REPLY_WINDOW_CLOSED, checked at both edges), the comment
 * reply choice (commentReply only in comment chats, NOT_A_COMMENT_CHAT elsewhere; a private one carries no
 * files) and message echoes
 * (mirrored as outgoing and sent, once, never a copy of the inbox's own send).
 */
import {
  CommentReceivedV1,
  DeliveryResultV1,
  MessageEchoedV1,
  MessageReceivedV1,
  SendMessageRequestedV1,
  TOPICS,
  chatKeyOf,
  createEnvelope,
  outboundTopic,
  parseEvent,
  type Envelope,
  type SendMessageRequested,
} from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport, type ConsumerHandle } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, signAccessToken, type Principal, type RunningService } from '@switchboard/service-kit';
import { createTestDatabase, employeeChangedEvent, isPostgresAvailable, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { chatConfigSchema, startChatService } from '../src';

jest.setTimeout(60_000);

const JWT_SECRET = 'meta-replies-test-secret-'.padEnd(40, 'x');
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MINUTE_MS = 60_000;
const messenger = { id: randomUUID(), channel: 'messenger' as const, displayName: 'Shop Page' };
const instagram = { id: randomUUID(), channel: 'instagram' as const, displayName: '@shop.ua' };
const comments = { id: randomUUID(), channel: 'facebook-comments' as const, displayName: 'Shop Page' };
const admin: Principal = { employeeId: randomUUID(), role: 'admin', name: 'Ada Admin' };

type Connection = typeof messenger | typeof instagram | typeof comments;
type GraphQLAnswer<T> = { data?: T; errors?: { message: string; extensions?: { code?: string; alternatives?: unknown } }[] };
interface MessageNode {
  id: string;
  direction: 'INBOUND' | 'OUTBOUND';
  text: string | null;
  deliveryState: string | null;
  sentAt: string;
  author: { id: string } | null;
}

let sequence = 0;
function customerMessage(connection: Connection, customerId: string, text: string, at: Date) {
  const chatKey = chatKeyOf({ connectionId: connection.id, externalChatId: customerId });
  return {
    topic: TOPICS.inbound,
    envelope: createEnvelope(
      MessageReceivedV1,
      {
        connection,
        chatKey,
        externalChatId: customerId,
        occurredAt: at.toISOString(),
        platformMessageId: `m_in_${++sequence}`,
        customer: { externalId: customerId, displayName: `Customer ${customerId}` },
        content: { text, attachments: [] },
      },
      { producer: 'test', key: chatKey },
    ),
  };
}

function echo(connection: Connection, customerId: string, mid: string, text: string, at = new Date()) {
  const chatKey = chatKeyOf({ connectionId: connection.id, externalChatId: customerId });
  return {
    topic: TOPICS.inbound,
    envelope: createEnvelope(
      MessageEchoedV1,
      { connection, chatKey, externalChatId: customerId, occurredAt: at.toISOString(), platformMessageId: mid, content: { text, attachments: [] } },
      { producer: 'test', key: chatKey },
    ),
  };
}

describe('Meta reply rules and echoes in the chat service (PostgreSQL, log bus)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let chat: RunningService;
  let bus: EventBus;
  let token: string;
  const commands: Envelope[] = [];
  const consumers: ConsumerHandle[] = [];

  async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer<T>> {
    const response = await fetch(`${chat.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLAnswer<T>;
  }
  async function ok<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const answer = await gql<T>(query, variables);
    if (answer.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(answer.errors)}`);
    return answer.data!;
  }
  const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id deliveryState } } }`;
  const send = (input: Record<string, unknown>) => gql<{ sendMessage: { message: { id: string; deliveryState: string } } }>(SEND, { i: input });

  async function chatIdOf(customerId: string): Promise<string> {
    return waitFor(
      async () => {
        const data = await ok<{ chats: { edges: { node: { id: string; customer: { displayName: string } } }[] } }>(`{ chats(first: 100) { edges { node { id customer { displayName } } } } }`);
        return data.chats.edges.find((e) => e.node.customer.displayName === `Customer ${customerId}`)?.node.id;
      },
      { description: `the chat of ${customerId}` },
    );
  }
  async function messagesOf(chatId: string): Promise<MessageNode[]> {
    const data = await ok<{ chat: { messages: { edges: { node: MessageNode }[] } } }>(
      `query($id: ID!) { chat(id: $id) { messages(first: 50) { edges { node { id direction text deliveryState sentAt author { id } } } } } }`,
      { id: chatId },
    );
    return data.chat.messages.edges.map((e) => e.node);
  }
  const commandFor = (messageId: string) =>
    waitFor(() => commands.map((c) => parseEvent(SendMessageRequestedV1, c).data).find((d) => d.commandId === messageId), { description: `the command of ${messageId}` });
  /** A chat whose customer last wrote `ageMs` ago. */
  async function chatAged(connection: Connection, customerId: string, ageMs: number): Promise<string> {
    await bus.publish([customerMessage(connection, customerId, `written ${ageMs} ms ago`, new Date(Date.now() - ageMs))]);
    return chatIdOf(customerId);
  }

  beforeAll(async () => {
    if (!(await isPostgresAvailable())) {
      if (process.env.REQUIRE_INTEGRATION === '1') throw new Error('PostgreSQL is required (REQUIRE_INTEGRATION=1)');
      return;
    }
    db = await createTestDatabase('chat_meta_replies');
    await migrateSchema(createServiceDataSource({ url: db.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    const logger = createLogger('chat-test', process.env.LOG_LEVEL ?? 'warn');
    bus = new EventBus(new LogTransport({ databaseUrl: db.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    chat = await startChatService({ logger, bus, config: chatConfigSchema.parse({ PORT: '0', DATABASE_URL: db.url, JWT_SECRET }) });
    token = await signAccessToken(admin, { secret: JWT_SECRET, ttlSeconds: 600 });
    consumers.push(
      await bus.subscribe({
        group: 'test.meta-commands',
        topics: [outboundTopic('messenger'), outboundTopic('instagram'), outboundTopic('facebook-comments')],
        handler: async (records) => void commands.push(...records.map((r) => r.envelope)),
      }),
    );
    // The chat service knows employees from identity's events.
    await bus.publish([employeeChangedEvent(admin, new Date(Date.now() - MINUTE_MS))]);
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.stop();
    await chat?.stop();
    await bus?.close();
    await db?.drop();
  });

  describe('reply window of Messenger and Instagram chats', () => {
    it('inside 24 hours: free text without a tag (edge: 24 h minus a minute)', async () => {
      if (!db) return;
      const chatId = await chatAged(messenger, 'psid-23h59', DAY_MS - MINUTE_MS);
      const sent = await send({ chatId, text: 'in the window' });
      expect(sent.errors).toBeUndefined();
      const command = await commandFor(sent.data!.sendMessage.message.id);
      expect(command.messageTag).toBeUndefined();
      expect(command).toMatchObject({ text: 'in the window', connection: { channel: 'messenger' }, externalChatId: 'psid-23h59' });
    });

    it('24 hours closed but 7 days open: sent with messageTag HUMAN_AGENT (edges: 24 h plus a minute, 7 days minus a minute)', async () => {
      if (!db) return;
      for (const [connection, customerId, age] of [
        [messenger, 'psid-24h01', DAY_MS + MINUTE_MS],
        [instagram, 'igsid-6d23h59', 7 * DAY_MS - MINUTE_MS],
      ] as const) {
        const chatId = await chatAged(connection, customerId, age);
        const window = await ok<{ chat: { replyWindow: { freeTextAllowed: boolean; alternatives: { kind: string; tag: string | null }[] } } }>(
          `query($id: ID!) { chat(id: $id) { replyWindow { freeTextAllowed alternatives { kind tag } } } }`,
          { id: chatId },
        );
        expect(window.chat.replyWindow).toEqual({ freeTextAllowed: false, alternatives: [{ kind: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }] });
        const sent = await send({ chatId, text: `tagged ${customerId}` });
        expect(sent.errors).toBeUndefined();
        expect(sent.data!.sendMessage.message.deliveryState).toBe('PENDING');
        const command: SendMessageRequested = await commandFor(sent.data!.sendMessage.message.id);
        expect(command).toMatchObject({ messageTag: 'HUMAN_AGENT', text: `tagged ${customerId}`, connection: { channel: connection.channel } });
      }
    });

    it('after 7 days: refused with REPLY_WINDOW_CLOSED, nothing stored and nothing sent (edge: 7 days plus a minute)', async () => {
      if (!db) return;
      const chatId = await chatAged(messenger, 'psid-7d01', 7 * DAY_MS + MINUTE_MS);
      const before = commands.length;
      const refused = await send({ chatId, text: 'too late' });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'REPLY_WINDOW_CLOSED', alternatives: [] });
      expect(refused.data?.sendMessage ?? null).toBeNull();
      expect((await messagesOf(chatId)).filter((m) => m.direction === 'OUTBOUND')).toEqual([]);
      // A later send elsewhere goes through the same outbox: once it is out, a leaked refused command would be too.
      const marker = await send({ chatId: await chatAged(messenger, 'psid-marker', HOUR_MS), text: 'marker' });
      await commandFor(marker.data!.sendMessage.message.id);
      expect(commands.slice(before).map((c) => parseEvent(SendMessageRequestedV1, c).data.text)).toEqual(['marker']);
    });
  });

  describe('comment replies', () => {
    it('commentReply outside comment chats is refused with NOT_A_COMMENT_CHAT before anything is stored', async () => {
      if (!db) return;
      const chatId = await chatAged(messenger, 'psid-comment-choice', HOUR_MS);
      for (const mode of ['PRIVATE', 'PUBLIC']) {
        const refused = await send({ chatId, text: 'privately', commentReply: mode });
        expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_A_COMMENT_CHAT');
      }
      expect((await messagesOf(chatId)).filter((m) => m.direction === 'OUTBOUND')).toEqual([]);
    });

    it('in a comment chat the choice reaches the connector: PRIVATE as private, PUBLIC as public, none left to the connector default (public); no window applies', async () => {
      if (!db) return;
      const externalChatId = 'post_1:commenter_1';
      const chatKey = chatKeyOf({ connectionId: comments.id, externalChatId });
      await bus.publish([
        {
          topic: TOPICS.inbound,
          envelope: createEnvelope(
            CommentReceivedV1,
            {
              connection: comments,
              chatKey,
              externalChatId,
              // Ten days old: comment chats have no reply window (the private-reply limit is the connector's rule).
              occurredAt: new Date(Date.now() - 10 * DAY_MS).toISOString(),
              platformMessageId: 'comment_1',
              customer: { externalId: 'commenter_1', displayName: 'Customer commenter_1' },
              content: { text: 'How much?', attachments: [] },
              post: { id: 'post_1' },
            },
            { producer: 'test', key: chatKey },
          ),
        },
      ]);
      const chatId = await chatIdOf('commenter_1');
      const modes: Record<string, unknown> = {};
      for (const mode of ['PRIVATE', 'PUBLIC', undefined]) {
        const sent = await send({ chatId, text: `answer ${mode ?? 'default'}`, ...(mode ? { commentReply: mode } : {}) });
        expect(sent.errors).toBeUndefined();
        const command = await commandFor(sent.data!.sendMessage.message.id);
        expect(command.messageTag).toBeUndefined();
        modes[mode ?? 'default'] = command.commentReply;
      }
      expect(modes).toEqual({ PRIVATE: 'private', PUBLIC: 'public', default: undefined });
    });

    it('a PRIVATE reply carries text only: with files it is refused with BAD_USER_INPUT before anything is stored or sent', async () => {
      if (!db) return;
      const chatId = await chatIdOf('commenter_1');
      const storedBefore = (await messagesOf(chatId)).length;
      const commandsBefore = commands.length;
      const refused = await send({ chatId, text: 'photo privately', commentReply: 'PRIVATE', fileIds: [randomUUID()] });
      expect(refused.errors?.[0]).toMatchObject({
        message: 'A private comment reply carries text only: attach the file to a public reply instead',
        extensions: { code: 'BAD_USER_INPUT', field: 'fileIds' },
      });
      expect(refused.data?.sendMessage ?? null).toBeNull();
      expect(await messagesOf(chatId)).toHaveLength(storedBefore);
      // The outbox would have carried a stored send by the time a later one is out.
      const marker = await send({ chatId, text: 'marker after the refusal' });
      await commandFor(marker.data!.sendMessage.message.id);
      expect(commands.slice(commandsBefore).map((c) => parseEvent(SendMessageRequestedV1, c).data.text)).toEqual(['marker after the refusal']);
    });
  });

  describe('echoes', () => {
    it('mirrors an echo as an outgoing, already sent message once; the echo of our own send adds nothing; no chat is opened for an unknown one', async () => {
      if (!db) return;
      const chatId = await chatAged(messenger, 'psid-echo', HOUR_MS);
      const own = await send({ chatId, text: 'from the inbox' });
      const command = await commandFor(own.data!.sendMessage.message.id);
      await bus.publish([
        {
          topic: TOPICS.delivery,
          envelope: createEnvelope(
            DeliveryResultV1,
            { state: 'sent', commandId: command.commandId, chatKey: command.chatKey, platformMessageId: 'm_own_1', occurredAt: new Date().toISOString() },
            { producer: 'test', key: command.chatKey },
          ),
        },
      ]);
      await waitFor(async () => (await messagesOf(chatId)).some((m) => m.text === 'from the inbox' && m.deliveryState === 'SENT'), { description: 'our send SENT' });

      const phoneEcho = echo(messenger, 'psid-echo', 'm_phone_1', 'from the Page app');
      await bus.publish([phoneEcho, echo(messenger, 'psid-echo', 'm_own_1', 'from the inbox'), echo(messenger, 'psid-nobody', 'm_phone_2', 'to a chat we do not have')]);
      await bus.publish([phoneEcho]);
      // Same chat key, same partition, in order. The marker is an echo too: the ingest stores a batch's new
      // messages before its other events, so a customer message could show before echoes published ahead of it.
      await bus.publish([echo(messenger, 'psid-echo', 'm_marker', 'marker after echoes')]);
      await waitFor(async () => (await messagesOf(chatId)).some((m) => m.text === 'marker after echoes'), { description: 'the marker' });

      const outbound = (await messagesOf(chatId)).filter((m) => m.direction === 'OUTBOUND' && m.text !== 'marker after echoes');
      expect(outbound.map((m) => [m.text, m.deliveryState, m.author])).toEqual([
        ['from the Page app', 'SENT', null],
        ['from the inbox', 'SENT', { id: admin.employeeId }],
      ]);
      const chats = await ok<{ chats: { edges: { node: { customer: { displayName: string } } }[] } }>(`{ chats(first: 100) { edges { node { customer { displayName } } } } }`);
      expect(chats.chats.edges.map((e) => e.node.customer.displayName)).not.toContain('Customer psid-nobody');
    });

    it('an echo newer than the customer\'s message answers the chat; it does not open the reply window', async () => {
      if (!db) return;
      const chatId = await chatAged(instagram, 'igsid-echo', 8 * DAY_MS);
      const before = await ok<{ chat: { unanswered: boolean } }>(`query($id: ID!) { chat(id: $id) { unanswered } }`, { id: chatId });
      expect(before.chat.unanswered).toBe(true);
      await bus.publish([echo(instagram, 'igsid-echo', 'm_ig_phone', 'answered on the phone')]);
      const after = await waitFor(
        async () => {
          const data = await ok<{ chat: { unanswered: boolean; replyWindow: { freeTextAllowed: boolean } } }>(`query($id: ID!) { chat(id: $id) { unanswered replyWindow { freeTextAllowed } } }`, { id: chatId });
          return data.chat.unanswered ? undefined : data.chat;
        },
        { description: 'the chat answered by the echo' },
      );
      // The window counts the customer's messages only: an echo is the business writing.
      expect(after.replyWindow.freeTextAllowed).toBe(false);
      expect((await send({ chatId, text: 'still too late' })).errors?.[0]?.extensions?.code).toBe('REPLY_WINDOW_CLOSED');
    });
  });
});
