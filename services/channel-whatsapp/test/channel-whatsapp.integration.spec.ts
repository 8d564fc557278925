/**
 * The WhatsApp connector as a running service: real PostgreSQL, the log bus, and the Graph API double.
 * Webhooks are posted signed, batched, duplicated, out of order and with unknown fields and types; sends
 * are checked in the shape the double received. What the chat service makes of the events is covered by
 * test/e2e/whatsapp-conversation.e2e.spec.ts (services may not import each other).
 */
import {
  DeliveryFailedV1,
  DeliveryResultV1,
  MessageReceivedV1,
  ReactionChangedV1,
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
  MetaGraphApiDouble,
  createTestDatabase,
  freePort,
  integrationSuite,
  newWamid,
  postWhatsAppWebhook,
  waMessage,
  waMessagesChange,
  waStatus,
  waText,
  waWebhook,
  waitFor,
  type TestDatabase,
} from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { z } from 'zod';
import { channelWhatsAppConfigSchema, startChannelWhatsAppService, type RunningChannelWhatsApp, type WhatsAppConnectionView } from '../src';

jest.setTimeout(60_000);

const JWT_SECRET = 'integration-test-secret-of-32-chars!!';
const APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const OTHER_APP_SECRET = '00112233445566778899aabbccddeeff';
const NUMBER = { phoneNumberId: '106540352242922', wabaId: '102290129340398', displayPhoneNumber: '15550001111', verifiedName: 'Shop Ltd' };
const TOKEN = `EAAG${'x'.repeat(40)}`;
const VERIFY_TOKEN = 'verify-token-0123456789';
const OKSANA = { waId: '380501112233', name: 'Оксана Коваль' };
const TARAS = { waId: '380671234567', name: 'Taras' };

interface Seen {
  topic: string;
  envelope: Envelope;
}

