/**
 * Issue 6, Telegram user accounts: one full conversation through the gateway on both runtimes. An admin logs
 * the account in over GraphQL (code, then the 2FA password), a customer's messages become a chat, the
 * operator's reply goes out from the account and the customer reading it moves it to READ. A photo and a document
 * the customer sends are fetched by the files service from the connector, which downloads them through the
 * account's live client (decision 0025), and reach the operator's download byte for byte. channelHealth then
 * answers for every connector in one query (each connector's field comes from its own subgraph).
 */
import { startEmbeddedPostgres } from '@switchboard/persistence';
import { createLogger } from '@switchboard/service-kit';
import { startSwitchboard, type RunningSwitchboard } from '@switchboard/standalone';
import { TelegramUserCloudDouble, createTestDatabase, startKafkaMockCluster, waitFor } from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { GraphQLClient } from './support/graphql-client';
import { E2E_KAFKA_MAX_WAIT_MS, availableRuntimes } from './support/infra';

jest.setTimeout(120_000);

const ADMIN = { email: 'admin@switchboard.test', password: 'correct-horse-battery', name: 'Ada Admin' };
const ACCOUNT = { userId: '5081234567', phone: '+380501112233', firstName: 'Олена', password: 'two-step secret', passwordHint: 'as usual' };
const CUSTOMER = { userId: '6011223344', firstName: 'Оксана', lastName: 'Коваль', username: 'oksana_k' };

type FileNode = { state: string; kind: string; origin: string; mimeType: string | null; fileName: string | null; failure: string | null; messageId: string | null; downloadUrl: string | null; thumbnailUrl: string | null };
const FILES = `query($id: ID!) { chat(id: $id) { files(first: 20) { edges { node { state kind origin mimeType fileName failure messageId downloadUrl thumbnailUrl } } } } }`;

interface ChatNode {
  id: string;
  customer: { displayName: string };
  source: { channel: string; displayName: string };
  messages: { edges: { node: { direction: string; text: string | null; deliveryState: string | null } }[] };
}

