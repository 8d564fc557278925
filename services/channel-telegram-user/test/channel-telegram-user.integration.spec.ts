import {
  CustomerTypingV1,
  DeliveryResultV1,
  MessageDeletedV1,
  MessageEchoedV1,
  MessageEditedV1,
  MessageReceivedV1,
  ReceiptReceivedV1,
  SendMessageRequestedV1,
  TOPICS,
  createEnvelope,
  outboundTopic,
  parseEvent,
  type Envelope,
} from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { CredentialCipher, bearerToken, createLogger, signAccessToken, signServiceToken, verifyServiceToken } from '@switchboard/service-kit';
import {
  TcpProxy,
  TelegramUserCloudDouble,
  TelegramUserRpcErrorDouble,
  createTestDatabase,
  freePort,
  integrationSuite,
  waitFor,
  type TestDatabase,
} from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { Api } from 'telegram';
import { returnBigInt } from 'telegram/Helpers';
import {
  channelTelegramUserConfigSchema,
  startChannelTelegramUserService,
  type RunningChannelTelegramUser,
  type TelegramUserClientFactory,
} from '../src';

jest.setTimeout(90_000);

const JWT_SECRET = 'integration-test-secret-of-32-chars!!';
const CREDENTIALS_KEY = randomBytes(32).toString('base64');
const ACCOUNT = { userId: '5081234567', phone: '+380501112233', firstName: 'Олена', lastName: 'Менеджер', username: 'olena_shop', password: 'correct horse', passwordHint: 'коник' };
const OKSANA = { userId: '6011223344', firstName: 'Оксана', lastName: 'Коваль', username: 'oksana_k', phone: '+380671234567', langCode: 'uk' };
const PETRO = { userId: '6099887766', firstName: 'Петро' };
const LEASE_TTL_MS = 3_000;
const MEDIA_MAX_BYTES = 100_000;

interface Seen {
  topic: string;
  envelope: Envelope;
}

