import {
  DeliveryResultV1,
  MessageReceivedV1,
  SendMessageRequestedV1,
  TOPICS,
  createEnvelope,
  outboundTopic,
  parseEvent,
  type Envelope,
} from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { channelMediaPath, createLogger, signAccessToken, signServiceToken } from '@switchboard/service-kit';
import {
  BridgePartnerDouble,
  FilesInternalDouble,
  createTestDatabase,
  freePort,
  integrationSuite,
  partnerSignature,
  postBridgeMessage,
  waitFor,
  type TestDatabase,
} from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { channelBridgeConfigSchema, startChannelBridgeService, type RunningChannelBridge } from '../src';

jest.setTimeout(60_000);

const JWT_SECRET = 'bridge-integration-secret-of-32-chars!';
const MAX_ATTEMPTS = 3;

interface Seen {
  topic: string;
  envelope: Envelope;
}

interface GqlAnswer<T = Record<string, unknown>> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>;
}

integrationSuite(['postgres'], 'channel-bridge integration tests')('channel-bridge (PostgreSQL, log bus, partner double)', () => {
  const logger = createLogger('channel-bridge-test', process.env['LOG_LEVEL'] ?? 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let service: RunningChannelBridge;
  let baseConfig: Record<string, string>;
  let partner: BridgePartnerDouble;
  let filesDouble: FilesInternalDouble;
  let admin: string;
  let operator: string;
  let connectionId: string;
  let secret: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('channel_bridge');
    const busSchema = createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS });
    await migrateSchema(busSchema, LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    await bus.subscribe({
      group: 'bridge-test-observer',
      topics: [TOPICS.inbound, TOPICS.delivery],
      handler: async (records) => {
        for (const { record, envelope } of records) seen.push({ topic: record.topic, envelope });
      },
    });
    partner = new BridgePartnerDouble();
    await partner.start();
    filesDouble = new FilesInternalDouble(JWT_SECRET);
    await filesDouble.start();
    baseConfig = {
      DATABASE_URL: database.url,
      JWT_SECRET,
      CREDENTIALS_KEY: randomBytes(32).toString('base64'),
      BRIDGE_DELIVERY_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      BRIDGE_DELIVERY_BASE_DELAY_MS: '100',
      BRIDGE_DELIVERY_MAX_DELAY_MS: '400',
      BRIDGE_DELIVERY_TIMEOUT_MS: '2000',
      BRIDGE_DELIVERY_POLL_MS: '50',
    };
    service = await startBridge({});
    admin = await signAccessToken({ employeeId: randomUUID(), role: 'admin', name: 'Admin' }, { secret: JWT_SECRET, ttlSeconds: 600 });
    operator = await signAccessToken({ employeeId: randomUUID(), role: 'operator', name: 'Op' }, { secret: JWT_SECRET, ttlSeconds: 600 });
    const connected = await gql<{ connectBridge: { connection: { id: string }; secret: string } }>(
      admin,
      'mutation ($input: ConnectBridgeInput!) { connectBridge(input: $input) { connection { id } secret } }',
      { input: { name: 'Viber number gateway', outboundUrl: partner.url } },
    );
    expect(connected.errors).toBeUndefined();
    connectionId = connected.data!.connectBridge.connection.id;
    secret = connected.data!.connectBridge.secret;
    partner.useSecret(secret);
  });

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await partner?.stop();
    await filesDouble?.stop();
    await database?.drop();
  });

  async function startBridge(overrides: Record<string, string>): Promise<RunningChannelBridge> {
    return startChannelBridgeService({
      config: channelBridgeConfigSchema.parse({ ...baseConfig, PORT: String(await freePort()), ...overrides }),
      logger,
      bus,
      host: '127.0.0.1',
      // Quick retries of partners' attachment URLs, so a failing one is given up within the test.
      mediaFetchPolicy: { attempts: 3, retryDelayMs: 50, headersTimeoutMs: 2_000 },
    });
  }

  async function gql<T = Record<string, unknown>>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<GqlAnswer<T>> {
    const response = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GqlAnswer<T>;
  }

  async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  function message(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      messageId: `m-${randomUUID()}`,
      customer: { id: '380501234567', name: 'Оксана Коваль', phone: '+380501234567', username: 'oksana_k' },
      message: { text: 'Добрий день! Де моє замовлення?' },
      ...overrides,
    };
  }

  function send(body: Record<string, unknown> | string, options: Partial<Parameters<typeof postBridgeMessage>[0]> = {}) {
    return postBridgeMessage({
      baseUrl: service.url,
      connectionId,
      secret,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      idempotencyKey: randomUUID(),
      ...options,
    });
  }

  function inboundWith(messageId: string): Envelope[] {
    return seen.filter((s) => s.topic === TOPICS.inbound && (s.envelope.data as { platformMessageId?: string }).platformMessageId === messageId).map((s) => s.envelope);
  }

  function resultsOf(commandId: string) {
    return seen
      .filter((s) => s.topic === TOPICS.delivery)
      .map((s) => parseEvent(DeliveryResultV1, s.envelope))
      .filter((e) => e.data.commandId === commandId);
  }

  async function storedRequests(): Promise<number> {
    const [row] = await sql<{ n: string }>('SELECT count(*) AS n FROM channel_bridge.inbound_requests');
    return Number(row!.n);
  }

  /** Sends a genuine message after refused ones: once it is on the bus, anything refused before it would be too. */
  async function expectNothingPublishedFor(refusedMessageId: string): Promise<void> {
    const marker = message();
    expect((await send(marker)).status).toBe(202);
    await waitFor(() => inboundWith(marker['messageId'] as string).length === 1, { description: 'the genuine message after the refused ones' });
    expect(inboundWith(refusedMessageId)).toHaveLength(0);
  }

  function command(
    text: string,
    chatId = '380501234567',
    connection = connectionId,
    attachments: Array<{ fileId: string; url: string; fileName: string; mimeType: string; sizeBytes: number }> = [],
  ) {
    const chatKey = `${connection}:${chatId}`;
    return createEnvelope(
      SendMessageRequestedV1,
      {
        commandId: randomUUID(),
        chatKey,
        connection: { id: connection, channel: 'bridge', displayName: 'Viber number gateway' },
        externalChatId: chatId,
        text,
        attachments,
        requestedAt: new Date().toISOString(),
      },
      { producer: 'chat', key: chatKey },
    );
  }

  async function resultOf(commandId: string, timeoutMs = 15_000) {
    const [result] = await waitFor(() => resultsOf(commandId).length > 0 && resultsOf(commandId), { description: `DeliveryResultV1 of ${commandId}`, timeoutMs });
    return result!;
  }

  describe('connections (GraphQL)', () => {
    it('returns the secret once, stores it encrypted, and lets only admins manage bridges', async () => {
      expect(secret).toMatch(/^sbb_[A-Za-z0-9_-]{43}$/);
      const rows = await sql<{ secret_ciphertext: string }>('SELECT secret_ciphertext FROM channel_bridge.connections');
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.secret_ciphertext).not.toContain(secret.slice(4));

      const list = await gql(operator, '{ bridgeConnections { id name outboundUrl state inboundPath } }');
      expect(list.errors).toBeUndefined();
      expect(list.data?.['bridgeConnections']).toEqual([
        { id: connectionId, name: 'Viber number gateway', outboundUrl: partner.url, state: 'ACTIVE', inboundPath: `/bridge/v1/connections/${connectionId}/messages` },
      ]);
      expect(JSON.stringify(list)).not.toContain(secret);

      const forbidden = await gql(operator, 'mutation { connectBridge(input: {name: "x", outboundUrl: "https://example.com"}) { secret } }');
      expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const badUrl = await gql(admin, 'mutation { connectBridge(input: {name: "x", outboundUrl: "ftp://example.com"}) { secret } }');
      expect(badUrl.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'outboundUrl' });
      const missing = await gql(admin, 'mutation ($id: ID!) { rotateBridgeSecret(id: $id) { secret } }', { id: randomUUID() });
      expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });
  });

  describe('inbound', () => {
    it('publishes a signed message as MessageReceivedV1 with the customer, attachments, location and contact', async () => {
      const body = message({
        chatId: 'viber-chat-17',
        sentAt: '2026-12-01T10:15:00+02:00',
        replyToMessageId: 'm-earlier',
        message: {
          text: 'Ось фото і де я',
          attachments: [{ kind: 'image', url: 'https://partner.example/files/1.jpg', mimeType: 'image/jpeg', sizeBytes: 1024, width: 800, height: 600 }],
          location: { latitude: 50.45, longitude: 30.52, title: 'Київ' },
          contact: { phone: '+380670000000', firstName: 'Taras' },
        },
      });
      const answer = await send(body);
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ status: 'accepted', messageId: body['messageId'], chatId: 'viber-chat-17' });
      const [event] = await waitFor(() => inboundWith(body['messageId'] as string).length > 0 && inboundWith(body['messageId'] as string), {
        description: 'MessageReceivedV1',
      });
      const parsed = parseEvent(MessageReceivedV1, event!);
      expect(parsed.id).toBe(answer.body['eventId']);
      expect(parsed.key).toBe(`${connectionId}:viber-chat-17`);
      expect(parsed.data).toMatchObject({
        connection: { id: connectionId, channel: 'bridge', displayName: 'Viber number gateway' },
        externalChatId: 'viber-chat-17',
        occurredAt: '2026-12-01T10:15:00+02:00',
        replyToPlatformMessageId: 'm-earlier',
        customer: { externalId: '380501234567', displayName: 'Оксана Коваль', phone: '+380501234567', username: 'oksana_k' },
        content: {
          text: 'Ось фото і де я',
          attachments: [{ kind: 'image', platformFileId: 'https://partner.example/files/1.jpg', mimeType: 'image/jpeg', sizeBytes: 1024, width: 800, height: 600 }],
          location: { latitude: 50.45, longitude: 30.52, title: 'Київ' },
          contact: { phone: '+380670000000', firstName: 'Taras' },
        },
      });
    });

    it('answers 401 to forged and unsigned requests and stores nothing', async () => {
      const before = await storedRequests();
      const body = message();
      const forged = await send(body, { secret: 'sbb_not-the-secret' });
      expect(forged.status).toBe(401);
      expect(forged.body).toEqual({ error: { code: 'bad_signature', message: expect.stringMatching(/does not match/) } });
      // A valid signature of another body, replayed onto this one.
      const ts = Math.floor(Date.now() / 1000);
      const stolen = await send(body, { timestamp: ts, signature: partnerSignature(secret, String(ts), JSON.stringify(message())) });
      expect(stolen.body).toMatchObject({ error: { code: 'bad_signature' } });
      const unsigned = await send(body, { omit: ['signature'] });
      expect(unsigned.status).toBe(401);
      expect(unsigned.body).toMatchObject({ error: { code: 'missing_signature' } });
      const malformed = await send(body, { signature: 'sha256=abc' });
      expect(malformed.body).toMatchObject({ error: { code: 'malformed_signature' } });
      expect(await storedRequests()).toBe(before);
      await expectNothingPublishedFor(body['messageId'] as string);
    });

    it('answers 401 to a timestamp outside the window (a replay) and stores nothing', async () => {
      const before = await storedRequests();
      const body = message();
      const stale = await send(body, { timestamp: Math.floor(Date.now() / 1000) - 301 });
      expect(stale.status).toBe(401);
      expect(stale.body).toMatchObject({ error: { code: 'stale_timestamp', message: expect.stringMatching(/at most 300 s/) } });
      const future = await send(body, { timestamp: Math.floor(Date.now() / 1000) + 600 });
      expect(future.body).toMatchObject({ error: { code: 'stale_timestamp' } });
      expect(await storedRequests()).toBe(before);
      await expectNothingPublishedFor(body['messageId'] as string);
    });

    it('answers 400 without an Idempotency-Key, or with an unusable one', async () => {
      const body = message();
      const missing = await send(body, { omit: ['idempotency-key'] });
      expect(missing.status).toBe(400);
      expect(missing.body).toMatchObject({ error: { code: 'missing_idempotency_key' } });
      const spaced = await send(body, { idempotencyKey: 'has a space' });
      expect(spaced.status).toBe(400);
      expect(spaced.body).toMatchObject({ error: { code: 'invalid_idempotency_key' } });
      await expectNothingPublishedFor(body['messageId'] as string);
    });

    it('answers a repeat (same key, same body) with the same answer and publishes once', async () => {
      const body = JSON.stringify(message());
      const key = randomUUID();
      const first = await send(body, { idempotencyKey: key });
      expect(first.status).toBe(202);
      // Concurrent and sequential repeats, each freshly signed, as a retrying partner sends them.
      const repeats = await Promise.all([send(body, { idempotencyKey: key }), send(body, { idempotencyKey: key })]);
      const later = await send(body, { idempotencyKey: key });
      for (const repeat of [...repeats, later]) {
        expect(repeat.status).toBe(202);
        expect(repeat.body).toEqual(first.body);
        expect(repeat.headers.get('idempotent-replayed')).toBe('true');
      }
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const messageId = (JSON.parse(body) as { messageId: string }).messageId;
      await expectNothingPublishedFor('(none)');
      expect(inboundWith(messageId)).toHaveLength(1);
    });

    it('answers 409 to the same key with a different body and publishes nothing for it', async () => {
      const key = randomUUID();
      const original = message();
      expect((await send(original, { idempotencyKey: key })).status).toBe(202);
      const different = message();
      const conflict = await send(different, { idempotencyKey: key });
      expect(conflict.status).toBe(409);
      expect(conflict.body).toMatchObject({ error: { code: 'idempotency_conflict' } });
      await expectNothingPublishedFor(different['messageId'] as string);
      // The same key on another connection is another request.
      expect(inboundWith(original['messageId'] as string)).toHaveLength(1);
    });

    it.each([
      ['a missing customer id', message({ customer: { name: 'No Id' } }), 'customer.id'],
      ['an empty message', message({ message: {} }), 'message'],
      ['an attachment without a URL', message({ message: { attachments: [{ kind: 'image', url: 'not a url' }] } }), 'message.attachments.0.url'],
      ['an unknown attachment kind', message({ message: { attachments: [{ kind: 'hologram', url: 'https://x.example/a' }] } }), 'message.attachments.0.kind'],
      ['an attachment URL over 4096 characters', message({ message: { attachments: [{ kind: 'document', url: `https://x.example/${'a'.repeat(4100)}` }] } }), 'message.attachments.0.url'],
      ['an attachment with a negative size', message({ message: { attachments: [{ kind: 'document', url: 'https://x.example/a.pdf', sizeBytes: -1 }] } }), 'message.attachments.0.sizeBytes'],
      ['a latitude out of range', message({ message: { location: { latitude: 91, longitude: 0 } } }), 'message.location.latitude'],
      ['a numeric message id', message({ messageId: 12345678901234567890 }), 'messageId'],
      ['a sentAt without an offset', message({ sentAt: '2026-12-01 10:00' }), 'sentAt'],
      ['a misspelt field', { ...message(), txt: 'hello' }, '(body)'],
    ])('answers 422 naming the field for %s', async (_name, body, field) => {
      const answer = await send(body);
      expect(answer.status).toBe(422);
      expect(answer.body).toMatchObject({ error: { code: 'invalid_body', field } });
      const details = (answer.body['error'] as { details: Array<{ field: string; message: string }> }).details;
      expect(details[0]!.message.length).toBeGreaterThan(0);
    });

    it('answers 400 to a body that is not JSON and 404 to unknown connections', async () => {
      const broken = await send('{"messageId": "m-1", ');
      expect(broken.status).toBe(400);
      expect(broken.body).toMatchObject({ error: { code: 'invalid_json' } });
      expect((await send(message(), { connectionId: randomUUID() })).body).toMatchObject({ error: { code: 'unknown_connection' } });
      expect((await send(message(), { connectionId: 'not-a-uuid' })).status).toBe(404);
    });
  });

  describe("customers' files (the internal media endpoint the files service pulls from)", () => {
    let serviceToken: string;
    beforeAll(async () => {
      serviceToken = await signServiceToken({ service: 'files', secret: JWT_SECRET, ttlSeconds: 300 });
    });

    function media(url: string, options: { token?: string | null; connection?: string } = {}) {
      const token = options.token === undefined ? serviceToken : options.token;
      return fetch(`${service.url}${channelMediaPath({ connectionId: options.connection ?? connectionId, platformFileId: url })}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    }

    async function sendWithAttachments(urls: string[]): Promise<void> {
      const body = message({ message: { text: 'Рахунок', attachments: urls.map((url) => ({ kind: 'document', url, fileName: 'invoice.pdf', mimeType: 'application/pdf' })) } });
      expect((await send(body)).status).toBe(202);
    }

    it('serves the bytes of an attachment URL a signed message carried, with its type', async () => {
      const pdf = Buffer.from('%PDF-1.7\n1 0 obj << /Title (invoice) >> endobj\ntrailer << >>\n%%EOF\n');
      const url = partner.hostFile(`invoice-${randomUUID()}.pdf`, pdf, 'application/pdf');
      await sendWithAttachments([url]);
      const rows = await sql<{ url: string }>('SELECT url FROM channel_bridge.inbound_media_links WHERE connection_id = $1 AND url = $2', [connectionId, url]);
      expect(rows).toHaveLength(1);

      const answer = await media(url);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await answer.arrayBuffer()).equals(pdf)).toBe(true);
      // The same URL again (a redelivered event) is served again; the link is stored once.
      await sendWithAttachments([url]);
      expect((await media(url)).status).toBe(200);
      expect(await sql('SELECT 1 FROM channel_bridge.inbound_media_links WHERE url = $1', [url])).toHaveLength(1);
    });

    it('refuses callers without a service token and fetches no URL a message of that connection did not carry', async () => {
      const url = partner.hostFile(`secret-${randomUUID()}.pdf`, Buffer.from('%PDF-1.7\n%%EOF\n'), 'application/pdf');
      const before = partner.fileRequests.length;
      expect((await media(url, { token: null })).status).toBe(401);
      const operatorToken = await media(url, { token: operator });
      expect(operatorToken.status).toBe(401);
      const never = await media(url);
      expect(never.status).toBe(404);
      expect(await never.json()).toEqual({ error: { reason: 'MEDIA_GONE', message: expect.stringContaining('No message of this bridge connection') } });
      // Sent on this connection, asked for on another one.
      await sendWithAttachments([url]);
      expect((await media(url, { connection: randomUUID() })).status).toBe(404);
      expect((await media(url, { connection: 'not-a-uuid' })).status).toBe(400);
      expect(partner.fileRequests.length).toBe(before);
    });

    it('answers MEDIA_GONE for a URL that is gone, and for one still failing after the retries (the file is recorded FAILED)', async () => {
      const gone = partner.hostFile(`gone-${randomUUID()}.pdf`, Buffer.from('%PDF-1.7\n%%EOF\n'), 'application/pdf');
      const down = partner.hostFile(`down-${randomUUID()}.pdf`, Buffer.from('%PDF-1.7\n%%EOF\n'), 'application/pdf');
      partner.failFile(gone, 404);
      partner.failFile(down, 503);
      await sendWithAttachments([gone, down]);

      const goneAnswer = await media(gone);
      expect(goneAnswer.status).toBe(404);
      expect(await goneAnswer.json()).toEqual({ error: { reason: 'MEDIA_GONE', message: expect.stringContaining('HTTP 404') } });
      expect(partner.fileRequests.filter((r) => r.path === new URL(gone).pathname)).toHaveLength(1);

      const downAnswer = await media(down);
      expect(downAnswer.status).toBe(404);
      expect(await downAnswer.json()).toEqual({ error: { reason: 'MEDIA_GONE', message: expect.stringMatching(/failed 3 times.*HTTP 503/) } });
      expect(partner.fileRequests.filter((r) => r.path === new URL(down).pathname).map((r) => r.status)).toEqual([503, 503, 503]);
    });

    it('serves a URL that failed once and then answered (a passing partner hiccup)', async () => {
      const flaky = partner.hostFile(`flaky-${randomUUID()}.txt`, Buffer.from('hello'), 'text/plain');
      partner.failFile(flaky, 503, 1);
      await sendWithAttachments([flaky]);
      const answer = await media(flaky);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toBe('hello');
      expect(partner.fileRequests.filter((r) => r.path === new URL(flaky).pathname).map((r) => r.status)).toEqual([503, 200]);
    });
  });

  describe('outbound', () => {
    it('delivers a reply signed, retries a failing partner with backoff, then reports sent', async () => {
      partner.failNext(2, { status: 503, body: 'maintenance' });
      const cmd = command('Ваше замовлення вже в дорозі');
      await bus.publish([{ topic: outboundTopic('bridge'), envelope: cmd }]);
      const result = await resultOf(cmd.data.commandId);
      const attempts = partner.attemptsOf(cmd.data.commandId);
      expect(attempts.map((a) => a.status)).toEqual([503, 503, 200]);
      expect(attempts.map((a) => a.headers['x-switchboard-attempt'])).toEqual(['1', '2', '3']);
      expect(attempts.every((a) => a.signatureProblem === undefined && a.headers['idempotency-key'] === cmd.data.commandId)).toBe(true);
      // Exponential: the second wait is at least the first one's floor doubled (jitter keeps half of each).
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(50);
      expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(100);
      expect(attempts[2]!.body).toEqual({
        deliveryId: cmd.data.commandId,
        connectionId,
        chatId: '380501234567',
        text: 'Ваше замовлення вже в дорозі',
        attachments: [],
        requestedAt: cmd.data.requestedAt,
      });
      expect(result.data).toMatchObject({ state: 'sent', chatKey: cmd.data.chatKey, platformMessageId: expect.stringMatching(/^partner-\d+$/) });
      expect(result.causationId).toBe(cmd.id);
      expect(resultsOf(cmd.data.commandId)).toHaveLength(1);
    });

    it('reports a final 4xx from the partner as failed at once, without retrying', async () => {
      partner.failNext(1, { status: 422, body: '{"error":"unknown chat"}' });
      const cmd = command('to nobody', 'unknown-chat');
      await bus.publish([{ topic: outboundTopic('bridge'), envelope: cmd }]);
      const result = await resultOf(cmd.data.commandId);
      expect(result.data).toMatchObject({ state: 'failed', failure: { code: 'invalid_request', message: expect.stringContaining('partner answered 422') } });
      expect(partner.attemptsOf(cmd.data.commandId)).toHaveLength(1);
    });

    it("delivers an operator's files as signed download links inside the signed body", async () => {
      const bytes = Buffer.from('%PDF-1.7\n1 0 obj << /Title (price list) >> endobj\ntrailer << >>\n%%EOF\n');
      const file = filesDouble.addFile({ fileName: 'price-list.pdf', mimeType: 'application/pdf', bytes });
      const cmd = command('Прайс у вкладенні', 'files-chat', connectionId, [
        { fileId: file.fileId, url: file.url, fileName: 'price-list.pdf', mimeType: 'application/pdf', sizeBytes: file.sizeBytes },
      ]);
      await bus.publish([{ topic: outboundTopic('bridge'), envelope: cmd }]);
      expect((await resultOf(cmd.data.commandId)).data.state).toBe('sent');
      const [delivery] = partner.attemptsOf(cmd.data.commandId);
      expect(delivery!.signatureProblem).toBeUndefined();
      expect(delivery!.body).toEqual({
        deliveryId: cmd.data.commandId,
        connectionId,
        chatId: 'files-chat',
        text: 'Прайс у вкладенні',
        attachments: [{ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/public\//), expiresAt: expect.any(String), fileName: 'price-list.pdf', mimeType: 'application/pdf', sizeBytes: bytes.length }],
        requestedAt: cmd.data.requestedAt,
      });
      // The partner downloads the file with the link alone, as the docs say.
      const link = (delivery!.body!['attachments'] as Array<{ url: string; expiresAt: string }>)[0]!;
      expect(Date.parse(link.expiresAt)).toBeGreaterThan(Date.now());
      const download = await fetch(link.url);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
      expect(filesDouble.requests).toContainEqual({ service: 'channel-bridge', method: 'POST', path: `/internal/files/${file.fileId}/public-link` });
    });

    it('fails a reply whose file is gone from the files service without calling the partner', async () => {
      const file = filesDouble.addFile({ fileName: 'gone.pdf', mimeType: 'application/pdf', bytes: Buffer.from('%PDF-1.7\n%%EOF\n') });
      filesDouble.removeFile(file.fileId);
      const cmd = command('', 'gone-file-chat', connectionId, [{ fileId: file.fileId, url: file.url, fileName: 'gone.pdf', mimeType: 'application/pdf', sizeBytes: 20 }]);
      await bus.publish([{ topic: outboundTopic('bridge'), envelope: cmd }]);
      expect((await resultOf(cmd.data.commandId)).data).toMatchObject({ state: 'failed', failure: { code: 'invalid_request', message: expect.stringContaining('"gone.pdf" cannot be sent') } });
      expect(partner.attemptsOf(cmd.data.commandId)).toHaveLength(0);
    });

    it('keeps the order of one chat while its first reply is retried', async () => {
      partner.failNext(2);
      const first = command('first', 'order-chat');
      const second = command('second', 'order-chat');
      await bus.publish([
        { topic: outboundTopic('bridge'), envelope: first },
        { topic: outboundTopic('bridge'), envelope: second },
      ]);
      await resultOf(second.data.commandId);
      const accepted = partner.accepted().filter((d) => d.body?.['chatId'] === 'order-chat').map((d) => d.body?.['text']);
      expect(accepted).toEqual(['first', 'second']);
      expect(partner.attemptsOf(second.data.commandId)).toHaveLength(1);
    });

    it('dead-letters a reply after the last attempt, reports it failed, and an admin replays it', async () => {
      partner.failAlways({ status: 500, body: 'still broken' });
      const cmd = command('will need a replay', 'dead-chat');
      try {
        await bus.publish([{ topic: outboundTopic('bridge'), envelope: cmd }]);
        const result = await resultOf(cmd.data.commandId);
        expect(result.data).toMatchObject({ state: 'failed', failure: { code: 'platform_error', message: expect.stringMatching(/after 3 attempts.*500: still broken/) } });
        expect(partner.attemptsOf(cmd.data.commandId)).toHaveLength(MAX_ATTEMPTS);
      } finally {
        partner.clearFailures();
      }

      const listQuery = 'query ($c: ID) { bridgeDeadLetters(connectionId: $c) { commandId chatId text attempts lastStatus lastError connection { id name } } }';
      expect((await gql(operator, listQuery, { c: connectionId })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const list = await gql<{ bridgeDeadLetters: unknown[] }>(admin, listQuery, { c: connectionId });
      expect(list.errors).toBeUndefined();
      expect(list.data!.bridgeDeadLetters).toEqual([
        {
          commandId: cmd.data.commandId,
          chatId: 'dead-chat',
          text: 'will need a replay',
          attempts: MAX_ATTEMPTS,
          lastStatus: 500,
          lastError: expect.stringContaining('still broken'),
          connection: { id: connectionId, name: 'Viber number gateway' },
        },
      ]);

      const replay = 'mutation ($ids: [ID!]!) { replayBridgeDeadLetters(commandIds: $ids) { replayedCommandIds } }';
      expect((await gql(operator, replay, { ids: [cmd.data.commandId] })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await gql(admin, replay, { ids: ['nope'] })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const replayed = await gql<{ replayBridgeDeadLetters: { replayedCommandIds: string[] } }>(admin, replay, { ids: [cmd.data.commandId, randomUUID()] });
      expect(replayed.data?.replayBridgeDeadLetters.replayedCommandIds).toEqual([cmd.data.commandId]);
      // Audited with the replay, once, for the bridge: the id that was no dead letter is not in it.
      const audit = await gql<{ bridgeAuditLog: Array<{ action: string; targetType: string; targetId: string; actorRole: string; details: string }> }>(
        admin,
        '{ bridgeAuditLog(action: "dead-letter.replay") { action targetType targetId actorRole details } }',
      );
      expect(audit.errors).toBeUndefined();
      expect(audit.data!.bridgeAuditLog.map((e) => ({ ...e, details: JSON.parse(e.details) as unknown }))).toEqual([
        { action: 'dead-letter.replay', targetType: 'bridge-connection', targetId: connectionId, actorRole: 'admin', details: { commandIds: [cmd.data.commandId] } },
      ]);
      await waitFor(() => resultsOf(cmd.data.commandId).some((r) => r.data.state === 'sent'), { description: 'sent after the replay' });
      expect(partner.attemptsOf(cmd.data.commandId).at(-1)).toMatchObject({ status: 200 });
      expect(partner.attemptsOf(cmd.data.commandId).at(-1)!.headers['x-switchboard-attempt']).toBe('1');
      // The replay reports exactly what a first-time success reports (same command, chat key and causation,
      // the partner's message id), after the failure, so the chat service moves the message from failed to sent.
      const results = resultsOf(cmd.data.commandId);
      expect(results.map((r) => r.data.state)).toEqual(['failed', 'sent']);
      expect(results[1]!.data).toEqual({
        state: 'sent',
        commandId: cmd.data.commandId,
        chatKey: cmd.data.chatKey,
        platformMessageId: expect.stringMatching(/^partner-\d+$/),
        occurredAt: expect.any(String),
      });
      expect(Date.parse(results[1]!.data.occurredAt)).toBeGreaterThan(Date.parse(results[0]!.data.occurredAt));
      expect(results[1]).toMatchObject({ key: cmd.data.chatKey, causationId: cmd.id });
      expect((await gql<{ bridgeDeadLetters: unknown[] }>(admin, listQuery, { c: connectionId })).data!.bridgeDeadLetters).toEqual([]);
    });

    it('re-publishes the stored result of a command delivered twice instead of sending again', async () => {
      const cmd = command('only once');
      await bus.publish([{ topic: outboundTopic('bridge'), envelope: cmd }]);
      await resultOf(cmd.data.commandId);
      await bus.publish([{ topic: outboundTopic('bridge'), envelope: cmd }]);
      const results = await waitFor(() => resultsOf(cmd.data.commandId).length >= 2 && resultsOf(cmd.data.commandId), { description: 'second result' });
      expect(results.map((r) => r.data)).toEqual([results[0]!.data, results[0]!.data]);
      expect(partner.attemptsOf(cmd.data.commandId)).toHaveLength(1);
    });
  });

  describe('secret rotation and disconnecting', () => {
    it('refuses the old secret after a rotation and signs replies with the new one', async () => {
      const rotated = await gql<{ rotateBridgeSecret: { secret: string } }>(admin, 'mutation ($id: ID!) { rotateBridgeSecret(id: $id) { secret } }', { id: connectionId });
      const newSecret = rotated.data!.rotateBridgeSecret.secret;
      expect(newSecret).not.toBe(secret);
      expect((await send(message())).body).toMatchObject({ error: { code: 'bad_signature' } });
      secret = newSecret;
      expect((await send(message())).status).toBe(202);

      // A partner still checking with the old secret answers 401: final (unauthorized), not retried.
      const early = command('before the partner updated');
      await bus.publish([{ topic: outboundTopic('bridge'), envelope: early }]);
      expect((await resultOf(early.data.commandId)).data).toMatchObject({ state: 'failed', failure: { code: 'unauthorized' } });
      expect(partner.attemptsOf(early.data.commandId)).toHaveLength(1);

      partner.useSecret(newSecret);
      const cmd = command('signed with the new secret');
      await bus.publish([{ topic: outboundTopic('bridge'), envelope: cmd }]);
      expect((await resultOf(cmd.data.commandId)).data.state).toBe('sent');
      expect(partner.attemptsOf(cmd.data.commandId).every((a) => a.signatureProblem === undefined)).toBe(true);
    });

    it('refuses requests and fails replies of a disconnected bridge', async () => {
      const extra = await gql<{ connectBridge: { connection: { id: string }; secret: string } }>(
        admin,
        'mutation ($input: ConnectBridgeInput!) { connectBridge(input: $input) { connection { id } secret } }',
        { input: { name: 'Short-lived', outboundUrl: partner.url } },
      );
      const { connection, secret: extraSecret } = extra.data!.connectBridge;
      const disconnected = await gql<{ disconnectBridge: { connection: { state: string } } }>(
        admin,
        'mutation ($id: ID!) { disconnectBridge(id: $id) { connection { state } } }',
        { id: connection.id },
      );
      expect(disconnected.data?.disconnectBridge.connection.state).toBe('DISCONNECTED');
      const refused = await send(message(), { connectionId: connection.id, secret: extraSecret });
      expect(refused.status).toBe(404);
      const cmd = command('to a disconnected bridge', 'c-1', connection.id);
      await bus.publish([{ topic: outboundTopic('bridge'), envelope: cmd }]);
      expect((await resultOf(cmd.data.commandId)).data).toMatchObject({ state: 'failed', failure: { code: 'unauthorized' } });
    });
  });

  it('exposes its metrics', async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    expect(text).toContain('bridge_inbound_duration_seconds_bucket');
    expect(text).toMatch(/bridge_inbound_requests_total\{[^}]*outcome="accepted"/);
    expect(text).toMatch(/bridge_inbound_requests_total\{[^}]*outcome="bad_signature"/);
    expect(text).toMatch(/bridge_delivery_attempts_total\{[^}]*outcome="retry"/);
    expect(text).toMatch(/bridge_dead_lettered_total\S* [1-9]/);
  });

  it('loses nothing when restarted in the middle of a retry', async () => {
    // A slow retry schedule, so the service can be stopped between the first and the second attempt.
    await service.stop();
    service = await startBridge({ BRIDGE_DELIVERY_BASE_DELAY_MS: '3000', BRIDGE_DELIVERY_MAX_DELAY_MS: '3000' });
    partner.failNext(1, { dropConnection: true });
    const cmd = command('survives a restart', 'restart-chat');
    await bus.publish([{ topic: outboundTopic('bridge'), envelope: cmd }]);
    await waitFor(
      async () => (await sql<{ attempts: number; last_error: string | null }>('SELECT attempts, last_error FROM channel_bridge.deliveries WHERE command_id = $1', [cmd.data.commandId]))[0]?.last_error != null,
      { description: 'the first failed attempt recorded' },
    );
    await service.stop();
    const [row] = await sql<{ state: string; attempts: number }>('SELECT state, attempts FROM channel_bridge.deliveries WHERE command_id = $1', [cmd.data.commandId]);
    expect(row).toEqual({ state: 'pending', attempts: 1 });
    expect(partner.attemptsOf(cmd.data.commandId)).toHaveLength(1);

    service = await startBridge({});
    const result = await resultOf(cmd.data.commandId);
    expect(result.data.state).toBe('sent');
    expect(partner.attemptsOf(cmd.data.commandId).map((a) => a.headers['x-switchboard-attempt'])).toEqual(['1', '2']);
  });
});