describe.each(availableRuntimes())('Telegram user account conversation on the %s runtime', (runtime) => {
  let switchboard: RunningSwitchboard;
  let client: GraphQLClient;
  const cloud = new TelegramUserCloudDouble();
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    let databaseUrl: string;
    let kafkaBrokers: string[] | undefined;
    if (runtime === 'kafka') {
      const db = await createTestDatabase('e2e_telegram_user');
      cleanups.push(() => db.drop());
      const kafka = await startKafkaMockCluster({ brokers: 3 });
      cleanups.push(() => kafka.stop());
      databaseUrl = db.url;
      kafkaBrokers = kafka.brokers;
    } else {
      const pg = await startEmbeddedPostgres({});
      cleanups.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    cloud.addAccount(ACCOUNT);
    cloud.addCustomer(CUSTOMER);
    const filesDir = await mkdtemp(join(tmpdir(), 'switchboard-e2e-telegram-user-files-'));
    cleanups.push(() => rm(filesDir, { recursive: true, force: true }));
    switchboard = await startSwitchboard({
      databaseUrl,
      ...(kafkaBrokers ? { kafkaBrokers, kafkaMaxWaitMs: E2E_KAFKA_MAX_WAIT_MS } : {}),
      jwtSecret: randomBytes(32).toString('hex'),
      credentialsKey: randomBytes(32).toString('base64'),
      // No Telegram bot is connected in this suite; the bot connector only needs a base URL.
      telegramApiBaseUrl: 'http://127.0.0.1:9',
      telegramUserClientFactory: cloud.factory,
      admin: ADMIN,
      filesDir,
      logger: createLogger('e2e', process.env.LOG_LEVEL ?? 'warn', { nameKey: 'process' }),
    });
    // Kafka consumers join their groups in the background; start from a stack whose consumers are in place.
    await switchboard.bus.transport.consumersJoined();
    cleanups.push(() => switchboard.stop());
    client = new GraphQLClient(switchboard.gateway.url);
    await client.login(ADMIN.email, ADMIN.password);
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function chatOf(name: string): Promise<ChatNode | undefined> {
    const data = await client.request<{ chats: { edges: { node: ChatNode }[] } }>(
      `{ chats(first: 50) { edges { node { id customer { displayName } source { channel displayName }
         messages(first: 20) { edges { node { direction text deliveryState } } } } } } }`,
    );
    return data.chats.edges.map((e) => e.node).find((c) => c.customer.displayName === name);
  }

  async function bytesOf(url: string | null): Promise<Buffer> {
    expect(url).not.toBeNull();
    const response = await fetch(url!);
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  }

  it('logs the account in with 2FA, turns its private messages into a chat, sends the reply and follows the read receipt', async () => {
    const started = await client.request<{ startTelegramUserLogin: { id: string; step: string } }>(
      'mutation ($input: StartTelegramUserLoginInput!) { startTelegramUserLogin(input: $input) { id step } }',
      { input: { phone: ACCOUNT.phone, displayName: 'Олена (Telegram)' } },
    );
    const loginId = started.startTelegramUserLogin.id;
    const coded = await client.request<{ submitTelegramUserLoginCode: { step: string; passwordHint: string } }>(
      'mutation ($input: SubmitTelegramUserLoginCodeInput!) { submitTelegramUserLoginCode(input: $input) { step passwordHint } }',
      { input: { loginId, code: cloud.codeFor(ACCOUNT.phone) } },
    );
    expect(coded.submitTelegramUserLoginCode).toEqual({ step: 'PASSWORD', passwordHint: ACCOUNT.passwordHint });
    const done = await client.request<{ submitTelegramUserLoginPassword: { step: string; connection: { id: string; state: string } } }>(
      'mutation ($input: SubmitTelegramUserLoginPasswordInput!) { submitTelegramUserLoginPassword(input: $input) { step connection { id state } } }',
      { input: { loginId, password: ACCOUNT.password } },
    );
    expect(done.submitTelegramUserLoginPassword).toMatchObject({ step: 'DONE', connection: { state: 'ACTIVE' } });
    await waitFor(() => cloud.liveClients(ACCOUNT.userId) === 1, { description: 'the account live', timeoutMs: 30_000 });
    // From here the client is connected, so the customer's message arrives as a live update (not as history
    // from before the login, which the first back-fill deliberately leaves out).
    expect((await switchboard.channelTelegramUser.connections.health())[0]?.detail).toMatch(/^client live on /);

    cloud.customerWrites(ACCOUNT.userId, CUSTOMER.userId, { text: 'Добрий день! Є доставка у Львів?' });
    const chat = await waitFor(() => chatOf('Оксана Коваль'), { description: 'the chat', timeoutMs: 30_000 });
    expect(chat.source).toEqual({ channel: 'TELEGRAM_USER', displayName: 'Олена (Telegram)' });

    await client.request('mutation ($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }', { input: { chatId: chat.id, text: 'Так, доставляємо' } });
    const sent = await waitFor(() => cloud.sentBy(ACCOUNT.userId).find((s) => s.text === 'Так, доставляємо'), { description: 'the reply at the double', timeoutMs: 30_000 });
    expect(sent.peerUserId).toBe(CUSTOMER.userId);
    const outbound = async () => (await chatOf('Оксана Коваль'))?.messages.edges.map((e) => e.node).find((m) => m.direction === 'OUTBOUND');
    await waitFor(async () => (await outbound())?.deliveryState === 'SENT', { description: 'SENT', timeoutMs: 30_000 });
    cloud.customerReads(ACCOUNT.userId, CUSTOMER.userId, sent.id);
    await waitFor(async () => (await outbound())?.deliveryState === 'READ', { description: 'READ', timeoutMs: 30_000 });
  });

  it("stores a customer's photo and document, downloaded through the account's live client, for the operator", async () => {
    const chat = (await chatOf('Оксана Коваль'))!;
    const photo = await sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 30, g: 120, b: 200 } } }).jpeg({ quality: 80 }).toBuffer();
    const document = Buffer.from('%PDF-1.7\n1 0 obj << /Title (Накладна) >> endobj\ntrailer << >>\n%%EOF\n');
    cloud.customerSendsFile(ACCOUNT.userId, CUSTOMER.userId, { as: 'photo', bytes: photo, width: 1200, height: 800, caption: 'Ось пошкодження' });
    cloud.customerSendsFile(ACCOUNT.userId, CUSTOMER.userId, { as: 'document', bytes: document, fileName: 'Накладна.pdf', mimeType: 'application/pdf' });
    const files = await waitFor(
      async () => {
        const found = (await client.request<{ chat: { files: { edges: { node: FileNode }[] } } }>(FILES, { id: chat.id })).chat.files.edges.map((e) => e.node);
        return found.length === 2 && found.every((f) => f.state !== 'PENDING') ? found : undefined;
      },
      { description: 'both files fetched', timeoutMs: 60_000 },
    );
    const image = files.find((f) => f.kind === 'image');
    const pdf = files.find((f) => f.kind === 'document');
    expect(image).toMatchObject({ state: 'STORED', origin: 'CHANNEL', mimeType: 'image/jpeg', failure: null });
    expect(pdf).toMatchObject({ state: 'STORED', origin: 'CHANNEL', mimeType: 'application/pdf', fileName: 'Накладна.pdf', failure: null, thumbnailUrl: null });
    expect((await bytesOf(image!.downloadUrl)).equals(photo)).toBe(true);
    expect((await bytesOf(pdf!.downloadUrl)).equals(document)).toBe(true);
    const thumbnail = await sharp(await bytesOf(image!.thumbnailUrl)).metadata();
    expect({ format: thumbnail.format, width: thumbnail.width, height: thumbnail.height }).toEqual({ format: 'webp', width: 320, height: 213 });
    // Each file belongs to the inbound message it came with; the photo's caption is that message's text.
    const messages = await client.request<{ chat: { messages: { edges: { node: { id: string; direction: string; text: string | null } }[] } } }>(
      'query ($id: ID!) { chat(id: $id) { messages(first: 20) { edges { node { id direction text } } } } }',
      { id: chat.id },
    );
    const byId = new Map(messages.chat.messages.edges.map((e) => [e.node.id, e.node]));
    expect(byId.get(image!.messageId!)).toMatchObject({ direction: 'INBOUND', text: 'Ось пошкодження' });
    expect(byId.get(pdf!.messageId!)).toMatchObject({ direction: 'INBOUND' });
  });

  it("sends the operator's uploaded file from the account as a document, the text as its caption", async () => {
    const chat = (await chatOf('Оксана Коваль'))!;
    const link = await client.request<{ createFileUpload: { uploadUrl: string } }>(`mutation($c: ID!) { createFileUpload(chatId: $c) { uploadUrl } }`, { c: chat.id });
    const url = new URL(link.createFileUpload.uploadUrl);
    url.searchParams.set('name', 'Рахунок.pdf');
    const bytes = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n');
    const uploaded = (await (await fetch(url, { method: 'POST', body: bytes })).json()) as { file: { id: string } };
    await client.request('mutation ($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }', {
      input: { chatId: chat.id, text: 'Ваш рахунок', fileIds: [uploaded.file.id] },
    });
    const sent = await waitFor(() => cloud.sentBy(ACCOUNT.userId).find((s) => s.file !== undefined), { description: 'the file at the double', timeoutMs: 30_000 });
    expect(sent).toMatchObject({ peerUserId: CUSTOMER.userId, text: 'Ваш рахунок', file: { as: 'document', fileName: 'Рахунок.pdf', mimeType: 'application/pdf' } });
    expect(sent.file!.bytes.equals(bytes)).toBe(true);
    await waitFor(
      async () => (await chatOf('Оксана Коваль'))?.messages.edges.some((e) => e.node.text === 'Ваш рахунок' && e.node.deliveryState === 'SENT'),
      { description: 'the file message SENT', timeoutMs: 30_000 },
    );
  });

  it('answers channelHealth for every connector in one query, for admins', async () => {
    const data = await client.request<{ channelHealth: Record<string, Array<{ channel: string; state: string; displayName: string; backlog: number }>> }>(
      `{ channelHealth { telegram { channel state } viber { channel state } whatsapp { channel state } bridge { channel state } meta { channel state }
         telegramUser { channel state displayName backlog lastEventAt } } }`,
    );
    expect(data.channelHealth['telegram']).toEqual([]);
    expect(data.channelHealth['viber']).toEqual([]);
    expect(data.channelHealth['whatsapp']).toEqual([]);
    expect(data.channelHealth['bridge']).toEqual([]);
    expect(data.channelHealth['meta']).toEqual([]);
    expect(data.channelHealth['telegramUser']).toEqual([
      expect.objectContaining({ channel: 'telegram-user', state: 'OK', displayName: 'Олена (Telegram)', lastEventAt: expect.any(String) }),
    ]);
  });
});
