/**
 * Issue 6, Viber: one full conversation through the gateway on both runtimes. An admin connects the bot over
 * GraphQL (set_webhook against the double), signed callbacks with 64-bit tokens become a chat, the operator's
 * reply goes out through send_message and Viber's receipts (seen, failed) move it forward; an unsubscribed customer's reply
 * fails with a clear reason before anything reaches Viber.
 */
import { startEmbeddedPostgres } from '@switchboard/persistence';
import { createLogger } from '@switchboard/service-kit';
import { startSwitchboard, type RunningSwitchboard } from '@switchboard/standalone';
import { ViberApiDouble, createTestDatabase, freePort, nextViberToken, startKafkaMockCluster, viberCallbacks, waitFor } from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { GraphQLClient } from './support/graphql-client';
import { E2E_KAFKA_MAX_WAIT_MS, availableRuntimes } from './support/infra';

jest.setTimeout(120_000);

const ADMIN = { email: 'admin@switchboard.test', password: 'correct-horse-battery', name: 'Ada Admin' };
const BOT = { token: '4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f', id: 'pa:5638101235434568700', name: 'Кава Shop' };
const CUSTOMER = { id: 'oKsAnA01234567A=', name: 'Оксана Коваль', language: 'uk' };

const CHAT_FIELDS = `id customer { displayName } source { channel displayName }
  messages(first: 20) { edges { node { id direction text deliveryState failure { code message } } } }`;

interface ChatNode {
  id: string;
  customer: { displayName: string };
  source: { channel: string; displayName: string };
  messages: { edges: { node: { id: string; direction: string; text: string | null; deliveryState: string | null; failure: { code: string; message: string } | null } }[] };
}

