import { TOPICS, type Envelope } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport, type ConsumerHandle } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, signAccessToken, type Principal } from '@switchboard/service-kit';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { Client } from 'pg';
import { startTasksService, tasksConfigSchema, type RunningTasksService } from '../../src';
import { ChatVisibilityDouble } from './chat-visibility.double';

export const JWT_SECRET = 'tasks-test-secret-'.padEnd(40, 'x');

export type GraphQLAnswer<T> = { data?: T; errors?: { message: string; extensions?: { code?: string; reason?: string; field?: string } }[] };

/**
 * One test database with the log bus, a chat-visibility double, an observer of tasks.events.v1, and as
 * many tasks-service instances as a test starts (all on the same database and bus, like replicas).
 */
export class TasksHarness {
  db!: TestDatabase;
  bus!: EventBus;
  chats!: ChatVisibilityDouble;
  /** Every envelope published on tasks.events.v1, in arrival order. */
  readonly published: Envelope[] = [];
  private observer: ConsumerHandle | undefined;
  private readonly tokens = new Map<string, string>();
  private readonly running = new Set<RunningTasksService>();
  private sql: Client | undefined;
  readonly logger = createLogger('tasks-test', process.env.LOG_LEVEL ?? 'warn');

  async setUp(prefix: string): Promise<void> {
    this.db = await createTestDatabase(prefix);
    await migrateSchema(createServiceDataSource({ url: this.db.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    this.bus = new EventBus(new LogTransport({ databaseUrl: this.db.url, logger: this.logger, pollIntervalMs: 20 }), this.logger);
    await this.bus.transport.connect();
    this.chats = new ChatVisibilityDouble(JWT_SECRET);
    await this.chats.start();
    this.observer = await this.bus.subscribe({
      group: 'test.observer',
      topics: [TOPICS.tasksEvents],
      handler: async (records) => void this.published.push(...records.map((r) => r.envelope)),
    });
    this.sql = new Client({ connectionString: this.db.url });
    await this.sql.connect();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((instance) => this.stop(instance)));
  }

  async tearDown(): Promise<void> {
    await this.stopAll();
    await this.observer?.stop();
    await this.bus?.close();
    await this.chats?.stop();
    await this.sql?.end();
    await this.db?.drop();
  }

  async start(overrides: Record<string, string> = {}): Promise<RunningTasksService> {
    const instance = await startTasksService({
      logger: this.logger,
      bus: this.bus,
      config: tasksConfigSchema.parse({ PORT: '0', DATABASE_URL: this.db.url, JWT_SECRET, CHAT_SERVICE_URL: this.chats.url, REMINDER_POLL_MS: '100', ...overrides }),
    });
    this.running.add(instance);
    return instance;
  }

  async stop(instance: RunningTasksService): Promise<void> {
    this.running.delete(instance);
    await instance.stop();
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.sql!.query(sql, params)).rows as T[];
  }

  async gql<T>(instance: RunningTasksService, as: Principal, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer<T>> {
    let token = this.tokens.get(as.employeeId);
    if (!token) {
      token = await signAccessToken(as, { secret: JWT_SECRET, ttlSeconds: 600 });
      this.tokens.set(as.employeeId, token);
    }
    const response = await fetch(`${instance.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLAnswer<T>;
  }

  async ok<T>(instance: RunningTasksService, as: Principal, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const answer = await this.gql<T>(instance, as, query, variables);
    if (answer.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(answer.errors)}`);
    return answer.data!;
  }

  /** The reminder-fired events published for one reminder. */
  firedEventsOf(reminderId: string): Envelope[] {
    return this.published.filter((e) => e.type === 'tasks.reminder-fired' && (e.data as { reminderId: string }).reminderId === reminderId);
  }
}

export const CREATE_REMINDER = `mutation($i: CreateReminderInput!) { createReminder(input: $i) { id text fireAt state firings chatId chatNumber } }`;
export type ReminderNode = { id: string; text: string; fireAt: string; state: string; firings: number; chatId: string | null; chatNumber: number | null };
