/**
 * The chat service's idempotency guarantees, on a real PostgreSQL with the log bus: platforms and the bus
 * both redeliver, so the same event three times (one after another, and at once) must yield one message,
 * and a burst of first messages from a new customer must yield one chat with one number.
 */
import { MessageReceivedV1, TOPICS, chatKeyOf, createEnvelope } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, type RunningService } from '@switchboard/service-kit';
import { createTestDatabase, isPostgresAvailable, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { chatConfigSchema, startChatService } from '../src';

const connection = { id: randomUUID(), channel: 'telegram' as const, displayName: '@shop_bot' };

function messageEvent(customerId: string, messageId: number, text: string) {
  const externalChatId = customerId;
  const chatKey = chatKeyOf({ connectionId: connection.id, externalChatId });
  return {
    topic: TOPICS.inbound,
    envelope: createEnvelope(
      MessageReceivedV1,
      {
        connection,
        chatKey,
        externalChatId,
        occurredAt: new Date(1_790_000_000_000 + messageId * 1000).toISOString(),
        platformMessageId: String(messageId),
        customer: { externalId: customerId, displayName: `Customer ${customerId}` },
        content: { text, attachments: [] },
      },
      { producer: 'test', key: chatKey },
    ),
  };
}

describe('chat ingest idempotency (PostgreSQL, log bus)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let chat: RunningService;
  let bus: EventBus;
  let sql: Client;

  beforeAll(async () => {
    if (!(await isPostgresAvailable())) {
      if (process.env.REQUIRE_INTEGRATION === '1') throw new Error('PostgreSQL is required (REQUIRE_INTEGRATION=1)');
      return;
    }
    db = await createTestDatabase('chat_ingest');
    await migrateSchema(createServiceDataSource({ url: db.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    const logger = createLogger('chat-test', process.env.LOG_LEVEL ?? 'warn');
    bus = new EventBus(new LogTransport({ databaseUrl: db.url, logger, pollIntervalMs: 100 }), logger);
    await bus.transport.connect();
    chat = await startChatService({ logger, bus, config: chatConfigSchema.parse({ PORT: '0', DATABASE_URL: db.url, JWT_SECRET: 'x'.repeat(40) }) });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await chat?.stop();
    await bus?.close();
    await db?.drop();
  });

  const count = async (query: string, params: unknown[]) => Number((await sql.query<{ n: string }>(query, params)).rows[0]!.n);

  it('stores an update delivered three times, one after another and at once, exactly once', async () => {
    if (!db) return;
    const event = messageEvent('5001', 1, 'Привіт');
    for (let i = 0; i < 3; i++) await bus.publish([event]);
    await Promise.all([bus.publish([event]), bus.publish([event]), bus.publish([event])]);
    const again = messageEvent('5001', 2, 'marker');
    await bus.publish([again]);
    await waitFor(() => count(`SELECT count(*) AS n FROM chat.messages WHERE platform_message_id = '2'`, []), { description: 'the marker message' });
    expect(await count(`SELECT count(*) AS n FROM chat.messages m JOIN chat.chats c ON c.id = m.chat_id WHERE c.external_chat_id = '5001'`, [])).toBe(2);
  });

  it('turns 20 concurrent first messages from a new customer into one chat with one number', async () => {
    if (!db) return;
    const before = await count(`SELECT count(*) AS n FROM chat.chats`, []);
    await Promise.all(Array.from({ length: 20 }, (_, i) => bus.publish([messageEvent('6001', 100 + i, `message ${i}`)])));
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM chat.messages m JOIN chat.chats c ON c.id = m.chat_id WHERE c.external_chat_id = '6001'`, [])) === 20, {
      description: 'all 20 messages',
    });
    expect(await count(`SELECT count(*) AS n FROM chat.chats WHERE external_chat_id = '6001'`, [])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM chat.chats`, [])).toBe(before + 1);
    const numbers = (await sql.query<{ number: string }>(`SELECT number FROM chat.chats ORDER BY number`)).rows.map((r) => Number(r.number));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });

  it("keeps a new customer's username and phone when a later message of the same batch omits them", async () => {
    if (!db) return;
    const first = messageEvent('7001', 300, 'з профілем');
    const firstData = first.envelope.data as { customer: Record<string, string> };
    firstData.customer = { ...firstData.customer, username: 'oksana_k', phone: '+380501234567' };
    const second = messageEvent('7001', 301, 'без профілю');
    // One publish: the two records reach the chat service in one batch, hence one ingest transaction.
    await bus.publish([first, second]);
    await waitFor(() => count(`SELECT count(*) AS n FROM chat.messages WHERE platform_message_id = '301'`, []), { description: 'both messages' });
    const customer = (await sql.query<{ username: string | null; phone: string | null }>(`SELECT username, phone FROM chat.customers WHERE external_id = '7001'`)).rows[0];
    expect(customer).toEqual({ username: 'oksana_k', phone: '+380501234567' });
  });

  it("opens a new chat for a customer whose chat was deleted after the service stored into it, and updates a profile that changed", async () => {
    if (!db) return;
    await bus.publish([messageEvent('8001', 400, 'перше')]);
    await waitFor(() => count(`SELECT count(*) AS n FROM chat.messages WHERE platform_message_id = '400'`, []), { description: 'the first message' });
    const first = (await sql.query<{ id: string; number: string }>(`SELECT id, number FROM chat.chats WHERE external_chat_id = '8001'`)).rows[0]!;
    // Deleted behind the service's back (D3 deletes the same way: the row and, by cascade, its timeline).
    await sql.query(`DELETE FROM chat.chats WHERE id = $1`, [first.id]);
    const renamed = messageEvent('8001', 401, 'після видалення');
    (renamed.envelope.data as { customer: Record<string, string> }).customer.displayName = 'Оксана К.';
    await bus.publish([renamed]);
    await waitFor(() => count(`SELECT count(*) AS n FROM chat.messages WHERE platform_message_id = '401'`, []), { description: 'the message after the delete' });
    const second = (await sql.query<{ id: string; number: string }>(`SELECT id, number FROM chat.chats WHERE external_chat_id = '8001'`)).rows;
    expect(second).toHaveLength(1);
    expect(second[0]!.id).not.toBe(first.id);
    expect(Number(second[0]!.number)).toBeGreaterThan(Number(first.number));
    const events = (await sql.query<{ type: string; chat_id: string; envelope: { data: { message?: { text?: string }; unanswered?: boolean } } }>(
      `SELECT type, chat_id, envelope FROM chat.feed WHERE chat_id = $1 ORDER BY position`,
      [second[0]!.id],
    )).rows;
    expect(events.map((e) => e.type)).toEqual(['chat.created', 'chat.message-added']);
    expect(events[1]!.envelope.data).toMatchObject({ unanswered: true, message: { text: 'після видалення' } });
    const customer = (await sql.query<{ display_name: string }>(`SELECT display_name FROM chat.customers WHERE external_id = '8001'`)).rows[0];
    expect(customer?.display_name).toBe('Оксана К.');
  });
});