describe.each(availableRuntimes())('Viber conversation on the %s runtime', (runtime) => {
  let switchboard: RunningSwitchboard;
  let viber: ViberApiDouble;
  let client: GraphQLClient;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    let databaseUrl: string;
    let kafkaBrokers: string[] | undefined;
    if (runtime === 'kafka') {
      const db = await createTestDatabase('e2e_viber');
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
    viber = new ViberApiDouble({ bots: [BOT] });
    await viber.start();
    cleanups.push(() => viber.stop());
    const channelViberPort = await freePort();
    switchboard = await startSwitchboard({
      databaseUrl,
      ...(kafkaBrokers ? { kafkaBrokers, kafkaMaxWaitMs: E2E_KAFKA_MAX_WAIT_MS } : {}),
      jwtSecret: randomBytes(32).toString('hex'),
      credentialsKey: randomBytes(32).toString('base64'),
      // No Telegram bot is connected in this suite; the connector only needs a base URL.
      telegramApiBaseUrl: 'http://127.0.0.1:9',
      viberApiBaseUrl: viber.baseUrl,
      viberWebhookBaseUrl: `http://127.0.0.1:${channelViberPort}`,
      ports: { channelViber: channelViberPort },
      admin: ADMIN,
      logger: createLogger('e2e', process.env.LOG_LEVEL ?? 'warn', { nameKey: 'process' }),
    });
    // Kafka consumers join their groups in the background; start from a stack whose consumers are in place.
    await switchboard.bus.transport.consumersJoined();
    cleanups.push(() => switchboard.stop());
    client = new GraphQLClient(switchboard.gateway.url);
    await client.login(ADMIN.email, ADMIN.password);
    await client.request(`mutation ($input: ConnectViberBotInput!) { connectViberBot(input: $input) { connection { id } } }`, {
      input: { token: BOT.token, displayName: 'Кава (Viber)', welcomeMessage: 'Вітаємо!' },
    });
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function chatOf(name: string): Promise<ChatNode | undefined> {
    const data = await client.request<{ chats: { edges: { node: ChatNode }[] } }>(`{ chats(first: 50) { edges { node { ${CHAT_FIELDS} } } } }`);
    return data.chats.edges.map((e) => e.node).find((c) => c.customer.displayName === name);
  }

  const outbound = (chat: ChatNode | undefined) => chat?.messages.edges.map((e) => e.node).filter((m) => m.direction === 'OUTBOUND') ?? [];
  const reply = (chatId: string, text: string) =>
    client.request(`mutation ($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }`, { input: { chatId, text } });

  it('turns signed callbacks into a chat, sends the reply and follows Viber receipts', async () => {
    expect(viber.webhookOf(BOT.token).url).toBe(`${switchboard.channelViber.url}/webhooks/viber/${(await switchboard.channelViber.connections.listConnections())[0]!.id}`);
    const opened = await viber.deliver(BOT.token, viberCallbacks.conversationStarted({ user: CUSTOMER, subscribed: false }));
    expect(JSON.parse(opened.text)).toMatchObject({ type: 'text', text: 'Вітаємо!' });

    viber.setSubscribed(BOT.token, CUSTOMER.id, true);
    const message = viberCallbacks.message({ token: nextViberToken(), sender: CUSTOMER, message: { type: 'text', text: 'Чи є доставка у Львів?' } });
    expect((await viber.deliver(BOT.token, message)).status).toBe(200);
    expect((await viber.deliver(BOT.token, message)).status).toBe(200);
    const chat = await waitFor(() => chatOf(CUSTOMER.name), { description: 'the Viber chat', timeoutMs: 30_000 });
    expect(chat.source).toEqual({ channel: 'VIBER', displayName: 'Кава (Viber)' });
    expect(chat.messages.edges.map((e) => e.node.text)).toEqual(['Чи є доставка у Львів?']);

    await reply(chat.id, 'Так, доставляємо');
    const sent = await waitFor(() => viber.sentMessages(BOT.token).find((s) => s.body['text'] === 'Так, доставляємо'), { description: 'the reply at the double' });
    expect(sent.body).toMatchObject({ receiver: CUSTOMER.id, type: 'text', sender: { name: BOT.name } });
    await waitFor(async () => outbound(await chatOf(CUSTOMER.name))[0]?.deliveryState === 'SENT', { description: 'SENT', timeoutMs: 30_000 });
    // The receipt names the message by its 64-bit token: it only matches if the token survived exactly.
    expect((await viber.deliver(BOT.token, viberCallbacks.seen({ token: sent.messageToken, userId: CUSTOMER.id }))).status).toBe(200);
    await waitFor(async () => outbound(await chatOf(CUSTOMER.name))[0]?.deliveryState === 'READ', { description: 'READ', timeoutMs: 30_000 });

    await reply(chat.id, 'Замовлення №1042 вже в дорозі');
    const second = await waitFor(() => viber.sentMessages(BOT.token).find((s) => s.body['text'] === 'Замовлення №1042 вже в дорозі'), { description: 'the second reply' });
    await waitFor(async () => outbound(await chatOf(CUSTOMER.name)).find((m) => m.text === second.body['text'])?.deliveryState === 'SENT', {
      description: 'second SENT',
      timeoutMs: 30_000,
    });
    expect((await viber.deliver(BOT.token, viberCallbacks.failed({ token: second.messageToken, userId: CUSTOMER.id, desc: 'receiver has no suitable device' }))).status).toBe(200);
    const failed = await waitFor(async () => {
      const m = outbound(await chatOf(CUSTOMER.name)).find((o) => o.text === second.body['text']);
      return m?.deliveryState === 'FAILED' ? m : undefined;
    }, { description: 'FAILED after sent', timeoutMs: 30_000 });
    expect(failed.failure).toEqual({ code: 'platform_error', message: 'Viber could not deliver the message: receiver has no suitable device' });
  });

  it('fails a reply to an unsubscribed customer with a clear reason, without calling Viber', async () => {
    const chat = (await chatOf(CUSTOMER.name))!;
    expect((await viber.deliver(BOT.token, viberCallbacks.unsubscribed({ userId: CUSTOMER.id }))).status).toBe(200);
    const sendsBefore = viber.requests.filter((r) => r.method === 'send_message').length;
    // The unsubscribe is committed before its 200, so the reply below is checked against it.
    await reply(chat.id, 'Ви ще тут?');
    const failed = await waitFor(async () => {
      const m = outbound(await chatOf(CUSTOMER.name)).find((o) => o.text === 'Ви ще тут?');
      return m?.deliveryState === 'FAILED' ? m : undefined;
    }, { description: 'FAILED', timeoutMs: 30_000 });
    expect(failed.failure?.code).toBe('not_subscribed');
    expect(failed.failure?.message).toContain('not subscribed');
    expect(viber.requests.filter((r) => r.method === 'send_message')).toHaveLength(sendsBefore);
  });
});
