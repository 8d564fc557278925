/**
 * Issue 5, WhatsApp: one full conversation through the gateway on both runtimes. Signed webhooks
 * (batched, duplicated, out of order) become a chat; the operator replies inside the 24-hour window and
 * the Graph API double receives the documented shape; statuses move the message forward only; a chat
 * whose window closed refuses free text before anything is sent, and an approved template goes out.
 */
import { startEmbeddedPostgres } from '@switchboard/persistence';
import { createLogger } from '@switchboard/service-kit';
import { startSwitchboard, type RunningSwitchboard } from '@switchboard/standalone';
import {
  MetaGraphApiDouble,
  createTestDatabase,
  postWhatsAppWebhook,
  startKafkaMockCluster,
  waMessage,
  waMessagesChange,
  waStatus,
  waText,
  waWebhook,
  waitFor,
} from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { GraphQLClient } from './support/graphql-client';
import { E2E_KAFKA_MAX_WAIT_MS, availableRuntimes } from './support/infra';

jest.setTimeout(120_000);

const ADMIN = { email: 'admin@switchboard.test', password: 'correct-horse-battery', name: 'Ada Admin' };
const NUMBER = { phoneNumberId: '106540352242922', wabaId: '102290129340398', displayPhoneNumber: '15550001111', verifiedName: 'Shop Ltd' };
const CREDENTIALS = { accessToken: `EAAG${'e'.repeat(40)}`, appSecret: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', verifyToken: 'e2e-verify-token-123456' };
const RECENT = { waId: '380501112233', name: 'Оксана' };
const STALE = { waId: '380677654321', name: 'Stale Customer' };

const CHAT_FIELDS = `id customer { displayName phone } source { channel displayName }
  replyWindow { freeTextAllowed until alternatives { kind until } }
  messages(first: 20) { edges { node { id direction text placeholder attachments { kind mimeType } deliveryState failure { code message } } } }`;

interface ChatNode {
  id: string;
  customer: { displayName: string; phone: string | null };
  source: { channel: string; displayName: string };
  replyWindow: { freeTextAllowed: boolean; until: string | null; alternatives: { kind: string; until: string | null }[] };
  messages: {
    edges: {
      node: {
        id: string;
        direction: string;
        text: string | null;
        placeholder: string | null;
        attachments: { kind: string; mimeType: string | null }[];
        deliveryState: string | null;
        failure: { code: string; message: string } | null;
      };
    }[];
  };
}

describe.each(availableRuntimes())('WhatsApp conversation on the %s runtime', (runtime) => {
  let switchboard: RunningSwitchboard;
  let graph: MetaGraphApiDouble;
  let client: GraphQLClient;
  let connectionId: string;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    let databaseUrl: string;
    let kafkaBrokers: string[] | undefined;
    if (runtime === 'kafka') {
      const db = await createTestDatabase('e2e_whatsapp');
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
    graph = new MetaGraphApiDouble();
    await graph.start();
    cleanups.push(() => graph.stop());
    graph.registerWhatsAppNumber({ ...NUMBER, accessToken: CREDENTIALS.accessToken, appSecret: CREDENTIALS.appSecret });
    graph.addTemplate(NUMBER.wabaId, { name: 'follow_up', language: 'uk', body: 'Вітаємо, {{1}}! Чи можемо допомогти ще?' });
    switchboard = await startSwitchboard({
      databaseUrl,
      ...(kafkaBrokers ? { kafkaBrokers, kafkaMaxWaitMs: E2E_KAFKA_MAX_WAIT_MS } : {}),
      jwtSecret: randomBytes(32).toString('hex'),
      credentialsKey: randomBytes(32).toString('base64'),
      // No Telegram bot is connected in this suite; the connector only needs a base URL.
      telegramApiBaseUrl: 'http://127.0.0.1:9',
      whatsAppGraphApiBaseUrl: graph.baseUrl,
      admin: ADMIN,
      logger: createLogger('e2e', process.env.LOG_LEVEL ?? 'warn', { nameKey: 'process' }),
    });
    // Kafka consumers join their groups in the background; start from a stack whose consumers are in place.
    await switchboard.bus.transport.consumersJoined();
    cleanups.push(() => switchboard.stop());
    client = new GraphQLClient(switchboard.gateway.url);
    await client.login(ADMIN.email, ADMIN.password);
    const { phoneNumberId, wabaId } = NUMBER;
    const connected = await client.request<{ connectWhatsAppNumber: { connection: { id: string } } }>(
      `mutation ($input: ConnectWhatsAppNumberInput!) { connectWhatsAppNumber(input: $input) { connection { id } } }`,
      { input: { phoneNumberId, wabaId, ...CREDENTIALS, displayName: 'Shop WhatsApp' } },
    );
    connectionId = connected.connectWhatsAppNumber.connection.id;
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const webhookUrl = () => `${switchboard.urls.channelWhatsApp}/webhooks/whatsapp`;
  const post = (payload: unknown, appSecret = CREDENTIALS.appSecret) => postWhatsAppWebhook(webhookUrl(), payload, { appSecret });
  const batch = (change: Parameters<typeof waMessagesChange>[0]) => waWebhook([{ wabaId: NUMBER.wabaId, changes: [waMessagesChange(change)] }]);

  async function chatOf(phone: string): Promise<ChatNode | undefined> {
    const data = await client.request<{ chats: { edges: { node: ChatNode }[] } }>(`{ chats(first: 50) { edges { node { ${CHAT_FIELDS} } } } }`);
    return data.chats.edges.map((e) => e.node).find((c) => c.customer.phone === phone);
  }

  const outbound = (chat: ChatNode | undefined) => chat?.messages.edges.map((e) => e.node).filter((m) => m.direction === 'OUTBOUND') ?? [];

  it('answers the verification handshake only with the right token', async () => {
    const ok = await fetch(`${webhookUrl()}?hub.mode=subscribe&hub.verify_token=${CREDENTIALS.verifyToken}&hub.challenge=424242`);
    expect(await ok.text()).toBe('424242');
    expect((await fetch(`${webhookUrl()}?hub.mode=subscribe&hub.verify_token=nope-nope-nope-nope&hub.challenge=1`)).status).toBe(403);
  });

  it('stores nothing from a forged webhook', async () => {
    const forged = await post(batch({ number: NUMBER, contacts: [RECENT], messages: [waText(RECENT, 'forged')] }), 'ffffffffffffffffffffffffffffffff');
    expect(forged.status).toBe(401);
  });

  it('turns a batched, duplicated, out-of-order webhook into one chat with each message once, in platform order', async () => {
    const hourAgo = Date.now() - 3_600_000;
    const first = waText(RECENT, 'Доброго дня, є розмір M?', { at: new Date(hourAgo) });
    const photo = waMessage({ from: RECENT, type: 'image', at: new Date(hourAgo + 5_000), payload: { id: '55501', mime_type: 'image/jpeg', sha256: 'x' } });
    const odd = waMessage({ from: RECENT, type: 'hologram', at: new Date(hourAgo + 10_000), payload: { v: 1 } });
    expect((await post(batch({ number: NUMBER, contacts: [RECENT], messages: [odd, photo, first, first] }))).status).toBe(200);
    expect((await post(batch({ number: NUMBER, contacts: [RECENT], messages: [first] }))).status).toBe(200);
    const chat = await waitFor(async () => {
      const found = await chatOf(`+${RECENT.waId}`);
      return found && found.messages.edges.length === 3 ? found : undefined;
    }, { description: 'the WhatsApp chat with three messages', timeoutMs: 30_000 });
    expect(chat.source).toEqual({ channel: 'WHATSAPP', displayName: 'Shop WhatsApp' });
    expect(chat.customer.displayName).toBe('Оксана');
    // Newest first.
    expect(chat.messages.edges.map((e) => e.node.text ?? e.node.placeholder)).toEqual(['[hologram message]', null, 'Доброго дня, є розмір M?']);
    expect(chat.messages.edges[1]!.node.attachments).toEqual([{ kind: 'image', mimeType: 'image/jpeg' }]);
    expect(chat.replyWindow.freeTextAllowed).toBe(true);
    expect(Date.parse(chat.replyWindow.until!)).toBe(Math.floor((hourAgo + 10_000) / 1000) * 1000 + 24 * 3_600_000);
    expect(chat.replyWindow.alternatives).toEqual([{ kind: 'TEMPLATE', until: null }]);
  });

  it('sends a reply inside the window in the documented shape, and statuses move it forward only', async () => {
    const chat = (await chatOf(`+${RECENT.waId}`))!;
    const question = chat.messages.edges.at(-1)!.node;
    await client.request(`mutation ($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }`, {
      input: { chatId: chat.id, text: 'Так, є 🙂', replyToMessageId: question.id },
    });
    const sent = await waitFor(() => graph.sent.find((s) => (s.body['text'] as { body?: string } | undefined)?.body === 'Так, є 🙂'), { description: 'the reply at the double' });
    expect(sent.body).toMatchObject({ messaging_product: 'whatsapp', to: RECENT.waId, type: 'text', context: { message_id: expect.stringMatching(/^wamid\./) } });
    await waitFor(async () => outbound(await chatOf(`+${RECENT.waId}`))[0]?.deliveryState === 'SENT', { description: 'SENT', timeoutMs: 30_000 });

    const statuses = [waStatus({ wamid: sent.wamid, status: 'read', recipient: RECENT }), waStatus({ wamid: sent.wamid, status: 'delivered', recipient: RECENT })];
    expect((await post(batch({ number: NUMBER, statuses }))).status).toBe(200);
    await waitFor(async () => outbound(await chatOf(`+${RECENT.waId}`))[0]?.deliveryState === 'READ', { description: 'READ', timeoutMs: 30_000 });
    expect((await post(batch({ number: NUMBER, statuses: [waStatus({ wamid: sent.wamid, status: 'delivered', recipient: RECENT })] }))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(outbound(await chatOf(`+${RECENT.waId}`))[0]?.deliveryState).toBe('READ');
  });

  it('refuses free text once the 24-hour window closed, before sending, and sends an approved template instead', async () => {
    const stale = waText(STALE, 'Питання з минулого тижня', { at: new Date(Date.now() - 25 * 3_600_000) });
    expect((await post(batch({ number: NUMBER, contacts: [STALE], messages: [stale] }))).status).toBe(200);
    const chat = await waitFor(() => chatOf(`+${STALE.waId}`), { description: 'the stale chat', timeoutMs: 30_000 });
    expect(chat.replyWindow).toEqual({ freeTextAllowed: false, until: null, alternatives: [{ kind: 'TEMPLATE', until: null }] });

    const sentBefore = graph.sent.length;
    const refused = await client.raw(`mutation ($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }`, {
      input: { chatId: chat.id, text: 'Ще актуально?' },
    });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('REPLY_WINDOW_CLOSED');
    expect(outbound(await chatOf(`+${STALE.waId}`))).toEqual([]);

    const templates = await client.request<{ whatsAppTemplates: { name: string; language: string; bodyParameterCount: number }[] }>(
      `query ($id: ID!) { whatsAppTemplates(connectionId: $id) { name language bodyParameterCount } }`,
      { id: connectionId },
    );
    expect(templates.whatsAppTemplates).toEqual([{ name: 'follow_up', language: 'uk', bodyParameterCount: 1 }]);
    await client.request(`mutation ($input: SendTemplateMessageInput!) { sendTemplateMessage(input: $input) { message { id text deliveryState } } }`, {
      input: { chatId: chat.id, name: 'follow_up', language: 'uk', bodyParameters: ['Stale Customer'], text: 'Вітаємо, Stale Customer! Чи можемо допомогти ще?' },
    });
    const template = await waitFor(() => graph.sent.slice(sentBefore).find((s) => s.body['type'] === 'template'), { description: 'the template at the double' });
    expect(graph.sent.length).toBe(sentBefore + 1);
    expect(template.body['template']).toEqual({
      name: 'follow_up',
      language: { code: 'uk' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Stale Customer' }] }],
    });
    await waitFor(async () => outbound(await chatOf(`+${STALE.waId}`))[0]?.deliveryState === 'SENT', { description: 'template SENT', timeoutMs: 30_000 });

    const failed = waStatus({ wamid: template.wamid, status: 'failed', recipient: STALE, errors: [{ code: 131026, title: 'Message undeliverable' }] });
    expect((await post(batch({ number: NUMBER, statuses: [failed] }))).status).toBe(200);
    const message = await waitFor(async () => {
      const m = outbound(await chatOf(`+${STALE.waId}`))[0];
      return m?.deliveryState === 'FAILED' ? m : undefined;
    }, { description: 'FAILED', timeoutMs: 30_000 });
    expect(message.failure).toEqual({ code: 'blocked', message: '131026 Message undeliverable' });
  });

});
