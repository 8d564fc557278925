/**
 * How connectors' send outcomes (DeliveryResultV1) move an outgoing message, through the chat subgraph on
 * PostgreSQL with the log bus: forward only, except that a message reported failed *instead of* being sent
 * becomes sent when the same command is later delivered (an admin replayed the bridge's dead letter,
 * decision 0016); a failure the platform reported after accepting the message stays final.
 */
import {
  DeliveryFailedV1,
  DeliveryResultV1,
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

const JWT_SECRET = 'delivery-results-test-secret-'.padEnd(40, 'x');
const bridge = { id: randomUUID(), channel: 'bridge' as const, displayName: 'Viber number gateway' };
const admin: Principal = { employeeId: randomUUID(), role: 'admin', name: 'Ada Admin' };

interface MessageNode {
  id: string;
  text: string | null;
  deliveryState: string | null;
  failure: { code: string; message: string } | null;
}

let sequence = 0;

describe('delivery results in the chat service (PostgreSQL, log bus)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let chat: RunningService;
  let bus: EventBus;
  let token: string;
  const commands: Envelope[] = [];
  const consumers: ConsumerHandle[] = [];

  async function ok<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(`${chat.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const answer = (await response.json()) as { data?: T; errors?: unknown[] };
    if (answer.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(answer.errors)}`);
    return answer.data!;
  }

  /** A chat opened by a customer's message, and the operator's reply in it with the command the chat service sent. */
  async function replyInNewChat(customerId: string, text: string): Promise<{ chatId: string; messageId: string; command: SendMessageRequested }> {
    const chatId = await openChat(customerId);
    return { chatId, ...(await reply(chatId, text)) };
  }

  async function openChat(customerId: string): Promise<string> {
    const chatKey = chatKeyOf({ connectionId: bridge.id, externalChatId: customerId });
    await bus.publish([
      {
        topic: TOPICS.inbound,
        envelope: createEnvelope(
          MessageReceivedV1,
          {
            connection: bridge,
            chatKey,
            externalChatId: customerId,
            occurredAt: new Date().toISOString(),
            platformMessageId: `in-${++sequence}`,
            customer: { externalId: customerId, displayName: `Customer ${customerId}` },
            content: { text: 'Добрий день', attachments: [] },
          },
          { producer: 'test', key: chatKey },
        ),
      },
    ]);
    return waitFor(
      async () => {
        const data = await ok<{ chats: { edges: { node: { id: string; customer: { displayName: string } } }[] } }>(`{ chats(first: 100) { edges { node { id customer { displayName } } } } }`);
        return data.chats.edges.find((e) => e.node.customer.displayName === `Customer ${customerId}`)?.node.id;
      },
      { description: `the chat of ${customerId}` },
    );
  }

  async function reply(chatId: string, text: string): Promise<{ messageId: string; command: SendMessageRequested }> {
    const sent = await ok<{ sendMessage: { message: { id: string } } }>(`mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }`, { i: { chatId, text } });
    const messageId = sent.sendMessage.message.id;
    const command = await waitFor(() => commands.map((c) => parseEvent(SendMessageRequestedV1, c).data).find((d) => d.commandId === messageId), {
      description: `the command of ${messageId}`,
    });
    return { messageId, command };
  }

  async function messageOf(chatId: string, messageId: string): Promise<MessageNode> {
    const data = await ok<{ chat: { messages: { edges: { node: MessageNode }[] } } }>(
      `query($id: ID!) { chat(id: $id) { messages(first: 50) { edges { node { id text deliveryState failure { code message } } } } } }`,
      { id: chatId },
    );
    return data.chat.messages.edges.map((e) => e.node).find((m) => m.id === messageId)!;
  }

  const waitForState = (chatId: string, messageId: string, state: string) =>
    waitFor(async () => {
      const message = await messageOf(chatId, messageId);
      return message.deliveryState === state && message;
    }, { description: `message ${messageId} ${state}` });

  function result(command: SendMessageRequested, outcome: { state: 'sent'; platformMessageId: string } | { state: 'failed'; code: 'platform_error'; message: string }, at = new Date()) {
    const data =
      outcome.state === 'sent'
        ? { state: 'sent' as const, commandId: command.commandId, chatKey: command.chatKey, platformMessageId: outcome.platformMessageId, occurredAt: at.toISOString() }
        : { state: 'failed' as const, commandId: command.commandId, chatKey: command.chatKey, failure: { code: outcome.code, message: outcome.message }, occurredAt: at.toISOString() };
    return { topic: TOPICS.delivery, envelope: createEnvelope(DeliveryResultV1, data, { producer: 'channel-bridge', key: command.chatKey }) };
  }

  /** Results of one chat are keyed by its chat key and applied in order: once a later reply's result is in, the ones before it were too. */
  async function afterMarker(chatId: string): Promise<void> {
    const marker = await reply(chatId, 'marker');
    await bus.publish([result(marker.command, { state: 'sent', platformMessageId: `marker-${++sequence}` })]);
    await waitForState(chatId, marker.messageId, 'SENT');
  }

  beforeAll(async () => {
    if (!(await isPostgresAvailable())) {
      if (process.env.REQUIRE_INTEGRATION === '1') throw new Error('PostgreSQL is required (REQUIRE_INTEGRATION=1)');
      return;
    }
    db = await createTestDatabase('chat_delivery_results');
    await migrateSchema(createServiceDataSource({ url: db.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    const logger = createLogger('chat-test', process.env.LOG_LEVEL ?? 'warn');
    bus = new EventBus(new LogTransport({ databaseUrl: db.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    chat = await startChatService({ logger, bus, config: chatConfigSchema.parse({ PORT: '0', DATABASE_URL: db.url, JWT_SECRET }) });
    token = await signAccessToken(admin, { secret: JWT_SECRET, ttlSeconds: 600 });
    consumers.push(
      await bus.subscribe({
        group: 'test.bridge-commands',
        topics: [outboundTopic('bridge')],
        handler: async (records) => void commands.push(...records.map((r) => r.envelope)),
      }),
    );
    await bus.publish([employeeChangedEvent(admin, new Date(Date.now() - 60_000))]);
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.stop();
    await chat?.stop();
    await bus?.close();
    await db?.drop();
  });

  it('a dead-lettered reply delivered on replay moves from FAILED to SENT, its failure cleared; a late copy of the failure changes nothing', async () => {
    if (!db) return;
    const { chatId, messageId, command } = await replyInNewChat('replayed', 'will be replayed');
    const failed = result(command, { state: 'failed', code: 'platform_error', message: 'The partner did not accept the message after 3 attempts' });
    await bus.publish([failed]);
    expect(await waitForState(chatId, messageId, 'FAILED')).toMatchObject({ failure: { code: 'platform_error', message: expect.stringContaining('3 attempts') } });

    await bus.publish([result(command, { state: 'sent', platformMessageId: 'partner-msg-1' })]);
    expect(await waitForState(chatId, messageId, 'SENT')).toEqual({ id: messageId, text: 'will be replayed', deliveryState: 'SENT', failure: null });

    // The bus redelivers the old failure (at-least-once) and the sent result again: both are no-ops now.
    await bus.publish([failed, result(command, { state: 'sent', platformMessageId: 'partner-msg-1' })]);
    await afterMarker(chatId);
    expect(await messageOf(chatId, messageId)).toMatchObject({ deliveryState: 'SENT', failure: null });
  });

  it('a failure the platform reported after accepting the message stays final: a re-published sent result does not undo it', async () => {
    if (!db) return;
    const { chatId, messageId, command } = await replyInNewChat('undeliverable', 'accepted, then undeliverable');
    const sent = result(command, { state: 'sent', platformMessageId: 'wamid-77' });
    await bus.publish([sent]);
    await waitForState(chatId, messageId, 'SENT');
    await bus.publish([
      {
        topic: TOPICS.inbound,
        envelope: createEnvelope(
          DeliveryFailedV1,
          {
            connection: bridge,
            chatKey: command.chatKey,
            externalChatId: command.externalChatId,
            occurredAt: new Date().toISOString(),
            platformMessageId: 'wamid-77',
            failure: { code: 'platform_error', message: '131026 Message undeliverable' },
          },
          { producer: 'test', key: command.chatKey },
        ),
      },
    ]);
    await waitForState(chatId, messageId, 'FAILED');

    await bus.publish([sent]);
    await afterMarker(chatId);
    expect(await messageOf(chatId, messageId)).toMatchObject({ deliveryState: 'FAILED', failure: { message: '131026 Message undeliverable' } });
  });
});