integrationSuite(['postgres'], 'channel-whatsapp integration')('channel-whatsapp (PostgreSQL, log bus, Graph API double)', () => {
  const logger = createLogger('channel-whatsapp-test', process.env['LOG_LEVEL'] ?? 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let graph: MetaGraphApiDouble;
  let service: RunningChannelWhatsApp;
  let connection: WhatsAppConnectionView;
  const seen: Seen[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('channel_whatsapp');
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    await bus.subscribe({
      group: 'integration-test-observer',
      topics: [TOPICS.inbound, TOPICS.unrecognised, TOPICS.delivery],
      handler: async (records) => {
        for (const { record, envelope } of records) seen.push({ topic: record.topic, envelope });
      },
    });
    graph = new MetaGraphApiDouble();
    await graph.start();
    graph.registerWhatsAppNumber({ ...NUMBER, accessToken: TOKEN, appSecret: APP_SECRET });
    graph.addTemplate(NUMBER.wabaId, { name: 'order_ready', language: 'uk', body: 'Вітаємо, {{1}}! Замовлення {{2}} готове.' });
    graph.addTemplate(NUMBER.wabaId, { name: 'draft_promo', language: 'en_US', status: 'PENDING', body: 'Sale!' });
    service = await startChannelWhatsAppService({
      config: channelWhatsAppConfigSchema.parse({
        PORT: String(await freePort()),
        DATABASE_URL: database.url,
        JWT_SECRET,
        CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        WHATSAPP_GRAPH_API_BASE_URL: graph.baseUrl,
      }),
      logger,
      bus,
      host: '127.0.0.1',
      rateLimitBaseDelayMs: 20,
    });
    connection = await service.connectNumber({ ...NUMBER, accessToken: TOKEN, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN, displayName: 'Shop WhatsApp' });
  });

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await graph?.stop();
    await database?.drop();
  });

  const webhookUrl = () => `${service.url}/webhooks/whatsapp`;
  const inbound = () => seen.filter((s) => s.topic === TOPICS.inbound).map((s) => s.envelope);
  const received = (): MessageReceived[] => inbound().filter((e) => e.type === MessageReceivedV1.type).map((e) => parseEvent(MessageReceivedV1, e).data);
  const receivedById = (wamid: string) => received().find((m) => m.platformMessageId === wamid);
  const deliveryResults = (commandId: string) =>
    seen.filter((s) => s.topic === TOPICS.delivery && (s.envelope.data as { commandId?: string }).commandId === commandId).map((s) => parseEvent(DeliveryResultV1, s.envelope).data);
  const number = { ...NUMBER };

  async function post(payload: unknown, appSecret = APP_SECRET, signature?: string): Promise<Response> {
    return postWhatsAppWebhook(webhookUrl(), payload, { appSecret, ...(signature !== undefined ? { signature } : {}) });
  }

  async function sendCommand(data: Partial<z.input<typeof SendMessageRequestedV1.schema>> = {}) {
    const chatKey = `${connection.id}:${OKSANA.waId}`;
    const envelope = createEnvelope(
      SendMessageRequestedV1,
      {
        commandId: randomUUID(),
        chatKey,
        connection: { id: connection.id, channel: 'whatsapp', displayName: 'Shop WhatsApp' },
        externalChatId: OKSANA.waId,
        attachments: [],
        requestedAt: new Date().toISOString(),
        ...data,
      },
      { producer: 'test', key: chatKey },
    );
    await bus.publish([{ topic: outboundTopic('whatsapp'), envelope }]);
    return envelope.data.commandId;
  }

  async function sql<T extends object>(query: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(query, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  describe('connections', () => {
    it('checks credentials with the Graph API and stores them encrypted', async () => {
      expect(connection).toMatchObject({ phoneNumberId: NUMBER.phoneNumberId, displayPhoneNumber: NUMBER.displayPhoneNumber, verifiedName: 'Shop Ltd', state: 'active' });
      const rows = await sql<Record<string, string>>('SELECT * FROM channel_whatsapp.connections');
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain(TOKEN);
      expect(stored).not.toContain(APP_SECRET);
      expect(stored).not.toContain(VERIFY_TOKEN);
    });

    it('rejects a wrong token, an unknown number and a number of another WABA with the field named', async () => {
      const base = { ...NUMBER, accessToken: TOKEN, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN };
      await expect(service.connectNumber({ ...base, accessToken: `EAAG${'y'.repeat(40)}` })).rejects.toMatchObject({ field: 'accessToken' });
      await expect(service.connectNumber({ ...base, phoneNumberId: '999999999' })).rejects.toMatchObject({ field: 'phoneNumberId' });
      await expect(service.connectNumber({ ...base, wabaId: '88888888' })).rejects.toMatchObject({ field: 'wabaId' });
      await expect(service.connectNumber({ ...base, appSecret: 'short' })).rejects.toThrow(/appSecret/);
    });

    it('serves GraphQL: only admins connect, rejected credentials are BAD_USER_INPUT, templates list only approved ones, secrets never leave', async () => {
      const admin = await signAccessToken({ employeeId: randomUUID(), role: 'admin', name: 'Admin' }, { secret: JWT_SECRET, ttlSeconds: 60 });
      const operator = await signAccessToken({ employeeId: randomUUID(), role: 'operator', name: 'Op' }, { secret: JWT_SECRET, ttlSeconds: 60 });
      const gql = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
        const response = await fetch(`${service.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        });
        return (await response.json()) as { data?: Record<string, unknown>; errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }> };
      };
      const connect = 'mutation ($input: ConnectWhatsAppNumberInput!) { connectWhatsAppNumber(input: $input) { connection { id state } } }';
      const input = { ...NUMBER, accessToken: `EAAG${'z'.repeat(40)}`, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN };
      delete (input as Partial<typeof input>).displayPhoneNumber;
      delete (input as Partial<typeof input>).verifiedName;
      const rejected = await gql(admin, connect, { input });
      expect(rejected.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'accessToken' });
      expect((await gql(operator, connect, { input })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

      const list = await gql(operator, '{ whatsAppConnections { id phoneNumberId displayPhoneNumber displayName state } }');
      expect(list.data?.['whatsAppConnections']).toEqual([
        { id: connection.id, phoneNumberId: NUMBER.phoneNumberId, displayPhoneNumber: NUMBER.displayPhoneNumber, displayName: 'Shop WhatsApp', state: 'ACTIVE' },
      ]);
      const templates = await gql(operator, 'query ($id: ID!) { whatsAppTemplates(connectionId: $id) { name language status body bodyParameterCount } }', { id: connection.id });
      expect(templates.data?.['whatsAppTemplates']).toEqual([
        { name: 'order_ready', language: 'uk', status: 'APPROVED', body: 'Вітаємо, {{1}}! Замовлення {{2}} готове.', bodyParameterCount: 2 },
      ]);
      expect(JSON.stringify([list, templates])).not.toContain(TOKEN);
    });
  });

  describe('webhook verification handshake', () => {
    const verify = (params: Record<string, string>) => fetch(`${webhookUrl()}?${new URLSearchParams(params)}`);

    it('echoes hub.challenge only for hub.mode=subscribe with a connected verify token', async () => {
      const ok = await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1158201444' });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('1158201444');
      expect((await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': 'wrong-token-0123456789', 'hub.challenge': '1' })).status).toBe(403);
      expect((await verify({ 'hub.mode': 'unsubscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1' })).status).toBe(403);
      expect((await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN })).status).toBe(403);
      expect((await fetch(webhookUrl())).status).toBe(403);
    });
  });

  describe('inbound', () => {
    it('answers 401 to forged, unsigned and other-app signatures and publishes nothing; 400 to a signed non-webhook', async () => {
      const forged = waText(OKSANA, 'forged');
      const payload = waWebhook([{ wabaId: NUMBER.wabaId, changes: [waMessagesChange({ number, contacts: [OKSANA], messages: [forged] })] }]);
      expect((await post(payload, OTHER_APP_SECRET)).status).toBe(401);
      expect((await post(payload, APP_SECRET, 'sha256=' + '0'.repeat(64))).status).toBe(401);
      const unsigned = await fetch(webhookUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
      expect(unsigned.status).toBe(401);
      expect((await post({ object: 'page', entry: [] })).status).toBe(400);
      expect((await post('{not json')).status).toBe(400);

      const marker = waText(OKSANA, 'marker after forgery');
      expect((await post(waWebhook([{ wabaId: NUMBER.wabaId, changes: [waMessagesChange({ number, contacts: [OKSANA], messages: [marker] })] }]))).status).toBe(200);
      await waitFor(() => receivedById(marker['id'] as string), { description: 'the marker message' });
      expect(receivedById(forged['id'] as string)).toBeUndefined();
    });

    it('publishes every message of a batch, each type faithfully, ordered per chat by platform time', async () => {
      const t0 = Date.now() - 60_000;
      const at = (s: number) => new Date(t0 + s * 1000);
      const m = {
        text: waText(OKSANA, 'Добрий день!', { at: at(1) }),
        image: waMessage({ from: OKSANA, type: 'image', at: at(2), payload: { id: '1001', mime_type: 'image/jpeg', sha256: 'abc=', caption: 'Фото товару' } }),
        voice: waMessage({ from: OKSANA, type: 'audio', at: at(3), payload: { id: '1002', mime_type: 'audio/ogg; codecs=opus', sha256: 'h', voice: true } }),
        document: waMessage({ from: OKSANA, type: 'document', at: at(4), payload: { id: '1003', mime_type: 'application/pdf', sha256: 'h', filename: 'invoice.pdf' } }),
        sticker: waMessage({ from: OKSANA, type: 'sticker', at: at(5), payload: { id: '1004', mime_type: 'image/webp', sha256: 'h', animated: false } }),
        location: waMessage({ from: OKSANA, type: 'location', at: at(6), payload: { latitude: 50.45, longitude: 30.52, name: 'Майдан', address: 'Київ' } }),
        contacts: waMessage({
          from: OKSANA,
          type: 'contacts',
          at: at(7),
          payload: [{ name: { formatted_name: 'Ivan Petrenko', first_name: 'Ivan', last_name: 'Petrenko' }, phones: [{ phone: '+380 44 123 4567', wa_id: '380441234567', type: 'WORK' }] }],
        }),
        buttonReply: waMessage({ from: OKSANA, type: 'interactive', at: at(8), payload: { type: 'button_reply', button_reply: { id: 'yes', title: 'Так' } } }),
        listReply: waMessage({ from: OKSANA, type: 'interactive', at: at(9), payload: { type: 'list_reply', list_reply: { id: 'd2', title: 'Доставка', description: 'Нова пошта' } } }),
        button: waMessage({ from: OKSANA, type: 'button', at: at(10), payload: { text: 'Підтверджую', payload: 'CONFIRM' } }),
        order: waMessage({ from: OKSANA, type: 'order', at: at(11), payload: { catalog_id: 'c1', text: 'Ось замовлення', product_items: [{ product_retailer_id: 'sku1', quantity: 2 }] } }),
        system: waMessage({ from: OKSANA, type: 'system', at: at(12), payload: { body: 'User changed number', type: 'user_changed_number', new_wa_id: '380509999999' } }),
        unsupported: waMessage({ from: OKSANA, type: 'unsupported', at: at(13), extra: { errors: [{ code: 131051, title: 'Message type unknown' }] } }),
        future: waMessage({ from: OKSANA, type: 'hologram', at: at(14), payload: { frequency: 42 }, extra: { brand_new_field: true } }),
        referral: waMessage({
          from: TARAS,
          type: 'text',
          at: at(2),
          payload: { body: 'Цікавить оголошення' },
          extra: { referral: { source_url: 'https://fb.me/ad', source_type: 'ad', source_id: '123', headline: 'Знижки' } },
        }),
        reply: waText(TARAS, 'Відповідь на ваше', { at: at(3), replyTo: 'wamid.previous-business-message' }),
      };
      // Out of order within the batch, split over two entries and changes, with a duplicate and a number of another app.
      const foreign = waText(OKSANA, 'to another number');
      const payload = waWebhook([
        {
          wabaId: NUMBER.wabaId,
          changes: [
            waMessagesChange({ number, contacts: [OKSANA], messages: [m.future, m.unsupported, m.system, m.order, m.button, m.listReply, m.buttonReply] }),
            waMessagesChange({ number, contacts: [TARAS], messages: [m.reply, m.referral] }),
          ],
        },
        {
          wabaId: NUMBER.wabaId,
          changes: [waMessagesChange({ number, contacts: [OKSANA], messages: [m.contacts, m.location, m.sticker, m.document, m.voice, m.image, m.text, m.text] })],
        },
        { wabaId: '5550000', changes: [waMessagesChange({ number: { ...number, phoneNumberId: '777777777' }, contacts: [OKSANA], messages: [foreign] })] },
      ]);
      (payload as { unexpected_top_level?: string })['unexpected_top_level'] = 'ignored';
      expect((await post(payload)).status).toBe(200);
      await waitFor(() => receivedById(m.future['id'] as string) && receivedById(m.referral['id'] as string), { description: 'the whole batch' });

      const id = (msg: Record<string, unknown>) => msg['id'] as string;
      expect(receivedById(id(m.text))).toMatchObject({
        chatKey: `${connection.id}:${OKSANA.waId}`,
        externalChatId: OKSANA.waId,
        connection: { id: connection.id, channel: 'whatsapp', displayName: 'Shop WhatsApp' },
        customer: { externalId: OKSANA.waId, displayName: 'Оксана Коваль', phone: `+${OKSANA.waId}` },
        content: { text: 'Добрий день!', attachments: [] },
      });
      expect(receivedById(id(m.image))?.content).toMatchObject({
        text: 'Фото товару',
        attachments: [{ kind: 'image', platformFileId: '1001', mimeType: 'image/jpeg', caption: 'Фото товару' }],
        raw: { image: { sha256: 'abc=' } },
      });
      expect(receivedById(id(m.voice))?.content.attachments).toEqual([{ kind: 'voice', platformFileId: '1002', mimeType: 'audio/ogg; codecs=opus' }]);
      expect(receivedById(id(m.document))?.content.attachments[0]).toMatchObject({ kind: 'document', fileName: 'invoice.pdf', mimeType: 'application/pdf' });
      expect(receivedById(id(m.sticker))?.content.attachments[0]).toMatchObject({ kind: 'sticker', platformFileId: '1004' });
      expect(receivedById(id(m.location))?.content.location).toEqual({ latitude: 50.45, longitude: 30.52, title: 'Майдан', address: 'Київ' });
      expect(receivedById(id(m.contacts))?.content.contact).toEqual({ phone: '+380 44 123 4567', firstName: 'Ivan', lastName: 'Petrenko', platformUserId: '380441234567' });
      expect(receivedById(id(m.buttonReply))?.content.text).toBe('Так');
      expect(receivedById(id(m.listReply))?.content.text).toBe('Доставка\nНова пошта');
      expect(receivedById(id(m.button))?.content).toMatchObject({ text: 'Підтверджую', raw: { button: { payload: 'CONFIRM' } } });
      expect(receivedById(id(m.order))?.content).toMatchObject({ text: 'Ось замовлення', placeholder: '[order: 1 item]' });
      expect(receivedById(id(m.system))?.content).toMatchObject({ placeholder: '[system: User changed number]', raw: { system: { new_wa_id: '380509999999' } } });
      expect(receivedById(id(m.unsupported))?.content).toMatchObject({ placeholder: '[unsupported message: Message type unknown]' });
      expect(receivedById(id(m.future))?.content).toMatchObject({ placeholder: '[hologram message]', raw: { hologram: { frequency: 42 }, brand_new_field: true } });
      expect(receivedById(id(m.referral))?.content).toMatchObject({ text: 'Цікавить оголошення', raw: { referral: { source_type: 'ad', headline: 'Знижки' } } });
      expect(receivedById(id(m.reply))?.replyToPlatformMessageId).toBe('wamid.previous-business-message');
      expect(receivedById(foreign['id'] as string)).toBeUndefined();

      // Per chat, the bus carries the events in platform-time order although the batch had them shuffled.
      const batchIds = new Set(Object.values(m).map(id));
      const oksanaOrder = received().filter((r) => r.externalChatId === OKSANA.waId && batchIds.has(r.platformMessageId)).map((r) => r.platformMessageId);
      const expected = [m.text, m.text, m.image, m.voice, m.document, m.sticker, m.location, m.contacts, m.buttonReply, m.listReply, m.button, m.order, m.system, m.unsupported, m.future].map(id);
      expect(oksanaOrder).toEqual(expected);
      const tarasOrder = received().filter((r) => r.externalChatId === TARAS.waId).map((r) => r.platformMessageId);
      expect(tarasOrder).toEqual([id(m.referral), id(m.reply)]);
    });

    it('turns reactions and delivered/read/failed statuses into events; sent and unknown statuses do not become receipts', async () => {
      const wamid = newWamid();
      const failedWamid = newWamid();
      const reaction = waMessage({ from: OKSANA, type: 'reaction', payload: { message_id: wamid, emoji: '👍' } });
      const unreaction = waMessage({ from: OKSANA, type: 'reaction', payload: { message_id: wamid, emoji: '' }, at: new Date(Date.now() + 1000) });
      const payload = waWebhook([
        {
          wabaId: NUMBER.wabaId,
          changes: [
            waMessagesChange({
              number,
              contacts: [OKSANA],
              messages: [reaction, unreaction],
              statuses: [
                waStatus({ wamid, status: 'read', recipient: OKSANA }),
                waStatus({ wamid, status: 'sent', recipient: OKSANA }),
                waStatus({ wamid, status: 'delivered', recipient: OKSANA }),
                waStatus({ wamid: failedWamid, status: 'failed', recipient: OKSANA, errors: [{ code: 131026, title: 'Message undeliverable', details: 'Receiver is incapable of receiving this message' }] }),
                waStatus({ wamid, status: 'deleted', recipient: OKSANA }),
              ],
            }),
            { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_name: 'order_ready' } },
          ],
        },
      ]);
      expect((await post(payload)).status).toBe(200);
      await waitFor(() => inbound().some((e) => e.type === DeliveryFailedV1.type && parseEvent(DeliveryFailedV1, e).data.platformMessageId === failedWamid), {
        description: 'the failed status',
      });
      const receipts = inbound().filter((e) => e.type === ReceiptReceivedV1.type).map((e) => parseEvent(ReceiptReceivedV1, e).data).filter((r) => r.platformMessageId === wamid);
      expect(receipts.map((r) => r.receipt).sort()).toEqual(['delivered', 'read']);
      const failed = inbound().map((e) => (e.type === DeliveryFailedV1.type ? parseEvent(DeliveryFailedV1, e).data : undefined)).find((f) => f?.platformMessageId === failedWamid);
      expect(failed?.failure).toEqual({ code: 'blocked', message: '131026 Message undeliverable: Receiver is incapable of receiving this message' });
      const reactions = inbound().filter((e) => e.type === ReactionChangedV1.type).map((e) => parseEvent(ReactionChangedV1, e).data).filter((r) => r.platformMessageId === wamid);
      expect(reactions.map((r) => r.reactions)).toEqual([['👍'], []]);
      await waitFor(() => seen.filter((s) => s.topic === TOPICS.unrecognised).length >= 2, { description: 'unrecognised deleted status and template field' });
      const reasons = seen.filter((s) => s.topic === TOPICS.unrecognised).map((s) => parseEvent(UnrecognisedPayloadV1, s.envelope).data.reason);
      expect(reasons).toEqual(expect.arrayContaining(['status "deleted" is not handled', 'change field "message_template_status_update" is not handled']));
    });

    it('records when the last webhook was seen', async () => {
      const [row] = await sql<{ last_webhook_at: Date | null }>('SELECT last_webhook_at FROM channel_whatsapp.connections WHERE id = $1', [connection.id]);
      expect(row?.last_webhook_at).toBeInstanceOf(Date);
    });
  });

  describe('outbound', () => {
    it('sends text as a reply in the documented shape, once per command even when the command repeats', async () => {
      const commandId = randomUUID();
      await sendCommand({ commandId, text: 'Так, є в наявності', replyToPlatformMessageId: 'wamid.customer-question' });
      await waitFor(() => deliveryResults(commandId).length === 1, { description: 'the delivery result' });
      const sent = graph.sentBy(NUMBER.phoneNumberId).filter((s) => (s.body['text'] as { body?: string } | undefined)?.body === 'Так, є в наявності');
      expect(sent).toHaveLength(1);
      expect(sent[0]!.body).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: OKSANA.waId,
        type: 'text',
        text: { body: 'Так, є в наявності', preview_url: false },
        context: { message_id: 'wamid.customer-question' },
      });
      expect(deliveryResults(commandId)[0]).toMatchObject({ state: 'sent', platformMessageId: sent[0]!.wamid });

      await sendCommand({ commandId, text: 'Так, є в наявності' });
      await waitFor(() => deliveryResults(commandId).length === 2, { description: 'the re-published result' });
      expect(deliveryResults(commandId)[1]).toMatchObject({ state: 'sent', platformMessageId: sent[0]!.wamid });
      expect(graph.sentBy(NUMBER.phoneNumberId).filter((s) => (s.body['text'] as { body?: string } | undefined)?.body === 'Так, є в наявності')).toHaveLength(1);
    });

    // Media (uploaded, then sent by id): whatsapp-outbound-attachments.integration.spec.ts (with the files service double).

    it('sends an approved template with its body parameters', async () => {
      const commandId = await sendCommand({ text: 'Вітаємо, Оксана! Замовлення 1042 готове.', template: { name: 'order_ready', language: 'uk', bodyParameters: ['Оксана', '1042'] } });
      await waitFor(() => deliveryResults(commandId).length === 1, { description: 'the template delivery result' });
      expect(deliveryResults(commandId)[0]?.state).toBe('sent');
      expect(graph.sent.at(-1)!.body).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: OKSANA.waId,
        type: 'template',
        template: { name: 'order_ready', language: { code: 'uk' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Оксана' }, { type: 'text', text: '1042' }] }] },
      });
      const wrongCount = await sendCommand({ template: { name: 'order_ready', language: 'uk', bodyParameters: ['one'] } });
      await waitFor(() => deliveryResults(wrongCount).length === 1, { description: 'the rejected template' });
      expect(deliveryResults(wrongCount)[0]).toMatchObject({ state: 'failed', failure: { code: 'invalid_request' } });
    });

    it('maps Graph API errors: window closed and undeliverable fail clearly, rate limits back off and succeed', async () => {
      graph.failNextSends({ code: 131047, message: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed' });
      const closed = await sendCommand({ text: 'too late' });
      await waitFor(() => deliveryResults(closed).length === 1, { description: 'the window-closed result' });
      expect(deliveryResults(closed)[0]).toMatchObject({ state: 'failed', failure: { code: 'window_closed', message: expect.stringContaining('131047') } });

      graph.failNextSends({ code: 131026, message: 'Message undeliverable' });
      const undeliverable = await sendCommand({ text: 'nobody there' });
      await waitFor(() => deliveryResults(undeliverable).length === 1, { description: 'the undeliverable result' });
      expect(deliveryResults(undeliverable)[0]).toMatchObject({ state: 'failed', failure: { code: 'blocked' } });

      const before = graph.sent.length;
      graph.failNextSends({ code: 130429, message: 'Rate limit hit', times: 2 });
      const limited = await sendCommand({ text: 'after the limit' });
      await waitFor(() => deliveryResults(limited).length === 1, { description: 'the rate-limited result' });
      expect(deliveryResults(limited)[0]?.state).toBe('sent');
      expect(graph.sent.length).toBe(before + 1);

      // The first call and 5 backed-off retries: all limited.
      graph.failNextSends({ code: 131056, message: '(Business Account, Consumer Account) pair rate limit hit', times: 6 });
      const exhausted = await sendCommand({ text: 'still limited' });
      await waitFor(() => deliveryResults(exhausted).length === 1, { description: 'the exhausted rate limit' });
      expect(deliveryResults(exhausted)[0]).toMatchObject({ state: 'failed', failure: { code: 'rate_limited' } });
    });

    it('disconnects the number when Meta rejects the token (190) and fails later sends without calling Meta', async () => {
      graph.revokeToken(TOKEN);
      const first = await sendCommand({ text: 'token revoked' });
      await waitFor(() => deliveryResults(first).length === 1, { description: 'the 190 result' });
      expect(deliveryResults(first)[0]).toMatchObject({ state: 'failed', failure: { code: 'unauthorized' } });
      const view = await service.connections.findConnection(connection.id);
      expect(view).toMatchObject({ state: 'disconnected', lastError: expect.stringContaining('190') });
      const calls = graph.requests.length;
      const second = await sendCommand({ text: 'after disconnect' });
      await waitFor(() => deliveryResults(second).length === 1, { description: 'the disconnected result' });
      expect(deliveryResults(second)[0]).toMatchObject({ state: 'failed', failure: { code: 'unauthorized' } });
      expect(graph.requests.length).toBe(calls);
      // A disconnected number's webhooks are not accepted any more (after the signer cache expires).
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      const late = waText(OKSANA, 'after disconnect');
      expect((await post(waWebhook([{ wabaId: NUMBER.wabaId, changes: [waMessagesChange({ number, contacts: [OKSANA], messages: [late] })] }]))).status).toBe(401);
    });
  });
});
