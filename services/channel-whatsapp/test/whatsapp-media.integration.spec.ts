/**
 * The files service's view of the WhatsApp connector: a customer's photo and document arrive in a signed
 * webhook as media ids; GET /internal/media/:connectionId/:platformFileId (service token) resolves each id
 * at the Graph API double (GET /{media-id}, then the download URL with the access token) and serves the bytes.
 */
import { MessageReceivedV1, TOPICS, parseEvent, type MessageReceived } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { channelMediaPath, createLogger, signServiceToken } from '@switchboard/service-kit';
import { MetaGraphApiDouble, createTestDatabase, freePort, integrationSuite, postWhatsAppWebhook, waMessage, waMessagesChange, waWebhook, waitFor, type TestDatabase } from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { channelWhatsAppConfigSchema, startChannelWhatsAppService, type RunningChannelWhatsApp, type WhatsAppConnectionView } from '../src';

jest.setTimeout(60_000);

const JWT_SECRET = 'integration-test-secret-of-32-chars!!';
const APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const NUMBER = { phoneNumberId: '106540352242933', wabaId: '102290129340333', displayPhoneNumber: '15550002222', verifiedName: 'Shop Ltd' };
const TOKEN = `EAAG${'y'.repeat(40)}`;
const OKSANA = { waId: '380501112233', name: 'Оксана Коваль' };

integrationSuite(['postgres'], 'channel-whatsapp media integration')('channel-whatsapp internal media endpoint', () => {
  const logger = createLogger('channel-whatsapp-media-test', process.env['LOG_LEVEL'] ?? 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let graph: MetaGraphApiDouble;
  let service: RunningChannelWhatsApp;
  let connection: WhatsAppConnectionView;
  const received: MessageReceived[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('channel_whatsapp_media');
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    await bus.subscribe({
      group: 'media-test-observer',
      topics: [TOPICS.inbound],
      handler: async (records) => {
        for (const { envelope } of records) if (envelope.type === MessageReceivedV1.type) received.push(parseEvent(MessageReceivedV1, envelope).data);
      },
    });
    graph = new MetaGraphApiDouble();
    await graph.start();
    graph.registerWhatsAppNumber({ ...NUMBER, accessToken: TOKEN, appSecret: APP_SECRET });
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
    });
    connection = await service.connectNumber({ ...NUMBER, accessToken: TOKEN, appSecret: APP_SECRET, verifyToken: 'verify-token-media-0123', displayName: 'Shop WhatsApp' });
  });

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await graph?.stop();
    await database?.drop();
  });

  async function media(platformFileId: string, authorization?: string): Promise<Response> {
    const header = authorization ?? `Bearer ${await signServiceToken({ service: 'files', secret: JWT_SECRET })}`;
    return fetch(`${service.url}${channelMediaPath({ connectionId: connection.id, platformFileId })}`, { headers: { authorization: header } });
  }

  it("serves a customer's photo and document by the media ids the webhook carried", async () => {
    const photo = randomBytes(6_000);
    const document = Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n');
    // WhatsApp keeps what a customer sends as media of the business number, named by a media id.
    const photoId = graph.addMedia(NUMBER.phoneNumberId, 'image/jpeg', photo);
    const documentId = graph.addMedia(NUMBER.phoneNumberId, 'application/pdf', document);
    const messages = [
      waMessage({ from: OKSANA, type: 'image', payload: { id: photoId, mime_type: 'image/jpeg', sha256: 'h', caption: 'Фото' } }),
      waMessage({ from: OKSANA, type: 'document', payload: { id: documentId, mime_type: 'application/pdf', sha256: 'h', filename: 'Накладна.pdf' } }),
    ];
    const webhook = waWebhook([{ wabaId: NUMBER.wabaId, changes: [waMessagesChange({ number: NUMBER, contacts: [OKSANA], messages })] }]);
    expect((await postWhatsAppWebhook(`${service.url}/webhooks/whatsapp`, webhook, { appSecret: APP_SECRET })).status).toBe(200);
    const ids = messages.map((m) => m['id']);
    const events = await waitFor(() => (received.filter((r) => ids.includes(r.platformMessageId)).length === 2 ? received : undefined), { description: 'both messages published' });
    const fileIdOf = (wamid: unknown) => events.find((e) => e.platformMessageId === wamid)!.content.attachments[0]!.platformFileId;

    const servedPhoto = await media(fileIdOf(ids[0]));
    expect(servedPhoto.status).toBe(200);
    expect(servedPhoto.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await servedPhoto.arrayBuffer()).equals(photo)).toBe(true);
    const servedDocument = await media(fileIdOf(ids[1]));
    expect(servedDocument.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await servedDocument.arrayBuffer()).equals(document)).toBe(true);
    // Two Graph calls per file: the metadata, then the download URL with the bearer token.
    expect(graph.requests.filter((r) => r.path === `/v21.0/${photoId}` || r.path === `/media-download/${photoId}`).map((r) => r.status)).toEqual([200, 200]);
  });

  it('answers 404 MEDIA_GONE for a media id WhatsApp does not know and 401 without a service token', async () => {
    const unknown = await media('999999999999');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { reason: string } }).error.reason).toBe('MEDIA_GONE');
    expect((await media('1', 'Bearer nope')).status).toBe(401);
  });
});
