import {
  DeliveryResultV1,
  MessageReceivedV1,
  OperatorTypingV1,
  SendMessageRequestedV1,
  TOPICS,
  UnrecognisedPayloadV1,
  createEnvelope,
  outboundTopic,
  parseEvent,
  type Envelope,
} from '@switchboard/contracts';
import { BusUnavailableError, EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger, signAccessToken } from '@switchboard/service-kit';
import { TelegramBotApiDouble, createTestDatabase, freePort, waitFor, type TelegramCustomer, type TestDatabase } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { channelTelegramConfigSchema, startChannelTelegramService, type RunningChannelTelegram, type TelegramConnectionView } from '../src';

jest.setTimeout(60_000);

const WEBHOOK_BOT = { token: '111111:webhook-bot-token', id: 111111, username: 'webhook_shop_bot', firstName: 'Webhook Shop' };
const POLLING_BOT = { token: '222222:polling-bot-token', id: 222222, username: 'polling_shop_bot', firstName: 'Polling Shop' };
const THIRD_BOT = { token: '333333:third-bot-token', id: 333333, username: 'third_shop_bot', firstName: 'Third Shop' };
const JWT_SECRET = 'integration-test-secret-of-32-chars!!';

interface Seen {
  topic: string;
  envelope: Envelope;
}