integrationSuite(['postgres'], 'channel-telegram-user integration tests')('channel-telegram-user (PostgreSQL, log bus, MTProto client double)', () => {
  const logger = createLogger('channel-telegram-user-test', process.env['LOG_LEVEL'] ?? 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  const cloud = new TelegramUserCloudDouble();
  // The double must satisfy the port: this assignment is the compile-time proof that GramJS's Api objects fit it.
  const clientFactory: TelegramUserClientFactory = cloud.factory;
  const instances: RunningChannelTelegramUser[] = [];
  let first: RunningChannelTelegramUser;
  let connectionId: string;
  const seen: Seen[] = [];

  async function startInstance(name: string, databaseUrl?: string): Promise<RunningChannelTelegramUser> {
    const instance = await startChannelTelegramUserService({
      config: channelTelegramUserConfigSchema.parse({
        PORT: String(await freePort()),
        DATABASE_URL: databaseUrl ?? database.url,
        JWT_SECRET,
        CREDENTIALS_KEY,
        TELEGRAM_USER_LEASE_TTL_MS: String(LEASE_TTL_MS),
        TELEGRAM_USER_FLOOD_WAIT_MAX_SECONDS: '2',
        TELEGRAM_USER_SEND_ATTEMPTS: '3',
        TELEGRAM_USER_MEDIA_MAX_BYTES: String(MEDIA_MAX_BYTES),
      }),
      logger: logger.child({ instance: name }),
      bus,
      host: '127.0.0.1',
      clientFactory,
      instanceId: name,
      sendPollMs: 100,
    });
    instances.push(instance);
    return instance;
  }

  async function stopInstance(instance: RunningChannelTelegramUser): Promise<void> {
    await instance.stop();
    instances.splice(instances.indexOf(instance), 1);
  }

  beforeAll(async () => {
    database = await createTestDatabase('channel_telegram_user');
    const busSchema = createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS });
    await migrateSchema(busSchema, LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    await bus.subscribe({
      group: 'integration-test-observer',
      topics: [TOPICS.inbound, TOPICS.delivery, TOPICS.presence],
      handler: async (records) => {
        for (const { record, envelope } of records) seen.push({ topic: record.topic, envelope });
      },
    });
    cloud.addAccount(ACCOUNT);
    cloud.addCustomer(OKSANA);
    cloud.addCustomer(PETRO);
    first = await startInstance('instance-a');
  });

  afterAll(async () => {
    for (const instance of [...instances].reverse()) await instance.stop();
    if (filesServer) await new Promise<void>((resolve) => filesServer!.close(() => resolve()));
    await bus?.close();
    await database?.drop();
  });

  async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async function gql(instance: RunningChannelTelegramUser, role: 'admin' | 'operator', query: string, variables: Record<string, unknown> = {}) {
    const token = await signAccessToken({ employeeId: randomUUID(), role, name: role }, { secret: JWT_SECRET, ttlSeconds: 60 });
    const response = await fetch(`${instance.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- GraphQL answers are checked field by field below
      errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    };
  }

  const inbound = (type: string) => seen.filter((s) => s.topic === TOPICS.inbound && s.envelope.type === type).map((s) => s.envelope);
  const receivedIds = () => inbound(MessageReceivedV1.type).map((e) => parseEvent(MessageReceivedV1, e).data.platformMessageId);
  const chatKey = (customer: string) => `${connectionId}:${customer}`;

  /**
   * The files service's internal content route as connectors call it (service token required): operators'
   * files by id, served from memory.
   */
  const operatorFiles = new Map<string, { bytes: Buffer; mimeType: string; fileName: string }>();
  let filesServer: Server | undefined;
  async function filesBaseUrl(): Promise<string> {
    if (!filesServer) {
      filesServer = createServer((req, res) => {
        void (async () => {
          try {
            await verifyServiceToken(bearerToken(req.headers.authorization) ?? '', JWT_SECRET);
          } catch {
            res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { reason: 'UNAUTHENTICATED', message: 'service token required' } }));
            return;
          }
          const match = /^\/internal\/files\/([^/]+)\/content$/.exec(req.url ?? '');
          const file = match ? operatorFiles.get(match[1]!) : undefined;
          if (!file) {
            res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { reason: 'FILE_NOT_FOUND', message: 'No such file' } }));
            return;
          }
          res.writeHead(200, { 'content-type': file.mimeType, 'content-length': String(file.bytes.length), 'x-file-name': encodeURIComponent(file.fileName) }).end(file.bytes);
        })();
      });
      await new Promise<void>((resolve) => filesServer!.listen(0, '127.0.0.1', resolve));
    }
    return `http://127.0.0.1:${(filesServer.address() as AddressInfo).port}`;
  }
  async function operatorFile(fileName: string, mimeType: string, bytes: Buffer) {
    const fileId = randomUUID();
    operatorFiles.set(fileId, { bytes, mimeType, fileName });
    return { fileId, url: `${await filesBaseUrl()}/internal/files/${fileId}`, fileName, mimeType, sizeBytes: bytes.length };
  }

  async function sendCommand(
    text: string | undefined,
    extra: { replyTo?: string; commandId?: string; attachments?: Array<{ fileId: string; url: string; fileName: string; mimeType: string; sizeBytes: number }> } = {},
  ): Promise<Envelope> {
    const command = createEnvelope(
      SendMessageRequestedV1,
      {
        commandId: extra.commandId ?? randomUUID(),
        chatKey: chatKey(OKSANA.userId),
        connection: { id: connectionId, channel: 'telegram-user', displayName: 'Олена (Telegram)' },
        externalChatId: OKSANA.userId,
        ...(text !== undefined ? { text } : {}),
        ...(extra.attachments ? { attachments: extra.attachments } : {}),
        ...(extra.replyTo ? { replyToPlatformMessageId: extra.replyTo } : {}),
        requestedAt: new Date().toISOString(),
      },
      { producer: 'chat', key: chatKey(OKSANA.userId) },
    );
    await bus.publish([{ topic: outboundTopic('telegram-user'), envelope: command }]);
    return command;
  }

  async function resultOf(commandId: string, count = 1) {
    const results = await waitFor(
      () => {
        const found = seen.filter((s) => s.topic === TOPICS.delivery).map((s) => parseEvent(DeliveryResultV1, s.envelope).data).filter((d) => d.commandId === commandId);
        return found.length >= count && found;
      },
      { description: `delivery result of ${commandId}`, timeoutMs: 20_000 },
    );
    return results[results.length - 1]!;
  }

  describe('login', () => {
    const start = 'mutation ($input: StartTelegramUserLoginInput!) { startTelegramUserLogin(input: $input) { id step codeDelivery expiresAt } }';
    const code = 'mutation ($input: SubmitTelegramUserLoginCodeInput!) { submitTelegramUserLoginCode(input: $input) { id step passwordHint connection { id } } }';
    const password =
      'mutation ($input: SubmitTelegramUserLoginPasswordInput!) { submitTelegramUserLoginPassword(input: $input) { step connection { id accountUserId phone username displayName state } } }';

    it('is for admins only, and FLOOD_WAIT comes back typed with its seconds', async () => {
      const forbidden = await gql(first, 'operator', start, { input: { phone: ACCOUNT.phone } });
      expect(forbidden.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      cloud.loginFailures.push(new TelegramUserRpcErrorDouble('FLOOD_WAIT', 420, 37));
      const flooded = await gql(first, 'admin', start, { input: { phone: ACCOUNT.phone } });
      expect(flooded.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'FLOOD_WAIT', retryAfterSeconds: 37 });
      const badPhone = await gql(first, 'admin', start, { input: { phone: 'not a phone' } });
      expect(badPhone.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    });

    it('runs phone -> wrong code -> code -> wrong 2FA password -> password, storing the session encrypted', async () => {
      const started = await gql(first, 'admin', start, { input: { phone: '+380 50 111 22 33', displayName: 'Олена (Telegram)' } });
      expect(started.data?.['startTelegramUserLogin']).toMatchObject({ step: 'CODE', codeDelivery: 'app' });
      const loginId = started.data?.['startTelegramUserLogin'].id as string;

      const wrong = await gql(first, 'admin', code, { input: { loginId, code: '00000' === cloud.codeFor(ACCOUNT.phone) ? '11111' : '00000' } });
      expect(wrong.errors?.[0]).toMatchObject({ message: 'The code is wrong; check it and try again', extensions: { code: 'BAD_USER_INPUT', reason: 'PHONE_CODE_INVALID' } });

      const needsPassword = await gql(first, 'admin', code, { input: { loginId, code: cloud.codeFor(ACCOUNT.phone) } });
      expect(needsPassword.data?.['submitTelegramUserLoginCode']).toEqual({ id: loginId, step: 'PASSWORD', passwordHint: ACCOUNT.passwordHint, connection: null });

      const wrongPassword = await gql(first, 'admin', password, { input: { loginId, password: 'wrong' } });
      expect(wrongPassword.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'PASSWORD_HASH_INVALID' });

      const done = await gql(first, 'admin', password, { input: { loginId, password: ACCOUNT.password } });
      const connection = done.data?.['submitTelegramUserLoginPassword'].connection;
      expect(done.data?.['submitTelegramUserLoginPassword'].step).toBe('DONE');
      expect(connection).toMatchObject({ accountUserId: ACCOUNT.userId, phone: ACCOUNT.phone, username: ACCOUNT.username, displayName: 'Олена (Telegram)', state: 'ACTIVE' });
      connectionId = connection.id as string;

      const rows = await sql<{ session_ciphertext: string }>(`SELECT session_ciphertext FROM channel_telegram_user.connections WHERE id = $1`, [connectionId]);
      expect(rows[0]!.session_ciphertext).toMatch(/^v1\./);
      expect(rows[0]!.session_ciphertext).not.toContain('double-session');
      // Only this key opens it, and only for this connection's row.
      const session = new CredentialCipher(CREDENTIALS_KEY).decrypt(rows[0]!.session_ciphertext, `telegram-user:${connectionId}`);
      expect(session).toMatch(/^double-session:/);
      expect(() => new CredentialCipher(CREDENTIALS_KEY).decrypt(rows[0]!.session_ciphertext, `telegram-user:${randomUUID()}`)).toThrow();
      expect(await sql(`SELECT id FROM channel_telegram_user.logins`)).toEqual([]);
    });

    it('starts the account live on the instance: one client, holding the lease', async () => {
      await waitFor(() => cloud.liveClients(ACCOUNT.userId) === 1, { description: 'live client' });
      await waitFor(async () => (await sql<{ holder: string }>(`SELECT holder FROM channel_telegram_user.leases WHERE expires_at > now()`))[0]?.holder === 'instance-a');
    });
  });

  describe('inbound', () => {
    it('publishes new messages in order with the customer, media metadata and replies', async () => {
      // The first back-fill only sets the cursor: it must be done before customers write, or they count as history.
      await waitFor(async () => (await sql<{ last_message_id: string | null }>(`SELECT last_message_id FROM channel_telegram_user.connections`))[0]?.last_message_id !== null);
      const hello = cloud.customerWrites(ACCOUNT.userId, OKSANA.userId, { text: 'Добрий день! Є доставка у Львів?' });
      const photo = cloud.customerWrites(ACCOUNT.userId, OKSANA.userId, {
        text: 'Ось така',
        media: new Api.MessageMediaPhoto({
          photo: new Api.Photo({
            id: returnBigInt('5877001'),
            accessHash: returnBigInt(1),
            fileReference: Buffer.from([]),
            date: 1,
            dcId: 2,
            sizes: [new Api.PhotoSize({ type: 'm', w: 320, h: 240, size: 1000 }), new Api.PhotoSize({ type: 'y', w: 1280, h: 960, size: 90000 })],
          }),
        }),
      });
      const voice = cloud.customerWrites(ACCOUNT.userId, OKSANA.userId, {
        media: new Api.MessageMediaDocument({
          voice: true,
          document: new Api.Document({
            id: returnBigInt('9001'),
            accessHash: returnBigInt(1),
            fileReference: Buffer.from([]),
            date: 1,
            mimeType: 'audio/ogg',
            size: returnBigInt(4242),
            dcId: 2,
            attributes: [new Api.DocumentAttributeAudio({ voice: true, duration: 7 })],
          }),
        }),
        replyTo: hello.id,
      });
      const short = cloud.customerWrites(ACCOUNT.userId, OKSANA.userId, { text: 'І ще питання', short: true });
      const expected = [hello, photo, voice, short].map((m) => String(m.id));
      await waitFor(() => expected.every((id) => receivedIds().includes(id)), { description: 'four messages' });
      const events = inbound(MessageReceivedV1.type).map((e) => parseEvent(MessageReceivedV1, e).data);
      expect(events.map((e) => e.platformMessageId)).toEqual(expected);
      expect(events[0]).toMatchObject({
        connection: { id: connectionId, channel: 'telegram-user', displayName: 'Олена (Telegram)' },
        chatKey: chatKey(OKSANA.userId),
        externalChatId: OKSANA.userId,
        customer: { externalId: OKSANA.userId, displayName: 'Оксана Коваль', username: 'oksana_k', phone: '+380671234567', languageCode: 'uk', profileUrl: 'https://t.me/oksana_k' },
        content: { text: 'Добрий день! Є доставка у Львів?', attachments: [] },
      });
      expect(events[1]!.content).toEqual({ text: 'Ось така', attachments: [{ kind: 'image', platformFileId: `photo:5877001@${photo.id}`, width: 1280, height: 960 }] });
      expect(events[2]).toMatchObject({
        replyToPlatformMessageId: String(hello.id),
        content: { attachments: [{ kind: 'voice', platformFileId: `document:9001@${voice.id}`, mimeType: 'audio/ogg', sizeBytes: 4242, durationSeconds: 7 }] },
      });
      // UpdateShortMessage carries no user: the profile comes from what the connector stored.
      expect(events[3]!.customer.displayName).toBe('Оксана Коваль');
    });

    it('publishes edits, deletes, the owner\'s own messages from the phone, and typing (ephemeral topic)', async () => {
      const message = cloud.customerWrites(ACCOUNT.userId, OKSANA.userId, { text: 'Треба 2 штуки' });
      await waitFor(() => receivedIds().includes(String(message.id)));
      cloud.customerEdits(ACCOUNT.userId, message.id, 'Треба 3 штуки');
      const edited = await waitFor(() => inbound(MessageEditedV1.type).map((e) => parseEvent(MessageEditedV1, e).data).find((d) => d.platformMessageId === String(message.id)));
      expect(edited.content.text).toBe('Треба 3 штуки');
      cloud.customerDeletes(ACCOUNT.userId, [message.id]);
      const deleted = await waitFor(() => inbound(MessageDeletedV1.type).map((e) => parseEvent(MessageDeletedV1, e).data).find((d) => d.platformMessageId === String(message.id)));
      expect(deleted.chatKey).toBe(chatKey(OKSANA.userId));

      const fromPhone = cloud.ownerWritesFromPhone(ACCOUNT.userId, OKSANA.userId, 'Відповіла з телефону');
      const echo = await waitFor(() => inbound(MessageEchoedV1.type).map((e) => parseEvent(MessageEchoedV1, e).data).find((d) => d.platformMessageId === String(fromPhone.id)));
      expect(echo.content.text).toBe('Відповіла з телефону');

      cloud.customerTypes(ACCOUNT.userId, OKSANA.userId);
      cloud.customerTypes(ACCOUNT.userId, OKSANA.userId); // repeated within seconds: throttled
      const presence = () => seen.filter((s) => s.topic === TOPICS.presence).map((s) => parseEvent(CustomerTypingV1, s.envelope).data);
      await waitFor(() => presence().length > 0, { description: 'typing event' });
      // The repeat would have arrived by the time a later message did.
      const later = cloud.customerWrites(ACCOUNT.userId, OKSANA.userId, { text: 'Так от' });
      await waitFor(() => receivedIds().includes(String(later.id)));
      const typing = presence();
      expect(typing).toHaveLength(1);
      expect(typing[0]).toMatchObject({ chatKey: chatKey(OKSANA.userId), customerExternalId: OKSANA.userId, activity: 'typing' });
    });
  });

  describe('outbound', () => {
    it('sends text with a reply, reports it sent, and the customer reading it becomes a read receipt', async () => {
      const question = receivedIds()[0]!;
      const command = await sendCommand('Так, доставляємо за 1 день.', { replyTo: question });
      const result = await resultOf((command.data as { commandId: string }).commandId);
      const sent = cloud.sentBy(ACCOUNT.userId).at(-1)!;
      expect(result).toMatchObject({ state: 'sent', platformMessageId: String(sent.id) });
      expect(sent).toMatchObject({ peerUserId: OKSANA.userId, text: 'Так, доставляємо за 1 день.', replyToMsgId: Number(question) });
      // Our own send is never mirrored back as an echo.
      expect(inbound(MessageEchoedV1.type).some((e) => parseEvent(MessageEchoedV1, e).data.platformMessageId === String(sent.id))).toBe(false);

      cloud.customerReads(ACCOUNT.userId, OKSANA.userId, sent.id);
      const receipt = await waitFor(() => inbound(ReceiptReceivedV1.type).map((e) => parseEvent(ReceiptReceivedV1, e).data).find((d) => d.platformMessageId === String(sent.id)));
      expect(receipt).toMatchObject({ receipt: 'read', chatKey: chatKey(OKSANA.userId) });
    });

    it('waits out a short FLOOD_WAIT and retries; a longer one fails with the reason; a redelivered command is not sent again', async () => {
      const before = cloud.sentBy(ACCOUNT.userId).length;
      cloud.failNextSends(ACCOUNT.userId, new TelegramUserRpcErrorDouble('FLOOD_WAIT', 420, 1));
      const startedAt = Date.now();
      const waited = await sendCommand('Після паузи');
      const waitedResult = await resultOf((waited.data as { commandId: string }).commandId);
      expect(waitedResult.state).toBe('sent');
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_000);
      expect(cloud.sentBy(ACCOUNT.userId)).toHaveLength(before + 1);

      cloud.failNextSends(ACCOUNT.userId, new TelegramUserRpcErrorDouble('FLOOD_WAIT', 420, 100));
      const refused = await sendCommand('Занадто часто');
      const refusedResult = await resultOf((refused.data as { commandId: string }).commandId);
      expect(refusedResult).toMatchObject({ state: 'failed', failure: { code: 'rate_limited' } });
      expect(refusedResult.state === 'failed' && refusedResult.failure.message).toContain('wait 100 s');
      expect(cloud.sentBy(ACCOUNT.userId)).toHaveLength(before + 1);

      // The same command again (a redelivery): its stored result is published again, Telegram is not called.
      await bus.publish([{ topic: outboundTopic('telegram-user'), envelope: waited }]);
      const republished = await resultOf((waited.data as { commandId: string }).commandId, 2);
      expect(republished).toMatchObject({ state: 'sent', platformMessageId: waitedResult.state === 'sent' ? waitedResult.platformMessageId : 'x' });
      expect(cloud.sentBy(ACCOUNT.userId)).toHaveLength(before + 1);
    });
  });

  describe('files', () => {
    it('sends an operator\'s photo and document read from the files service, the text as the first caption', async () => {
      const photo = await operatorFile('door.jpg', 'image/jpeg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(3_000)]));
      const pdf = await operatorFile('рахунок.pdf', 'application/pdf', Buffer.from('%PDF-1.7\n%%EOF\n'));
      const before = cloud.sentBy(ACCOUNT.userId).length;
      const command = await sendCommand('Фото і рахунок', { attachments: [photo, pdf] });
      const result = await resultOf((command.data as { commandId: string }).commandId);
      const sent = cloud.sentBy(ACCOUNT.userId).slice(before);
      expect(sent.map((m) => [m.file?.as, m.file?.fileName, m.file?.mimeType, m.text])).toEqual([
        ['photo', 'door.jpg', 'image/jpeg', 'Фото і рахунок'],
        ['document', 'рахунок.pdf', 'application/pdf', ''],
      ]);
      expect(sent[0]!.file!.bytes.equals(operatorFiles.get(photo.fileId)!.bytes)).toBe(true);
      expect(result).toMatchObject({ state: 'sent', platformMessageId: String(sent[0]!.id) });
      // Both messages are recorded as ours, so neither comes back as an echo (live or back-filled).
      const ours = await sql<{ message_id: string }>(`SELECT message_id::text FROM channel_telegram_user.messages WHERE direction = 'out' AND message_id = ANY($1::bigint[])`, [sent.map((m) => m.id)]);
      expect(ours.map((r) => Number(r.message_id)).sort((a, b) => a - b)).toEqual(sent.map((m) => m.id));

      const missing = await sendCommand(undefined, { attachments: [{ ...pdf, fileId: randomUUID(), url: `${await filesBaseUrl()}/internal/files/${randomUUID()}` }] });
      expect(await resultOf((missing.data as { commandId: string }).commandId)).toMatchObject({ state: 'failed', failure: { code: 'invalid_request', message: expect.stringContaining('рахунок.pdf') } });
      expect(cloud.sentBy(ACCOUNT.userId)).toHaveLength(before + 2);
    });

    it('hands a customer\'s photo and document to the files service (GET /internal/media, service token only)', async () => {
      const photoBytes = randomBytes(2_000);
      const docBytes = Buffer.from('Накладна 20401234567890');
      const photo = cloud.customerSendsFile(ACCOUNT.userId, OKSANA.userId, { as: 'photo', bytes: photoBytes, caption: 'Ось фото' });
      const document = cloud.customerSendsFile(ACCOUNT.userId, OKSANA.userId, { as: 'document', bytes: docBytes, fileName: 'накладна.txt', mimeType: 'text/plain' });
      const big = cloud.customerSendsFile(ACCOUNT.userId, OKSANA.userId, { as: 'document', bytes: randomBytes(MEDIA_MAX_BYTES + 1), fileName: 'big.bin' });
      const fileIdOf = (messageId: number) =>
        waitFor(() => {
          const event = inbound(MessageReceivedV1.type).map((e) => parseEvent(MessageReceivedV1, e).data).find((d) => d.platformMessageId === String(messageId));
          return event?.content.attachments[0]?.platformFileId;
        }, { description: `the file id of message ${messageId}` });
      const [photoId, documentId, bigId] = [await fileIdOf(photo.id), await fileIdOf(document.id), await fileIdOf(big.id)];
      expect(photoId).toMatch(new RegExp(`^photo:\\d+@${photo.id}$`));

      const token = await signServiceToken({ service: 'files', secret: JWT_SECRET });
      const media = (instance: RunningChannelTelegramUser, fileId: string, auth: string | null = token) =>
        fetch(`${instance.url}/internal/media/${connectionId}/${encodeURIComponent(fileId)}`, auth ? { headers: { authorization: `Bearer ${auth}` } } : {});

      const photoAnswer = await media(first, photoId);
      expect(photoAnswer.status).toBe(200);
      expect(photoAnswer.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await photoAnswer.arrayBuffer()).equals(photoBytes)).toBe(true);
      const documentAnswer = await media(first, documentId);
      expect(documentAnswer.headers.get('content-type')).toBe('text/plain');
      expect(decodeURIComponent(documentAnswer.headers.get('x-file-name')!)).toBe('накладна.txt');
      expect(Buffer.from(await documentAnswer.arrayBuffer()).equals(docBytes)).toBe(true);

      const reason = async (answer: Response) => ((await answer.json()) as { error: { reason: string } }).error.reason;
      const tooLarge = await media(first, bigId);
      expect([tooLarge.status, await reason(tooLarge)]).toEqual([413, 'MEDIA_TOO_LARGE']);
      expect((await media(first, photoId, null)).status).toBe(401);
      const operatorToken = await signAccessToken({ employeeId: randomUUID(), role: 'admin', name: 'A' }, { secret: JWT_SECRET, ttlSeconds: 60 });
      expect((await media(first, photoId, operatorToken)).status).toBe(401);
      // Ids of another shape, of a message that does not exist, or naming other media than the message has.
      for (const gone of ['photo:123', `photo:1@${999_999}`, `document:1@${document.id}`]) {
        const answer = await media(first, gone);
        expect([gone, answer.status, await reason(answer)]).toEqual([gone, 404, 'MEDIA_GONE']);
      }
      cloud.customerDeletes(ACCOUNT.userId, [photo.id]);
      expect((await media(first, photoId)).status).toBe(404);

      // Only the lease holder has a live client: a standby answers 503 (and closes the connection) so a retry can reach the holder.
      const standby = await startInstance('instance-media-standby');
      try {
        const answer = await media(standby, documentId);
        expect([answer.status, await reason(answer)]).toEqual([503, 'NOT_LIVE_HERE']);
      } finally {
        await stopInstance(standby);
      }
    });
  });

  describe('back-fill', () => {
    it('fetches what arrived while the connection was down after it comes back, without duplicates', async () => {
      cloud.dropConnections(ACCOUNT.userId);
      const missed = [
        cloud.customerWrites(ACCOUNT.userId, OKSANA.userId, { text: 'Ви тут?' }),
        cloud.customerWrites(ACCOUNT.userId, PETRO.userId, { text: 'Привіт, я Петро' }),
        cloud.customerWrites(ACCOUNT.userId, OKSANA.userId, { text: 'Чекаю відповіді' }),
      ].map((m) => String(m.id));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(missed.some((id) => receivedIds().includes(id))).toBe(false);
      cloud.reconnect(ACCOUNT.userId);
      await waitFor(() => missed.every((id) => receivedIds().includes(id)), { description: 'missed messages back-filled' });
      const petro = inbound(MessageReceivedV1.type).map((e) => parseEvent(MessageReceivedV1, e).data).find((d) => d.platformMessageId === missed[1]);
      expect(petro).toMatchObject({ chatKey: chatKey(PETRO.userId), customer: { displayName: 'Петро' } });
      // Per chat in order; every message exactly once, although the back-fill also re-read messages seen live.
      const oksana = inbound(MessageReceivedV1.type).map((e) => parseEvent(MessageReceivedV1, e).data).filter((d) => d.chatKey === chatKey(OKSANA.userId)).map((d) => Number(d.platformMessageId));
      expect(oksana).toEqual([...oksana].sort((a, b) => a - b));
      expect(new Set(receivedIds()).size).toBe(receivedIds().length);
    });
  });

  describe('one live client per account', () => {
    it('a second instance stands by; a graceful stop hands over at once and the session survives the restart', async () => {
      const second = await startInstance('instance-b');
      await new Promise((resolve) => setTimeout(resolve, LEASE_TTL_MS));
      expect(cloud.liveClients(ACCOUNT.userId)).toBe(1);
      expect((await sql<{ holder: string }>(`SELECT holder FROM channel_telegram_user.leases`))[0]?.holder).toBe('instance-a');

      await stopInstance(first);
      const offline = cloud.customerWrites(ACCOUNT.userId, OKSANA.userId, { text: 'Поки ви перезапускались' });
      await waitFor(async () => (await sql<{ holder: string }>(`SELECT holder FROM channel_telegram_user.leases WHERE expires_at > now()`))[0]?.holder === 'instance-b', {
        description: 'instance-b holds the lease',
        timeoutMs: 15_000,
      });
      // Same stored session, no new login; what came in meanwhile is back-filled.
      await waitFor(() => receivedIds().includes(String(offline.id)), { description: 'message written during the restart' });
      expect(cloud.liveClients(ACCOUNT.userId)).toBe(1);
      expect(cloud.maxConcurrentClients(ACCOUNT.userId)).toBe(1);
      first = second;
    });

    it('a holder cut off from the database stops its client before the lease expires; another instance takes over', async () => {
      const url = new URL(database.url);
      const proxy = new TcpProxy({ targetHost: url.hostname, targetPort: Number(url.port || 5432) });
      await proxy.start();
      url.host = `127.0.0.1:${proxy.port}`;
      const cut = await startInstance('instance-c', url.toString());
      await stopInstance(first); // instance-c (through the proxy) takes the account
      await waitFor(async () => (await sql<{ holder: string }>(`SELECT holder FROM channel_telegram_user.leases WHERE expires_at > now()`))[0]?.holder === 'instance-c', {
        timeoutMs: 15_000,
      });
      await waitFor(() => cloud.liveClients(ACCOUNT.userId) === 1);
      const standby = await startInstance('instance-d');

      proxy.cut(); // like a crash for everyone else: instance-c can no longer renew
      const cutAt = Date.now();
      await waitFor(() => cloud.liveClients(ACCOUNT.userId) === 0, { description: 'instance-c stops its client', timeoutMs: LEASE_TTL_MS * 2 });
      expect(Date.now() - cutAt).toBeLessThan(LEASE_TTL_MS);
      await waitFor(async () => (await sql<{ holder: string }>(`SELECT holder FROM channel_telegram_user.leases WHERE expires_at > now()`))[0]?.holder === 'instance-d', {
        description: 'instance-d takes over',
        timeoutMs: LEASE_TTL_MS * 4,
      });
      await waitFor(() => cloud.liveClients(ACCOUNT.userId) === 1);
      expect(cloud.maxConcurrentClients(ACCOUNT.userId)).toBe(1);
      const afterTakeover = cloud.customerWrites(ACCOUNT.userId, OKSANA.userId, { text: 'Після збою' });
      await waitFor(() => receivedIds().includes(String(afterTakeover.id)));

      proxy.restore();
      await stopInstance(cut);
      await proxy.stop();
      expect(cloud.maxConcurrentClients(ACCOUNT.userId)).toBe(1);
      first = standby;
    });
  });

  describe('health', () => {
    it('channelHealth shows the account live with its holder, and a revoked session as ERROR', async () => {
      const query = '{ channelHealth { id telegramUser { channel connectionId displayName state detail lastEventAt backlog } } }';
      const denied = await gql(first, 'operator', query);
      expect(denied.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      const healthy = await gql(first, 'admin', query);
      expect(healthy.data?.['channelHealth']).toMatchObject({
        id: 'channels',
        telegramUser: [{ channel: 'telegram-user', connectionId, displayName: 'Олена (Telegram)', backlog: 0, detail: expect.stringMatching(/^client live on instance-d \(lease \d+\)$/) }],
      });
      expect(healthy.data?.['channelHealth'].telegramUser[0].lastEventAt).toEqual(expect.any(String));

      // "Terminate all sessions" in the phone: the next call fails with AUTH_KEY_UNREGISTERED.
      cloud.revokeSessions(ACCOUNT.userId);
      cloud.dropConnections(ACCOUNT.userId);
      cloud.reconnect(ACCOUNT.userId); // the back-fill after reconnecting meets the dead session
      await waitFor(async () => (await gql(first, 'admin', query)).data?.['channelHealth'].telegramUser[0].state === 'ERROR', { timeoutMs: 15_000 });
      const commands = await sendCommand('Ще тут?');
      const result = await resultOf((commands.data as { commandId: string }).commandId);
      expect(result).toMatchObject({ state: 'failed', failure: { code: 'unauthorized' } });
    });
  });
});
