import {
  DeliveryFailedV1,
  DeliveryResultV1,
  MessageReceivedV1,
  ReceiptReceivedV1,
  SendMessageRequestedV1,
  TOPICS,
  UnrecognisedPayloadV1,
  createEnvelope,
  outboundTopic,
  parseEvent,
  type Envelope,
  type MessageReceived,
} from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, signAccessToken } from '@switchboard/service-kit';
import {
  FIRST_VIBER_TOKEN,
  ViberApiDouble,
  createTestDatabase,
  encodeViberCallback,
  freePort,
  integrationSuite,
  nextViberToken,
  signViberBody,
  viberCallbacks,
  waitFor,
  type TestDatabase,
} from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  CHANNEL_VIBER_MIGRATIONS,
  CHANNEL_VIBER_SCHEMA,
  channelViberConfigSchema,
  startChannelViberService,
  type RunningChannelViber,
  type ViberConnectionView,
} from '../src';
import { ViberInboundStore } from '../src/viber-inbound.store';

jest.setTimeout(60_000);

const BOT = { token: '4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f', id: 'pa:5638101235434568700', name: 'Кава Shop', uri: 'kavashop' };
const JWT_SECRET = 'integration-test-secret-of-32-chars!!';
const CUSTOMER = { id: '01234567890A=', name: 'Оксана Коваль', language: 'uk', country: 'UA' };
const WELCOME = 'Вітаємо! Напишіть нам, і оператор відповість.';

interface Seen {
  topic: string;
  envelope: Envelope;
}

