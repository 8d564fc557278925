import { TOPICS, createEnvelope, type ChatCreated, ChatCreatedV1, ChatDeletedV1, ChatMessageAddedV1, type Envelope } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport, type ConsumerHandle } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, signAccessToken, type Principal } from '@switchboard/service-kit';
import { ChatVisibilityDouble, createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { crmConfigSchema, startCrmService, type RunningCrmService } from '../../src';

export const JWT_SECRET = 'crm-test-secret-'.padEnd(40, 'x');

export type GraphQLAnswer<T> = { data?: T; errors?: { message: string; extensions?: { code?: string; reason?: string; field?: string } }[] };

/**
 * One test database with the log bus, a chat-visibility double, an observer of crm.events.v1, and a crm
 * service instance; chat events are published onto chat.events.v1 as the chat service would.
 */
export class CrmHarness {
  db!: TestDatabase;
  bus!: EventBus;
  chats!: ChatVisibilityDouble;
  crm!: RunningCrmService;
  /** Every envelope published on crm.events.v1, in arrival order. */
  readonly published: Envelope[] = [];
  private observer: ConsumerHandle | undefined;
  private readonly tokens = new Map<string, string>();
  private sql: Client | undefined;
  private chatNumber = 0;
  readonly logger = createLogger('crm-test', process.env.LOG_LEVEL ?? 'warn');

  async setUp(prefix: string, overrides: Record<string, string> = {}): Promise<void> {
    this.db = await createTestDatabase(prefix);
    await migrateSchema(createServiceDataSource({ url: this.db.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    this.bus = new EventBus(new LogTransport({ databaseUrl: this.db.url, logger: this.logger, pollIntervalMs: 20 }), this.logger);
    await this.bus.transport.connect();
    this.chats = new ChatVisibilityDouble(JWT_SECRET);
    await this.chats.start();
    this.observer = await this.bus.subscribe({
      group: 'test.observer',
      topics: [TOPICS.crmEvents],
      handler: async (records) => void this.published.push(...records.map((r) => r.envelope)),
    });
    this.sql = new Client({ connectionString: this.db.url });
    await this.sql.connect();
    this.crm = await startCrmService({
      logger: this.logger,
      bus: this.bus,
      config: crmConfigSchema.parse({
        PORT: '0',
        DATABASE_URL: this.db.url,
        JWT_SECRET,
        CHAT_SERVICE_URL: this.chats.url,
        CRM_URL_PATTERN_CLIENT: 'https://crm.example.com/clients/{id}',
        CRM_URL_PATTERN_LEAD: 'https://crm.example.com/leads/{id}',
        CRM_URL_PATTERN_ORDER: 'https://crm.example.com/orders/{id}',
        ...overrides,
      }),
    });
  }

  async tearDown(): Promise<void> {
    await this.crm?.stop();
    await this.observer?.stop();
    await this.bus?.close();
    await this.chats?.stop();
    await this.sql?.end();
    await this.db?.drop();
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.sql!.query(sql, params)).rows as T[];
  }

  async gql<T>(as: Principal, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer<T>> {
    let token = this.tokens.get(as.employeeId);
    if (!token) {
      token = await signAccessToken(as, { secret: JWT_SECRET, ttlSeconds: 600 });
      this.tokens.set(as.employeeId, token);
    }
    const response = await fetch(`${this.crm.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLAnswer<T>;
  }

  async ok<T>(as: Principal, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const answer = await this.gql<T>(as, query, variables);
    if (answer.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(answer.errors)}`);
    return answer.data!;
  }

  /** A chat.created envelope as the chat service writes it; the chat becomes visible to `visibleTo` in the double. */
  chatCreated(customer: ChatCreated['customer'], options: { channel?: ChatCreated['channel']; visibleTo?: string[]; chatId?: string } = {}): Envelope<ChatCreated> {
    const chatId = options.chatId ?? randomUUID();
    const chatNumber = ++this.chatNumber;
    this.chats.addChat(chatId, chatNumber, options.visibleTo ?? []);
    return createEnvelope(
      ChatCreatedV1,
      { chatId, chatNumber, channel: options.channel ?? 'telegram', connectionId: randomUUID(), customer, status: 'new', createdAt: new Date().toISOString() },
      { producer: 'chat', key: chatId },
    );
  }

  inboundMessage(created: Envelope<ChatCreated>, content: { text?: string; contact?: { phone: string; firstName: string } }): Envelope {
    return createEnvelope(
      ChatMessageAddedV1,
      {
        chatId: created.data.chatId,
        chatNumber: created.data.chatNumber,
        message: { messageId: randomUUID(), direction: 'inbound', attachments: [], sentAt: new Date().toISOString(), ...content },
        unanswered: true,
      },
      { producer: 'chat', key: created.data.chatId },
    );
  }

  chatDeleted(created: Envelope<ChatCreated>, byEmployeeId: string): Envelope {
    return createEnvelope(
      ChatDeletedV1,
      { chatId: created.data.chatId, chatNumber: created.data.chatNumber, byEmployeeId, at: new Date().toISOString(), connectionId: created.data.connectionId },
      { producer: 'chat', key: created.data.chatId },
    );
  }

  async publish(...envelopes: Envelope[]): Promise<void> {
    await this.bus.publish(envelopes.map((envelope) => ({ topic: TOPICS.chatEvents, envelope })));
  }

  /** The crm events published about one chat. */
  eventsOf(chatId: string): Envelope[] {
    return this.published.filter((e) => (e.data as { chatId: string }).chatId === chatId);
  }

  async linkOf(chatId: string): Promise<{ target_kind: string | null; target_id: string | null; origin: string; matched_by: string | null } | undefined> {
    return (await this.query<{ target_kind: string | null; target_id: string | null; origin: string; matched_by: string | null }>(`SELECT target_kind, target_id, origin, matched_by FROM crm.chat_links WHERE chat_id = $1`, [chatId]))[0];
  }
}
