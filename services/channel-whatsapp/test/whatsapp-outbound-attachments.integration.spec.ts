/**
 * Operators' files on WhatsApp (decision 0036): the connector reads the bytes from the files service's internal
 * route (service token), uploads them to POST /{phone-number-id}/media (multipart) and sends the message by the
 * media id, as the type WhatsApp takes (image, video, audio, document); a file WhatsApp would refuse (too large
 * for its type, a type it does not take) fails the command before any call.
 */
import { DeliveryResultV1, SendMessageRequestedV1, TOPICS, createEnvelope, outboundTopic, parseEvent, type Envelope } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger } from '@switchboard/service-kit';
import { FilesInternalDouble, MetaGraphApiDouble, createTestDatabase, freePort, integrationSuite, waitFor, type TestDatabase } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { channelWhatsAppConfigSchema, startChannelWhatsAppService, type RunningChannelWhatsApp, type WhatsAppConnectionView } from '../src';

jest.setTimeout(60_000);

const JWT_SECRET = 'whatsapp-attachments-secret-32-chars';
const NUMBER = { phoneNumberId: '106540352242977', wabaId: '102290129340377', displayPhoneNumber: '15550007777', verifiedName: 'Files Ltd' };
const TOKEN = `EAAG${'f'.repeat(40)}`;
const CUSTOMER = '380501117777';
const MB = 1024 * 1024;

integrationSuite(['postgres'], 'channel-whatsapp integration')('channel-whatsapp outbound attachments (files service double, Graph API double)', () => {
  const logger = createLogger('channel-whatsapp-attachments-test', process.env['LOG_LEVEL'] ?? 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let graph: MetaGraphApiDouble;
  let files: FilesInternalDouble;
  let service: RunningChannelWhatsApp;
  let connection: WhatsAppConnectionView;
  const results: Envelope[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('channel_whatsapp_files');
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    await bus.subscribe({
      group: 'attachments-test-observer',
      topics: [TOPICS.delivery],
      handler: async (records) => {
        for (const { envelope } of records) results.push(envelope);
      },
    });
    graph = new MetaGraphApiDouble();
    await graph.start();
    graph.registerWhatsAppNumber({ ...NUMBER, accessToken: TOKEN });
    files = new FilesInternalDouble(JWT_SECRET);
    await files.start();
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
    connection = await service.connectNumber({ ...NUMBER, accessToken: TOKEN, appSecret: 'a1b2c3d4e5f60718293a4b5c6d7e8f77', verifyToken: 'verify-token-files-0123', displayName: 'Files WhatsApp' });
  });

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await files?.stop();
    await graph?.stop();
    await database?.drop();
  });

  function command(fields: { text?: string; attachments: { fileId: string; url: string; fileName: string; mimeType: string; sizeBytes: number }[] }) {
    const chatKey = `${connection.id}:${CUSTOMER}`;
    return createEnvelope(
      SendMessageRequestedV1,
      { commandId: randomUUID(), chatKey, connection: { id: connection.id, channel: 'whatsapp', displayName: 'Files WhatsApp' }, externalChatId: CUSTOMER, ...fields, requestedAt: new Date().toISOString() },
      { producer: 'chat', key: chatKey },
    );
  }

  async function resultOf(commandId: string) {
    return waitFor(() => results.map((e) => parseEvent(DeliveryResultV1, e)).find((r) => r.data.commandId === commandId), { description: 'DeliveryResultV1', timeoutMs: 15_000 });
  }

  it('uploads each file to the number’s media and sends it by id, the text as the image’s caption', async () => {
    const jpegBytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(20_000)]);
    const pdfBytes = Buffer.from(`%PDF-1.7\n${randomBytes(2_000).toString('hex')}\n%%EOF\n`);
    const photo = files.addFile({ fileName: 'фото.jpg', mimeType: 'image/jpeg', bytes: jpegBytes });
    const pdf = files.addFile({ fileName: 'Каталог.pdf', mimeType: 'application/pdf', bytes: pdfBytes });
    const cmd = command({
      text: 'Каталог і фото',
      attachments: [
        { fileId: photo.fileId, url: photo.url, fileName: 'фото.jpg', mimeType: 'image/jpeg', sizeBytes: photo.sizeBytes },
        { fileId: pdf.fileId, url: pdf.url, fileName: 'Каталог.pdf', mimeType: 'application/pdf', sizeBytes: pdf.sizeBytes },
      ],
    });
    await bus.publish([{ topic: outboundTopic('whatsapp'), envelope: cmd }]);
    const result = await resultOf(cmd.data.commandId);
    const sent = graph.sentBy(NUMBER.phoneNumberId);
    expect(result.data).toMatchObject({ state: 'sent', platformMessageId: sent[0]!.wamid });
    expect(sent.map((s) => s.body['type'])).toEqual(['image', 'document']);
    const image = sent[0]!.body['image'] as { id: string; caption: string; link?: string };
    const document = sent[1]!.body['document'] as { id: string; filename: string; link?: string };
    expect(image).toEqual({ id: expect.any(String), caption: 'Каталог і фото' });
    expect(document).toEqual({ id: expect.any(String), filename: 'Каталог.pdf' });
    // The uploaded media hold exactly the operator's bytes, with the type WhatsApp was told.
    expect(graph.mediaById(image.id)).toMatchObject({ phoneNumberId: NUMBER.phoneNumberId, mimeType: 'image/jpeg' });
    expect(graph.mediaById(image.id)!.bytes.equals(jpegBytes)).toBe(true);
    expect(graph.mediaById(document.id)!.bytes.equals(pdfBytes)).toBe(true);
    expect(graph.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([
      `/v21.0/${NUMBER.phoneNumberId}/media`,
      `/v21.0/${NUMBER.phoneNumberId}/messages`,
      `/v21.0/${NUMBER.phoneNumberId}/media`,
      `/v21.0/${NUMBER.phoneNumberId}/messages`,
    ]);
    expect(files.requests.filter((r) => r.service === 'channel-whatsapp').map((r) => r.path)).toEqual([`/internal/files/${photo.fileId}/content`, `/internal/files/${pdf.fileId}/content`]);
  });

  it('refuses an image over 5 MB and a type WhatsApp does not take, before any call', async () => {
    const postsBefore = graph.requests.filter((r) => r.method === 'POST').length;
    const filesBefore = files.requests.length;
    const url = `${files.url}/internal/files/${randomUUID()}`;
    const big = command({ attachments: [{ fileId: randomUUID(), url, fileName: 'panorama.jpg', mimeType: 'image/jpeg', sizeBytes: 6 * MB }] });
    const zip = command({ text: 'архів', attachments: [{ fileId: randomUUID(), url, fileName: 'photos.zip', mimeType: 'application/zip', sizeBytes: 1_000 }] });
    await bus.publish([{ topic: outboundTopic('whatsapp'), envelope: big }, { topic: outboundTopic('whatsapp'), envelope: zip }]);
    expect((await resultOf(big.data.commandId)).data).toMatchObject({
      state: 'failed',
      failure: { code: 'too_large', message: '"panorama.jpg" is 6 MB; WhatsApp takes image/jpeg files up to 5 MB' },
    });
    expect((await resultOf(zip.data.commandId)).data).toMatchObject({
      state: 'failed',
      failure: { code: 'invalid_request', message: '"photos.zip" is application/zip, which WhatsApp does not accept' },
    });
    expect(graph.requests.filter((r) => r.method === 'POST')).toHaveLength(postsBefore);
    expect(files.requests).toHaveLength(filesBefore);
  });
});