integrationSuite(['postgres'], 'channel-viber integration tests')('channel-viber (PostgreSQL, log bus, Viber double)', () => {
  const logger = createLogger('channel-viber-test', process.env['LOG_LEVEL'] ?? 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let viber: ViberApiDouble;
  let service: RunningChannelViber;
  let connection: ViberConnectionView;
  const seen: Seen[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('channel_viber');
    const busSchema = createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS });
    await migrateSchema(busSchema, LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    await bus.subscribe({
      group: 'integration-test-observer',
      topics: [TOPICS.inbound, TOPICS.unrecognised, TOPICS.delivery],
      handler: async (records) => {
        for (const { record, envelope } of records) seen.push({ topic: record.topic, envelope });
      },
    });
    viber = new ViberApiDouble({ bots: [BOT] });
    await viber.start();
    const port = await freePort();
    service = await startChannelViberService({
      config: channelViberConfigSchema.parse({
        PORT: String(port),
        DATABASE_URL: database.url,
        JWT_SECRET,
        VIBER_API_BASE_URL: viber.baseUrl,
        PUBLIC_WEBHOOK_BASE_URL: `http://127.0.0.1:${port}`,
        CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        VIBER_SEND_BACKOFF_MS: '20',
        VIBER_SEND_ATTEMPTS: '3',
      }),
      logger,
      bus,
      host: '127.0.0.1',
    });
    connection = await service.connectBot({ token: BOT.token, displayName: 'Кава (Viber)', senderName: 'Кава Shop', welcomeMessage: WELCOME });
  });

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await viber?.stop();
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

  function eventsOn(topic: string): Envelope[] {
    return seen.filter((s) => s.topic === topic).map((s) => s.envelope);
  }

  function received(token: string): Array<Envelope<MessageReceived>> {
    return eventsOn(TOPICS.inbound)
      .filter((e) => e.type === MessageReceivedV1.type)
      .map((e) => parseEvent(MessageReceivedV1, e))
      .filter((e) => e.data.platformMessageId === token);
  }

  async function receivedOnce(token: string): Promise<MessageReceived> {
    const [event] = await waitFor(() => received(token).length > 0 && received(token), { description: `message ${token} on the inbound topic` });
    return event!.data;
  }

  async function deliver(body: Record<string, unknown>): Promise<{ status: number; text: string }> {
    return viber.deliver(BOT.token, body);
  }

  describe('connections', () => {
    it('registers the webhook at our URL with the event types, and stores the token encrypted', async () => {
      expect(viber.webhookOf(BOT.token)).toEqual({
        url: `${service.url}/webhooks/viber/${connection.id}`,
        eventTypes: ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'],
      });
      const rows = await sql<{ token_ciphertext: string; state: string }>('SELECT token_ciphertext, state FROM channel_viber.connections');
      expect(rows).toHaveLength(1);
      expect(rows[0]!.state).toBe('active');
      expect(rows[0]!.token_ciphertext).not.toContain(BOT.token);
      expect(rows[0]!.token_ciphertext).toMatch(/^v1\./);
    });

    it('serves GraphQL: admins connect, rejected tokens are BAD_USER_INPUT, operators list without tokens', async () => {
      const admin = await signAccessToken({ employeeId: randomUUID(), role: 'admin', name: 'Admin' }, { secret: JWT_SECRET, ttlSeconds: 60 });
      const operator = await signAccessToken({ employeeId: randomUUID(), role: 'operator', name: 'Op' }, { secret: JWT_SECRET, ttlSeconds: 60 });
      const gql = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
        const response = await fetch(`${service.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        });
        return (await response.json()) as { data?: Record<string, unknown>; errors?: Array<{ message: string; extensions?: { code?: string } }> };
      };
      const connect = 'mutation ($input: ConnectViberBotInput!) { connectViberBot(input: $input) { connection { id accountName } } }';
      const rejected = await gql(admin, connect, { input: { token: 'ffff-unknown-token' } });
      expect(rejected.errors?.[0]).toMatchObject({ message: 'Viber rejected the auth token: invalidAuthToken', extensions: { code: 'BAD_USER_INPUT' } });
      const tooLong = await gql(admin, connect, { input: { token: BOT.token, senderName: 'x'.repeat(29) } });
      expect(tooLong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(tooLong.errors?.[0]?.message).toContain('28');
      const forbidden = await gql(operator, connect, { input: { token: BOT.token } });
      expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      // Reconnecting the same bot keeps its connection id (and every chat key).
      const again = await gql(admin, connect, { input: { token: BOT.token } });
      expect(again.data?.['connectViberBot']).toEqual({ connection: { id: connection.id, accountName: BOT.name } });

      const list = await gql(operator, '{ viberConnections { id accountName displayName senderName welcomeMessage state lastError } }');
      expect(list.data?.['viberConnections']).toEqual([
        { id: connection.id, accountName: BOT.name, displayName: 'Кава (Viber)', senderName: 'Кава Shop', welcomeMessage: WELCOME, state: 'ACTIVE', lastError: null },
      ]);
      expect(JSON.stringify(list)).not.toContain(BOT.token);
    });
  });

  describe('webhook', () => {
    it('keeps a 64-bit message_token exactly: in the stored row and in the published event', async () => {
      const token = nextViberToken();
      expect(BigInt(token)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
      expect(BigInt(token)).toBeGreaterThanOrEqual(FIRST_VIBER_TOKEN);
      const response = await deliver(viberCallbacks.message({ token, sender: CUSTOMER, message: { type: 'text', text: 'Добрий день! Є доставка у Львів?' } }));
      expect(response.status).toBe(200);
      const event = await receivedOnce(token);
      expect(event).toMatchObject({
        platformMessageId: token,
        externalChatId: CUSTOMER.id,
        chatKey: `${connection.id}:${CUSTOMER.id}`,
        connection: { id: connection.id, channel: 'viber', displayName: 'Кава (Viber)' },
        customer: { externalId: CUSTOMER.id, displayName: CUSTOMER.name, languageCode: 'uk' },
        content: { text: 'Добрий день! Є доставка у Львів?', attachments: [] },
      });
      // JSON.parse would have made it 5491238571235484700-something: the exact digits prove it never was a double.
      expect(String(Number(token))).not.toBe(token);
      const rows = await sql<{ message_token: string }>(
        `SELECT message_token FROM channel_viber.inbound_callbacks WHERE connection_id = $1 AND event = 'message' AND message_token = $2`,
        [connection.id, token],
      );
      expect(rows).toEqual([{ message_token: token }]);
    });

    it('rejects a forged or missing signature with 401 and stores nothing', async () => {
      const token = nextViberToken();
      const raw = encodeViberCallback(viberCallbacks.message({ token, sender: CUSTOMER, message: { type: 'text', text: 'forged' } }));
      const forged = await viber.deliver(BOT.token, raw, { signature: signViberBody(raw, 'some-other-token') });
      expect(forged.status).toBe(401);
      const tampered = await viber.deliver(BOT.token, raw.replace('forged', 'f0rged'), { signature: signViberBody(raw, BOT.token) });
      expect(tampered.status).toBe(401);
      const missing = await fetch(`${service.url}/webhooks/viber/${connection.id}`, { method: 'POST', body: raw });
      expect(missing.status).toBe(401);
      const unknown = await fetch(`${service.url}/webhooks/viber/${randomUUID()}`, { method: 'POST', body: raw });
      expect(unknown.status).toBe(404);
      // A genuine callback after the forgeries proves the observer was listening when they arrived.
      const genuine = nextViberToken();
      await deliver(viberCallbacks.message({ token: genuine, sender: CUSTOMER, message: { type: 'text', text: 'after the forgery' } }));
      await receivedOnce(genuine);
      expect(received(token)).toHaveLength(0);
      expect(await sql('SELECT 1 FROM channel_viber.inbound_callbacks WHERE message_token = $1', [token])).toHaveLength(0);
    });

    it('answers 400 to a signed body that is not JSON', async () => {
      const raw = '{"event":"message",';
      expect((await viber.deliver(BOT.token, raw)).status).toBe(400);
    });

    it('publishes a repeated callback once (Viber retries for an hour)', async () => {
      const token = nextViberToken();
      const body = viberCallbacks.message({ token, sender: CUSTOMER, message: { type: 'text', text: 'twice' } });
      const answers = await Promise.all([deliver(body), deliver(body), deliver(body)]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      await receivedOnce(token);
      const marker = nextViberToken();
      await deliver(viberCallbacks.message({ token: marker, sender: CUSTOMER, message: { type: 'text', text: 'marker' } }));
      await receivedOnce(marker);
      expect(received(token)).toHaveLength(1);
    });

    it('downloads picture media at once and publishes its metadata with the real size', async () => {
      const bytes = randomBytes(4096);
      const media = viber.hostMedia(bytes, 'image/png');
      const token = nextViberToken();
      await deliver(viberCallbacks.message({ token, sender: CUSTOMER, message: { type: 'picture', text: 'ось фото', media, thumbnail: media, size: 1 } }));
      viber.expireMedia(media);
      const event = await receivedOnce(token);
      expect(event.content).toEqual({
        text: 'ось фото',
        attachments: [{ kind: 'image', platformFileId: `viber-media:${token}`, mimeType: 'image/png', sizeBytes: 4096 }],
      });
      const [row] = await sql<{ state: string; size_bytes: string; content: Buffer; source_url: string }>(
        'SELECT state, size_bytes, content, source_url FROM channel_viber.inbound_media WHERE message_token = $1',
        [token],
      );
      expect(row).toMatchObject({ state: 'stored', size_bytes: '4096', source_url: media });
      expect(Buffer.compare(row!.content, bytes)).toBe(0);
    });

    it('keeps the message when its media link has already expired', async () => {
      const media = viber.hostMedia(Buffer.from('gone'), 'application/pdf');
      viber.expireMedia(media);
      const token = nextViberToken();
      await deliver(viberCallbacks.message({ token, sender: CUSTOMER, message: { type: 'file', media, file_name: 'invoice.pdf', size: 1234 } }));
      const event = await receivedOnce(token);
      expect(event.content.attachments).toEqual([{ kind: 'document', platformFileId: `viber-media:${token}`, fileName: 'invoice.pdf', sizeBytes: 1234 }]);
      const [row] = await sql<{ state: string; error: string }>('SELECT state, error FROM channel_viber.inbound_media WHERE message_token = $1', [token]);
      expect(row).toEqual({ state: 'failed', error: 'HTTP 403 while downloading the media' });
    });

    it('normalises every message type', async () => {
      const video = viber.hostMedia(randomBytes(2048), 'video/mp4');
      const file = viber.hostMedia(randomBytes(1000), 'application/pdf');
      const sticker = viber.hostMedia(randomBytes(300), 'image/png');
      const cases: Array<{ message: Record<string, unknown>; expected: Record<string, unknown> }> = [
        {
          message: { type: 'video', media: video, size: 2048, duration: 12 },
          expected: { attachments: [expect.objectContaining({ kind: 'video', mimeType: 'video/mp4', sizeBytes: 2048, durationSeconds: 12 })] },
        },
        {
          message: { type: 'file', media: file, size: 1000, file_name: 'order.pdf' },
          expected: { attachments: [expect.objectContaining({ kind: 'document', fileName: 'order.pdf', mimeType: 'application/pdf', sizeBytes: 1000 })] },
        },
        {
          message: { type: 'sticker', sticker_id: 46105, media: sticker },
          expected: { attachments: [expect.objectContaining({ kind: 'sticker', mimeType: 'image/png', sizeBytes: 300 })], raw: { sticker_id: 46105 } },
        },
        {
          message: { type: 'contact', contact: { name: 'Іван Петренко', phone_number: '+380501234567' } },
          expected: { attachments: [], contact: { phone: '+380501234567', firstName: 'Іван Петренко' } },
        },
        { message: { type: 'location', location: { lat: 49.8397, lon: 24.0297 } }, expected: { attachments: [], location: { latitude: 49.8397, longitude: 24.0297 } } },
        { message: { type: 'url', media: 'https://example.com/product/42' }, expected: { attachments: [], text: 'https://example.com/product/42' } },
        {
          message: { type: 'rich_media', rich_media: { Type: 'rich_media', Buttons: [{ Text: 'Buy' }] } },
          expected: { attachments: [], placeholder: '[rich media]', raw: expect.objectContaining({ type: 'rich_media' }) },
        },
      ];
      for (const { message, expected } of cases) {
        const token = nextViberToken();
        expect((await deliver(viberCallbacks.message({ token, sender: CUSTOMER, message }))).status).toBe(200);
        const event = await receivedOnce(token);
        expect(event.content).toEqual(expected);
      }
    });

    it('turns delivered and seen into receipts and failed into DeliveryFailedV1, each once', async () => {
      const token = nextViberToken();
      const delivered = viberCallbacks.delivered({ token, userId: CUSTOMER.id });
      await deliver(delivered);
      await deliver(delivered);
      await deliver(viberCallbacks.seen({ token, userId: CUSTOMER.id }));
      await deliver(viberCallbacks.failed({ token, userId: CUSTOMER.id, desc: 'user has no suitable device' }));
      const failed = await waitFor(() =>
        eventsOn(TOPICS.inbound)
          .filter((e) => e.type === DeliveryFailedV1.type)
          .map((e) => parseEvent(DeliveryFailedV1, e).data)
          .find((d) => d.platformMessageId === token),
      { description: 'DeliveryFailedV1' });
      expect(failed).toMatchObject({
        chatKey: `${connection.id}:${CUSTOMER.id}`,
        failure: { code: 'platform_error', message: 'Viber could not deliver the message: user has no suitable device' },
      });
      // Published in order on one chat key: the failure is last, so both receipts are in by now.
      const receipts = eventsOn(TOPICS.inbound)
        .filter((e) => e.type === ReceiptReceivedV1.type)
        .map((e) => parseEvent(ReceiptReceivedV1, e).data)
        .filter((d) => d.platformMessageId === token);
      expect(receipts.map((r) => r.receipt)).toEqual(['delivered', 'read']);
      expect(receipts[0]!.chatKey).toBe(`${connection.id}:${CUSTOMER.id}`);
    });

    it('keeps an unknown event type on the unrecognised topic, whole', async () => {
      const body = { event: 'client_status', timestamp: Date.now(), user_id: CUSTOMER.id, status: 'online', nonce: randomUUID() };
      expect((await deliver(body)).status).toBe(200);
      const kept = await waitFor(() =>
        eventsOn(TOPICS.unrecognised)
          .map((e) => parseEvent(UnrecognisedPayloadV1, e).data)
          .find((d) => (d.payload as { nonce?: string }).nonce === body.nonce),
      { description: 'unknown event kept' });
      expect(kept).toMatchObject({ reason: 'unsupported Viber event: client_status', payload: body });
    });

    it('forgets dedupe rows and downloaded media only after their retention periods', async () => {
      const oldToken = nextViberToken();
      const recentToken = nextViberToken();
      const photo = () => viber.hostMedia(randomBytes(64), 'image/jpeg');
      await deliver(viberCallbacks.message({ token: oldToken, sender: CUSTOMER, message: { type: 'picture', text: 'last week', media: photo(), size: 64 } }));
      await deliver(viberCallbacks.message({ token: recentToken, sender: CUSTOMER, message: { type: 'picture', text: 'just now', media: photo(), size: 64 } }));
      await sql(`UPDATE channel_viber.inbound_callbacks SET received_at = now() - interval '8 days' WHERE message_token = $1`, [oldToken]);
      await sql(`UPDATE channel_viber.inbound_media SET fetched_at = now() - interval '8 days' WHERE message_token = $1`, [oldToken]);
      const dataSource = createServiceDataSource({ url: database.url, schema: CHANNEL_VIBER_SCHEMA, migrations: CHANNEL_VIBER_MIGRATIONS });
      await dataSource.initialize();
      try {
        const store = new ViberInboundStore({ dataSource, relay: { notify: () => undefined } });
        const weekAgo = new Date(Date.now() - 7 * 24 * 3_600_000);
        expect(await store.pruneCallbacks(weekAgo)).toBe(1);
        expect(await store.pruneMedia(weekAgo)).toBe(1);
      } finally {
        await dataSource.destroy();
      }
      const left = await sql<{ message_token: string }>('SELECT message_token FROM channel_viber.inbound_callbacks WHERE message_token = ANY($1)', [[oldToken, recentToken]]);
      expect(left).toEqual([{ message_token: recentToken }]);
      const media = await sql<{ message_token: string }>('SELECT message_token FROM channel_viber.inbound_media WHERE message_token = ANY($1)', [[oldToken, recentToken]]);
      expect(media).toEqual([{ message_token: recentToken }]);
    });

    it('answers conversation_started with the welcome message, as Viber specifies', async () => {
      const visitor = { id: 'visitor-0001==', name: 'Новий Клієнт' };
      const answer = await deliver(viberCallbacks.conversationStarted({ user: visitor, subscribed: false, context: 'ad-42' }));
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ sender: { name: 'Кава Shop' }, type: 'text', text: WELCOME });
      const rows = await sql<{ subscribed: boolean }>('SELECT subscribed FROM channel_viber.subscribers WHERE user_id = $1', [visitor.id]);
      expect(rows).toEqual([{ subscribed: false }]);
    });
  });

  describe('outbound', () => {
    function command(receiver: string, text: string, fields: Record<string, unknown> = {}) {
      const chatKey = `${connection.id}:${receiver}`;
      return createEnvelope(
        SendMessageRequestedV1,
        {
          commandId: randomUUID(),
          chatKey,
          connection: { id: connection.id, channel: 'viber', displayName: 'Кава (Viber)' },
          externalChatId: receiver,
          text,
          requestedAt: new Date().toISOString(),
          ...fields,
        },
        { producer: 'chat', key: chatKey },
      );
    }

    async function resultOf(commandId: string) {
      const results = () => eventsOn(TOPICS.delivery).map((e) => parseEvent(DeliveryResultV1, e)).filter((e) => e.data.commandId === commandId);
      const [result] = await waitFor(() => results().length > 0 && results(), { description: `delivery result of ${commandId}` });
      return result!;
    }

    function sendsTo(receiver: string, text: string) {
      return viber.sentMessages(BOT.token).filter((s) => s.receiver === receiver && s.body['text'] === text);
    }

    /** A customer who wrote to the bot: writing subscribes them, in the connector and at Viber. */
    async function subscribedCustomer(): Promise<string> {
      const id = `${randomBytes(8).toString('base64')}`;
      viber.setSubscribed(BOT.token, id, true);
      const token = nextViberToken();
      await deliver(viberCallbacks.message({ token, sender: { id, name: 'Клієнт' }, message: { type: 'text', text: 'hi' } }));
      await receivedOnce(token);
      return id;
    }

    it('sends text with the sender name and reports sent with the 64-bit message token', async () => {
      const receiver = await subscribedCustomer();
      const cmd = command(receiver, 'Так, доставляємо по всій Україні');
      await bus.publish([{ topic: outboundTopic('viber'), envelope: cmd }]);
      const result = await resultOf(cmd.data.commandId);
      const [sent] = sendsTo(receiver, 'Так, доставляємо по всій Україні');
      expect(sent!.body).toMatchObject({ receiver, type: 'text', sender: { name: 'Кава Shop' } });
      expect(result.data).toMatchObject({ state: 'sent', platformMessageId: sent!.messageToken, chatKey: cmd.data.chatKey });
      expect(BigInt(sent!.messageToken)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
      expect(result.causationId).toBe(cmd.id);
      const rows = await sql<{ message_token: string }>('SELECT message_token FROM channel_viber.sent_commands WHERE command_id = $1', [cmd.data.commandId]);
      expect(rows).toEqual([{ message_token: sent!.messageToken }]);
    });

    it('sends a duplicated command once and re-publishes its result', async () => {
      const receiver = await subscribedCustomer();
      const cmd = command(receiver, 'only once');
      await bus.publish([{ topic: outboundTopic('viber'), envelope: cmd }]);
      await resultOf(cmd.data.commandId);
      await bus.publish([{ topic: outboundTopic('viber'), envelope: cmd }]);
      await waitFor(() => eventsOn(TOPICS.delivery).filter((e) => (e.data as { commandId: string }).commandId === cmd.data.commandId).length === 2, {
        description: 'the re-published result',
      });
      expect(sendsTo(receiver, 'only once')).toHaveLength(1);
    });

    // Pictures, videos and files: viber-outbound-attachments.integration.spec.ts (with the files service double).

    it('refuses an unsubscribed customer without calling Viber', async () => {
      const receiver = await subscribedCustomer();
      await deliver(viberCallbacks.unsubscribed({ userId: receiver }));
      await waitFor(async () => (await sql<{ subscribed: boolean }>('SELECT subscribed FROM channel_viber.subscribers WHERE user_id = $1', [receiver]))[0]?.subscribed === false, {
        description: 'unsubscribed stored',
      });
      const before = viber.requests.filter((r) => r.method === 'send_message').length;
      const cmd = command(receiver, 'are you there?');
      await bus.publish([{ topic: outboundTopic('viber'), envelope: cmd }]);
      const result = await resultOf(cmd.data.commandId);
      expect(result.data).toMatchObject({ state: 'failed', failure: { code: 'not_subscribed' } });
      expect(result.data.state === 'failed' && result.data.failure.message).toContain('not subscribed');
      expect(viber.requests.filter((r) => r.method === 'send_message')).toHaveLength(before);
      // Subscribing again (a later callback) lets messages through.
      await deliver(viberCallbacks.subscribed({ user: { id: receiver, name: 'Клієнт' } }));
      await waitFor(async () => (await sql<{ subscribed: boolean }>('SELECT subscribed FROM channel_viber.subscribers WHERE user_id = $1', [receiver]))[0]?.subscribed === true, {
        description: 'subscribed again',
      });
      const again = command(receiver, 'welcome back');
      await bus.publish([{ topic: outboundTopic('viber'), envelope: again }]);
      expect((await resultOf(again.data.commandId)).data.state).toBe('sent');
    });

    it('maps Viber status codes to clear failures', async () => {
      const cases: Array<{ statuses: number[]; code: string; text: string }> = [
        { statuses: [6], code: 'not_subscribed', text: 'not subscribed' },
        { statuses: [11], code: 'blocked', text: 'no device' },
        { statuses: [5], code: 'blocked', text: 'not registered' },
        { statuses: [12, 12, 12], code: 'rate_limited', text: 'after 3 attempts' },
        { statuses: [3], code: 'invalid_request', text: 'invalid' },
      ];
      for (const { statuses, code, text } of cases) {
        const receiver = await subscribedCustomer();
        viber.injectSendStatus(BOT.token, ...statuses);
        const cmd = command(receiver, `status ${statuses.join(',')}`);
        await bus.publish([{ topic: outboundTopic('viber'), envelope: cmd }]);
        const result = await resultOf(cmd.data.commandId);
        expect(result.data).toMatchObject({ state: 'failed', failure: { code } });
        expect(result.data.state === 'failed' && result.data.failure.message).toContain(text);
      }
    });

    it('retries "too many requests" with backoff and then sends', async () => {
      const receiver = await subscribedCustomer();
      viber.injectSendStatus(BOT.token, 12, 12);
      const cmd = command(receiver, 'after the rate limit');
      await bus.publish([{ topic: outboundTopic('viber'), envelope: cmd }]);
      expect((await resultOf(cmd.data.commandId)).data.state).toBe('sent');
      expect(sendsTo(receiver, 'after the rate limit')).toHaveLength(1);
    });

    it('flags the connection when Viber rejects the token', async () => {
      const receiver = await subscribedCustomer();
      viber.injectSendStatus(BOT.token, 2);
      const cmd = command(receiver, 'token revoked');
      await bus.publish([{ topic: outboundTopic('viber'), envelope: cmd }]);
      expect((await resultOf(cmd.data.commandId)).data).toMatchObject({ state: 'failed', failure: { code: 'unauthorized' } });
      const [row] = await sql<{ state: string; last_error: string }>('SELECT state, last_error FROM channel_viber.connections WHERE id = $1', [connection.id]);
      expect(row!.state).toBe('error');
      expect(row!.last_error).toContain('auth token');
    });
  });

  describe('disconnect', () => {
    it('removes the webhook and answers 404 to later callbacks', async () => {
      const view = await service.connections.disconnectBot(connection.id);
      expect(view.state).toBe('disconnected');
      expect(viber.webhookOf(BOT.token).url).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 2_100)); // the webhook's connection cache TTL
      const raw = encodeViberCallback(viberCallbacks.message({ sender: CUSTOMER, message: { type: 'text', text: 'late' } }));
      const response = await fetch(`${service.url}/webhooks/viber/${connection.id}`, {
        method: 'POST',
        headers: { 'x-viber-content-signature': signViberBody(raw, BOT.token) },
        body: raw,
      });
      expect(response.status).toBe(404);
    });
  });
});