describe('channel-telegram (PostgreSQL, log bus, Telegram double)', () => {
  const logger = createLogger('channel-telegram-test', process.env['LOG_LEVEL'] ?? 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let telegram: TelegramBotApiDouble;
  let webhookService: RunningChannelTelegram;
  let pollingService: RunningChannelTelegram;
  let standbyService: RunningChannelTelegram | undefined;
  let baseConfig: Record<string, string>;
  let webhookConnection: TelegramConnectionView;
  let pollingConnection: TelegramConnectionView;
  let customer: TelegramCustomer;
  const seen: Seen[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('channel_telegram');
    const busSchema = createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS });
    await migrateSchema(busSchema, LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 100 }), logger);
    await bus.transport.connect();
    await bus.subscribe({
      group: 'integration-test-observer',
      topics: [TOPICS.inbound, TOPICS.unrecognised, TOPICS.delivery],
      handler: async (records) => {
        for (const { record, envelope } of records) seen.push({ topic: record.topic, envelope });
      },
    });

    telegram = new TelegramBotApiDouble();
    await telegram.start();
    telegram.registerBot(WEBHOOK_BOT);
    telegram.registerBot(POLLING_BOT);

    const credentialsKey = randomBytes(32).toString('base64');
    const base = (baseConfig = {
      DATABASE_URL: database.url,
      JWT_SECRET,
      TELEGRAM_API_BASE_URL: telegram.baseUrl,
      TELEGRAM_POLL_TIMEOUT_SECONDS: '1',
      TELEGRAM_POLLER_LOCK_RETRY_MS: '200',
      CREDENTIALS_KEY: credentialsKey,
    });
    const port = await freePort();
    webhookService = await startChannelTelegramService({
      config: channelTelegramConfigSchema.parse({ ...base, PORT: String(port), PUBLIC_WEBHOOK_BASE_URL: `http://127.0.0.1:${port}` }),
      logger,
      bus,
      host: '127.0.0.1',
    });
    // A second instance without a public URL: its connections long-poll.
    pollingService = await startChannelTelegramService({
      config: channelTelegramConfigSchema.parse({ ...base, PORT: '0' }),
      logger,
      bus,
      host: '127.0.0.1',
    });
    webhookConnection = await webhookService.connectBot({ token: WEBHOOK_BOT.token, displayName: 'Shop (webhook)' });
    pollingConnection = await pollingService.connectBot({ token: POLLING_BOT.token });
    customer = telegram.customer(WEBHOOK_BOT.token, { id: 7001, firstName: 'Оксана', lastName: 'Коваль', username: 'oksana_k', languageCode: 'uk' });
  });

  afterAll(async () => {
    await standbyService?.stop();
    await pollingService?.stop();
    await webhookService?.stop();
    await bus?.close();
    await telegram?.stop();
    await database?.drop();
  });

  function eventsOn(topic: string): Envelope[] {
    return seen.filter((s) => s.topic === topic).map((s) => s.envelope);
  }

  function receivedTexts(): string[] {
    return eventsOn(TOPICS.inbound)
      .filter((e) => e.type === MessageReceivedV1.type)
      .map((e) => parseEvent(MessageReceivedV1, e).data.content.text ?? '');
  }

  async function webhookSecret(connectionId: string): Promise<string> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const result = await client.query<{ webhook_secret: string; polling_offset: string | null }>(
        'SELECT webhook_secret FROM channel_telegram.connections WHERE id = $1',
        [connectionId],
      );
      return result.rows[0]!.webhook_secret;
    } finally {
      await client.end();
    }
  }

  async function pollingOffset(connectionId: string): Promise<number | null> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const result = await client.query<{ polling_offset: string | null }>('SELECT polling_offset FROM channel_telegram.connections WHERE id = $1', [
        connectionId,
      ]);
      const value = result.rows[0]?.polling_offset;
      return value === null || value === undefined ? null : Number(value);
    } finally {
      await client.end();
    }
  }

  function postWebhook(connectionId: string, body: string, secret?: string): Promise<Response> {
    return fetch(`${webhookService.url}/webhooks/telegram/${connectionId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret !== undefined ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body,
    });
  }

  describe('connections', () => {
    it('registers the webhook with a secret and the update kinds we need', async () => {
      expect(webhookConnection.mode).toBe('webhook');
      const info = telegram.webhookInfo(WEBHOOK_BOT.token);
      expect(info.url).toBe(`${webhookService.url}/webhooks/telegram/${webhookConnection.id}`);
      expect(info.allowed_updates).toEqual(expect.arrayContaining(['message', 'edited_message', 'message_reaction', 'business_message']));
      expect(await webhookSecret(webhookConnection.id)).toMatch(/^[A-Za-z0-9_-]{64}$/);
    });

    it('stores the token encrypted, never in clear', async () => {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        const rows = await client.query<{ token_ciphertext: string }>('SELECT token_ciphertext FROM channel_telegram.connections');
        for (const row of rows.rows) {
          expect(row.token_ciphertext).not.toContain(WEBHOOK_BOT.token);
          expect(row.token_ciphertext).not.toContain(POLLING_BOT.token);
        }
      } finally {
        await client.end();
      }
    });

    it('serves GraphQL: admins connect, bad tokens are BAD_USER_INPUT, tokens are never returned', async () => {
      const admin = await signAccessToken({ employeeId: randomUUID(), role: 'admin', name: 'Admin' }, { secret: JWT_SECRET, ttlSeconds: 60 });
      const operator = await signAccessToken({ employeeId: randomUUID(), role: 'operator', name: 'Op' }, { secret: JWT_SECRET, ttlSeconds: 60 });
      const gql = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
        const response = await fetch(`${webhookService.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        });
        return (await response.json()) as { data?: Record<string, unknown>; errors?: Array<{ message: string; extensions?: { code?: string } }> };
      };
      const connect = 'mutation ($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { id botUsername } } }';
      const rejected = await gql(admin, connect, { input: { token: '999:unknown-token' } });
      expect(rejected.errors?.[0]).toMatchObject({ message: 'Telegram rejected the bot token', extensions: { code: 'BAD_USER_INPUT' } });
      const forbidden = await gql(operator, connect, { input: { token: WEBHOOK_BOT.token } });
      expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

      const list = await gql(operator, '{ telegramConnections { id botUsername displayName mode state lastError } }');
      expect(list.errors).toBeUndefined();
      expect(list.data?.['telegramConnections']).toEqual(
        expect.arrayContaining([
          { id: webhookConnection.id, botUsername: WEBHOOK_BOT.username, displayName: 'Shop (webhook)', mode: 'WEBHOOK', state: 'ACTIVE', lastError: null },
        ]),
      );
      expect(JSON.stringify(list)).not.toContain(WEBHOOK_BOT.token);
    });
  });

  describe('webhook', () => {
    it('publishes a customer message as MessageReceivedV1 on the inbound topic', async () => {
      const { message } = customer.sendText('Де моє замовлення №1042?');
      const event = await waitFor(() => eventsOn(TOPICS.inbound).find((e) => e.type === MessageReceivedV1.type && (e.data as { platformMessageId?: string }).platformMessageId === String(message.message_id)), {
        description: 'MessageReceivedV1 on the inbound topic',
      });
      const parsed = parseEvent(MessageReceivedV1, event);
      expect(parsed.key).toBe(`${webhookConnection.id}:7001`);
      expect(parsed.data.connection).toEqual({ id: webhookConnection.id, channel: 'telegram', displayName: `@${WEBHOOK_BOT.username}` });
      expect(parsed.data.content.text).toBe('Де моє замовлення №1042?');
      expect(parsed.data.customer).toMatchObject({ externalId: '7001', displayName: 'Оксана Коваль', username: 'oksana_k' });
      await telegram.waitUntilDrained(WEBHOOK_BOT.token);
      expect(telegram.webhookDeliveries.every((d) => d.status === 200)).toBe(true);
    });

    it('answers 401 to a missing or wrong secret and publishes nothing', async () => {
      const forged = JSON.stringify({ update_id: 1, message: { message_id: 99, date: 1, chat: { id: 7001, type: 'private' }, from: { id: 7001, first_name: 'x' }, text: 'forged' } });
      expect((await postWebhook(webhookConnection.id, forged)).status).toBe(401);
      expect((await postWebhook(webhookConnection.id, forged, 'x'.repeat(64))).status).toBe(401);
      expect((await postWebhook(webhookConnection.id, forged, 'short')).status).toBe(401);
      // A real message after the forged ones arrives; the forged ones never do.
      customer.sendText('after the forgery');
      await waitFor(() => receivedTexts().includes('after the forgery'), { description: 'the genuine message' });
      expect(receivedTexts()).not.toContain('forged');
    });

    it('answers 404 to unknown connections', async () => {
      expect((await postWebhook(randomUUID(), '{"update_id":1}', 'x')).status).toBe(404);
      expect((await postWebhook('not-a-uuid', '{"update_id":1}', 'x')).status).toBe(404);
    });

    it('answers 400 to malformed JSON and to bodies that are not updates', async () => {
      const secret = await webhookSecret(webhookConnection.id);
      const malformed = await postWebhook(webhookConnection.id, '{"update_id": 5, ', secret);
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { message: string }).message).toMatch(/not valid JSON/);
      expect((await postWebhook(webhookConnection.id, '{"message":{}}', secret)).status).toBe(400);
      expect((await postWebhook(webhookConnection.id, '{"update_id":"7"}', secret)).status).toBe(400);
      expect((await postWebhook(webhookConnection.id, '[{"update_id":7}]', secret)).status).toBe(400);
    });

    it('answers 503 when the bus does not take the update, so Telegram retries', async () => {
      const secret = await webhookSecret(webhookConnection.id);
      // The transport, not the EventBus: the service publishes through its own (metrics-observing) view of the bus.
      const publish = jest.spyOn(bus.transport, 'publish').mockRejectedValueOnce(new BusUnavailableError('bus is down'));
      try {
        const update = { update_id: 424242, message: { message_id: 777, date: 1_760_000_000, chat: { id: 7001, type: 'private' }, from: customer.user, text: 'during the outage' } };
        expect((await postWebhook(webhookConnection.id, JSON.stringify(update), secret)).status).toBe(503);
        expect((await postWebhook(webhookConnection.id, JSON.stringify(update), secret)).status).toBe(200);
        await waitFor(() => receivedTexts().includes('during the outage'), { description: 'the retried update' });
      } finally {
        publish.mockRestore();
      }
    });

    it('acknowledges unknown update kinds and keeps them on the unrecognised topic', async () => {
      const update = telegram.enqueueRawUpdate(WEBHOOK_BOT.token, { callback_query: { id: 'cb-1', from: customer.user, data: 'buy' } });
      const event = await waitFor(
        () => eventsOn(TOPICS.unrecognised).find((e) => (parseEvent(UnrecognisedPayloadV1, e).data.payload as { update_id?: number }).update_id === update.update_id),
        { description: 'UnrecognisedPayloadV1' },
      );
      expect(parseEvent(UnrecognisedPayloadV1, event).data.reason).toMatch(/callback_query/);
      await telegram.waitUntilDrained(WEBHOOK_BOT.token);
      expect(telegram.webhookDeliveries.find((d) => d.updateId === update.update_id)?.status).toBe(200);
    });
  });

  describe('long polling', () => {
    it('publishes what a customer sends and advances the offset after publishing', async () => {
      expect(pollingConnection.mode).toBe('polling');
      const pollingCustomer = telegram.customer(POLLING_BOT.token, { id: 8001, firstName: 'Taras', username: 'taras_dev' });
      const { update } = pollingCustomer.sendText('Do you ship to Lviv?');
      await waitFor(() => receivedTexts().includes('Do you ship to Lviv?'), { description: 'polled message on the inbound topic' });
      await waitFor(async () => (await pollingOffset(pollingConnection.id)) === update.update_id + 1, { description: 'offset = update_id + 1' });
      await telegram.waitUntilDrained(POLLING_BOT.token);
      const event = eventsOn(TOPICS.inbound).find((e) => e.type === MessageReceivedV1.type && parseEvent(MessageReceivedV1, e).data.externalChatId === '8001');
      expect(event?.key).toBe(`${pollingConnection.id}:8001`);
    });

    it('polls each bot from one instance only and fails over when it stops', async () => {
      // A standby instance finds the polling connection at start-up but cannot take its advisory lock.
      standbyService = await startChannelTelegramService({
        config: channelTelegramConfigSchema.parse({ ...baseConfig, PORT: '0' }),
        logger,
        bus,
        host: '127.0.0.1',
      });
      const pollingCustomer = telegram.customer(POLLING_BOT.token, { id: 8002, firstName: 'Iryna' });
      pollingCustomer.sendText('two instances, one poller');
      await waitFor(() => receivedTexts().includes('two instances, one poller'), { description: 'message while both run' });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      // Two concurrent getUpdates would end one with 409 Conflict, which the poller records as an error.
      expect(telegram.requestsFor(POLLING_BOT.token, 'getUpdates').filter((r) => r.errorCode === 409)).toHaveLength(0);
      expect((await pollingService.connections.findConnection(pollingConnection.id))?.lastError).toBeNull();

      await pollingService.stop();
      const { update } = pollingCustomer.sendText('after the fail-over');
      await waitFor(() => receivedTexts().includes('after the fail-over'), { description: 'message polled by the standby', timeoutMs: 10_000 });
      await waitFor(async () => (await pollingOffset(pollingConnection.id)) === update.update_id + 1, { description: 'offset after fail-over' });
      expect(receivedTexts().filter((t) => t === 'two instances, one poller')).toHaveLength(1);
    });
  });

  describe('outbound', () => {
    function command(text: string, fields: Record<string, unknown> = {}) {
      const chatKey = `${webhookConnection.id}:${customer.id}`;
      return createEnvelope(
        SendMessageRequestedV1,
        {
          commandId: randomUUID(),
          chatKey,
          connection: { id: webhookConnection.id, channel: 'telegram', displayName: `@${WEBHOOK_BOT.username}` },
          externalChatId: String(customer.id),
          text,
          requestedAt: new Date().toISOString(),
          ...fields,
        },
        { producer: 'chat', key: chatKey },
      );
    }

    function deliveryResults(commandId: string) {
      return eventsOn(TOPICS.delivery)
        .map((e) => parseEvent(DeliveryResultV1, e))
        .filter((e) => e.data.commandId === commandId);
    }

    function sendsOf(text: string) {
      return telegram.requestsFor(WEBHOOK_BOT.token, 'sendMessage').filter((r) => r.params['text'] === text);
    }

    it('sends the text and reports sent with the platform message id', async () => {
      const cmd = command('Ваше замовлення вже в дорозі');
      await bus.publish([{ topic: outboundTopic('telegram'), envelope: cmd }]);
      const sent = await telegram.waitForSent((r) => r.text === 'Ваше замовлення вже в дорозі', 10_000);
      expect(sent.chatId).toBe(customer.id);
      const [result] = await waitFor(() => deliveryResults(cmd.data.commandId).length > 0 && deliveryResults(cmd.data.commandId), {
        description: 'DeliveryResultV1',
      });
      expect(result!.data).toMatchObject({ state: 'sent', platformMessageId: String(sent.message.message_id), chatKey: cmd.data.chatKey });
      expect(result!.key).toBe(cmd.data.chatKey);
      expect(result!.causationId).toBe(cmd.id);
    });

    it('replies to a message and splits text over 4096 characters', async () => {
      const { message } = customer.sendText('quote me');
      const long = `${'a'.repeat(4000)} ${'b'.repeat(200)}`;
      const cmd = command(long, { replyToPlatformMessageId: String(message.message_id) });
      await bus.publish([{ topic: outboundTopic('telegram'), envelope: cmd }]);
      const [result] = await waitFor(() => deliveryResults(cmd.data.commandId).length > 0 && deliveryResults(cmd.data.commandId), {
        description: 'DeliveryResultV1',
      });
      const parts = telegram.sentMessages(WEBHOOK_BOT.token).filter((r) => r.text?.startsWith('a') || r.text?.startsWith('b'));
      expect(parts.map((p) => p.text?.length)).toEqual([4001, 200]);
      expect(parts[0]!.replyToMessageId).toBe(message.message_id);
      expect(result!.data).toMatchObject({ state: 'sent', platformMessageId: String(parts[0]!.message.message_id) });
    });

    it('reports blocked (403) as failed without retrying', async () => {
      telegram.blockBy(customer.id, WEBHOOK_BOT.token);
      try {
        const cmd = command('are you there?');
        await bus.publish([{ topic: outboundTopic('telegram'), envelope: cmd }]);
        const [result] = await waitFor(() => deliveryResults(cmd.data.commandId).length > 0 && deliveryResults(cmd.data.commandId), {
          description: 'failed DeliveryResultV1',
        });
        expect(result!.data).toMatchObject({ state: 'failed', failure: { code: 'blocked', message: 'Forbidden: bot was blocked by the user' } });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(sendsOf('are you there?')).toHaveLength(1);
      } finally {
        telegram.unblockBy(customer.id, WEBHOOK_BOT.token);
      }
    });

    it('waits retry_after on 429 and then sends', async () => {
      telegram.failNext(WEBHOOK_BOT.token, 'sendMessage', { errorCode: 429, retryAfter: 1 });
      const cmd = command('after the rate limit');
      await bus.publish([{ topic: outboundTopic('telegram'), envelope: cmd }]);
      const [result] = await waitFor(() => deliveryResults(cmd.data.commandId).length > 0 && deliveryResults(cmd.data.commandId), {
        description: 'DeliveryResultV1 after 429',
        timeoutMs: 15_000,
      });
      expect(result!.data.state).toBe('sent');
      const attempts = sendsOf('after the rate limit');
      expect(attempts).toHaveLength(2);
      expect(attempts[0]!.errorCode).toBe(429);
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1_000);
    });

    it('sends a command delivered twice only once and reports the stored result again', async () => {
      const cmd = command('only once, please');
      await bus.publish([{ topic: outboundTopic('telegram'), envelope: cmd }]);
      await waitFor(() => deliveryResults(cmd.data.commandId).length >= 1, { description: 'first result' });
      await bus.publish([{ topic: outboundTopic('telegram'), envelope: cmd }]);
      const results = await waitFor(() => deliveryResults(cmd.data.commandId).length >= 2 && deliveryResults(cmd.data.commandId), {
        description: 'second result',
      });
      expect(sendsOf('only once, please')).toHaveLength(1);
      expect(results.map((r) => r.data)).toEqual([results[0]!.data, results[0]!.data]);
    });
  });

  describe('operator typing (messenger.presence.v1)', () => {
    function typing(channel: 'telegram' | 'messenger', expiresInMs = 6_000) {
      const chatKey = `${webhookConnection.id}:${customer.id}`;
      const now = Date.now();
      return createEnvelope(
        OperatorTypingV1,
        {
          connection: { id: webhookConnection.id, channel, displayName: `@${WEBHOOK_BOT.username}` },
          chatKey,
          externalChatId: String(customer.id),
          chatId: randomUUID(),
          employeeId: randomUUID(),
          employeeName: 'Олена Петренко',
          activity: 'typing',
          occurredAt: new Date(now).toISOString(),
          expiresAt: new Date(now + expiresInMs).toISOString(),
        },
        { producer: 'chat', key: chatKey },
      );
    }
    const chatActions = () => telegram.requestsFor(WEBHOOK_BOT.token).filter((r) => r.method.toLowerCase() === 'sendchataction');

    it('shows the bot typing to the customer with sendChatAction, once, whichever instance consumes it', async () => {
      const before = chatActions().length;
      await bus.publish([
        { topic: TOPICS.presence, envelope: typing('telegram', -1_000) }, // expired: not shown
        { topic: TOPICS.presence, envelope: typing('messenger') }, // another connector's
        { topic: TOPICS.presence, envelope: typing('telegram') },
      ]);
      await waitFor(() => chatActions().length > before, { description: 'sendChatAction' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const calls = chatActions().slice(before);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ ok: true, params: { chat_id: String(customer.id), action: 'typing' } });
    });

    it('tries a failing sendChatAction once: never retried, never dead-lettered', async () => {
      const dlq: Envelope[] = [];
      const observer = await bus.subscribe({ group: 'typing-dlq-observer', topics: [`${TOPICS.presence}.dlq`], handler: async (records) => void dlq.push(...records.map((r) => r.envelope)) });
      try {
        telegram.failNext(WEBHOOK_BOT.token, 'sendChatAction', { errorCode: 500, description: 'Internal Server Error' });
        const before = chatActions().length;
        await bus.publish([{ topic: TOPICS.presence, envelope: typing('telegram') }]);
        await waitFor(() => chatActions().length > before, { description: 'the failing sendChatAction' });
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        const calls = chatActions().slice(before);
        expect(calls).toHaveLength(1);
        expect(calls[0]!.errorCode).toBe(500);
        expect(dlq).toEqual([]);
      } finally {
        await observer.stop();
      }
    });

    it('the Bot API double refuses an action sendChatAction does not document', async () => {
      const response = await fetch(`${telegram.baseUrl}/bot${WEBHOOK_BOT.token}/sendChatAction`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: customer.id, action: 'dancing' }),
      });
      expect(await response.json()).toEqual({ ok: false, error_code: 400, description: 'Bad Request: wrong parameter action in request' });
    });
  });

  describe('disconnecting', () => {
    it('deletes the webhook, marks the connection disconnected and rejects its webhooks from then on', async () => {
      telegram.registerBot(THIRD_BOT);
      const connection = await webhookService.connectBot({ token: THIRD_BOT.token });
      const secret = await webhookSecret(connection.id);
      const admin = await signAccessToken({ employeeId: randomUUID(), role: 'admin', name: 'Admin' }, { secret: JWT_SECRET, ttlSeconds: 60 });
      const disconnect = async (id: string) =>
        (await (
          await fetch(`${webhookService.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
            body: JSON.stringify({ query: 'mutation ($id: ID!) { disconnectTelegramBot(id: $id) { connection { id state } } }', variables: { id } }),
          })
        ).json()) as { data?: { disconnectTelegramBot?: { connection: { state: string } } }; errors?: Array<{ extensions?: { code?: string } }> };
      expect((await disconnect(connection.id)).data?.disconnectTelegramBot?.connection.state).toBe('DISCONNECTED');
      expect(telegram.webhookInfo(THIRD_BOT.token).url).toBe('');
      expect((await postWebhook(connection.id, '{"update_id":1}', secret)).status).toBe(404);
      expect((await disconnect(randomUUID())).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });
  });

  it('exposes its metrics', async () => {
    const text = await (await fetch(`${webhookService.url}/metrics`)).text();
    expect(text).toContain('telegram_webhook_duration_seconds_bucket');
    expect(text).toMatch(/telegram_inbound_events_total\{[^}]*kind="message"/);
    expect(text).toContain('telegram_send_failures_total');
  });
});
