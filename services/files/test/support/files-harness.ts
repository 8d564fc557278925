import { TOPICS, type Envelope } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, signAccessToken, type Principal } from '@switchboard/service-kit';
import { ChatVisibilityDouble, createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { filesConfigSchema, startFilesService, type RunningFilesService } from '../../src';
import { ConnectorMediaDouble } from './connector-media.double';

export const JWT_SECRET = 'files-test-secret-'.padEnd(40, 'x');

export type GraphQLAnswer<T> = { data?: T; errors?: { message: string; extensions?: { code?: string; reason?: string; field?: string } }[] };

/** One test database with the log bus, a chat-visibility double, a connector double and one files service on disk storage. */
export class FilesHarness {
  db!: TestDatabase;
  bus!: EventBus;
  chats!: ChatVisibilityDouble;
  connector!: ConnectorMediaDouble;
  files!: RunningFilesService;
  filesDir = '';
  private sql: Client | undefined;
  private readonly tokens = new Map<string, string>();
  readonly logger = createLogger('files-test', process.env.LOG_LEVEL ?? 'warn');

  async setUp(prefix: string, overrides: Record<string, string> = {}): Promise<void> {
    this.db = await createTestDatabase(prefix);
    await migrateSchema(createServiceDataSource({ url: this.db.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    this.bus = new EventBus(new LogTransport({ databaseUrl: this.db.url, logger: this.logger, pollIntervalMs: 20 }), this.logger);
    await this.bus.transport.connect();
    this.chats = new ChatVisibilityDouble(JWT_SECRET);
    await this.chats.start();
    this.connector = new ConnectorMediaDouble(JWT_SECRET);
    await this.connector.start();
    this.filesDir = await mkdtemp(join(tmpdir(), 'switchboard-files-'));
    this.files = await startFilesService({
      logger: this.logger,
      bus: this.bus,
      config: filesConfigSchema.parse({
        PORT: '0',
        DATABASE_URL: this.db.url,
        JWT_SECRET,
        CHAT_SERVICE_URL: this.chats.url,
        FILES_DIR: this.filesDir,
        CHANNEL_TELEGRAM_URL: this.connector.url,
        FILES_MEDIA_FETCH_TIMEOUT_MS: '5000',
        ...overrides,
      }),
    });
    this.sql = new Client({ connectionString: this.db.url });
    await this.sql.connect();
  }

  async tearDown(): Promise<void> {
    await this.files?.stop();
    await this.bus?.close();
    await this.chats?.stop();
    await this.connector?.stop();
    await this.sql?.end();
    await this.db?.drop();
    if (this.filesDir) await rm(this.filesDir, { recursive: true, force: true });
  }

  async query<T>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.sql!.query(text, params)).rows as T[];
  }

  async gql<T>(as: Principal, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer<T>> {
    let token = this.tokens.get(as.employeeId);
    if (!token) {
      token = await signAccessToken(as, { secret: JWT_SECRET, ttlSeconds: 600 });
      this.tokens.set(as.employeeId, token);
    }
    const response = await fetch(`${this.files.url}/graphql`, {
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

  async uploadUrl(as: Principal, chatId: string): Promise<string> {
    const data = await this.ok<{ createFileUpload: { uploadUrl: string } }>(as, `mutation($c: ID!) { createFileUpload(chatId: $c) { uploadUrl expiresAt maxBytes } }`, { c: chatId });
    return data.createFileUpload.uploadUrl;
  }

  async upload(url: string, name: string, bytes: Buffer): Promise<{ status: number; body: UploadAnswer }> {
    const target = new URL(url);
    target.searchParams.set('name', name);
    const response = await fetch(target, { method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
    return { status: response.status, body: (await response.json()) as UploadAnswer };
  }

  /** Chat.files through the entity path the gateway uses (_entities), as an employee. */
  chatFiles(as: Principal, chatId: string): Promise<GraphQLAnswer<{ _entities: { files: { edges: { node: FileNode }[] } }[] }>> {
    return this.gql(as, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Chat { files(first: 20) { edges { node { ${FILE_FIELDS} } } } } } }`, {
      r: [{ __typename: 'Chat', id: chatId }],
    });
  }

  async publishChatEvents(envelopes: Envelope[]): Promise<void> {
    await this.bus.publish(envelopes.map((envelope) => ({ topic: TOPICS.chatEvents, envelope })));
  }
}

export const FILE_FIELDS = 'id chatId origin messageId attachmentIndex state failure fileName mimeType kind sizeBytes sha256 downloadUrl downloadUrlExpiresAt';
export type FileNode = {
  id: string;
  chatId: string;
  origin: string;
  messageId: string | null;
  attachmentIndex: number | null;
  state: string;
  failure: string | null;
  fileName: string | null;
  mimeType: string | null;
  kind: string;
  sizeBytes: number | null;
  sha256: string | null;
  downloadUrl: string | null;
  downloadUrlExpiresAt: string | null;
};
export type UploadAnswer = { file?: FileNode; error?: { reason: string; message: string } };

