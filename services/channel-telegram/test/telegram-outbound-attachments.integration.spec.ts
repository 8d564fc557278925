/**
 * Operators' files on Telegram (decision 0036): the connector reads the bytes from the files service's internal
 * route (service token) and uploads them to the Bot API as multipart (sendPhoto for photos, sendDocument for the
 * rest); a file over Telegram's limits or gone from the files service fails the command before anything is sent.
 */
import { DeliveryResultV1, SendMessageRequestedV1, TOPICS, createEnvelope, outboundTopic, parseEvent, type Envelope } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger } from '@switchboard/service-kit';
import { FilesInternalDouble, TelegramBotApiDouble, createTestDatabase, waitFor, type TelegramCustomer, type TestDatabase, type UploadedFile } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { channelTelegramConfigSchema, startChannelTelegramService, type RunningChannelTelegram, type TelegramConnectionView } from '../src';

jest.setTimeout(60_000);

const BOT = { token: '444444:attachments-bot-token', id: 444444, username: 'files_shop_bot', firstName: 'Files Shop' };
const JWT_SECRET = 'attachments-test-secret-of-32-chars!';
const MB = 1024 * 1024;

describe('channel-telegram outbound attachments (files service double, Telegram double)', () => {
  const logger = createLogger('channel-telegram-attachments-test', process.env['LOG_LEVEL'] ?? 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let telegram: TelegramBotApiDouble;
  let files: FilesInternalDouble;
  let service: RunningChannelTelegram;
  let connection: TelegramConnectionView;
  let customer: TelegramCustomer;
  const results: Envelope[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('channel_telegram_files');
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 100 }), logger);
    await bus.transport.connect();
    await bus.subscribe({
      group: 'attachments-test-observer',
      topics: [TOPICS.delivery],
      handler: async (records) => {
        for (const { envelope } of records) results.push(envelope);
      },
    });
    telegram = new TelegramBotApiDouble();
    await telegram.start();
    telegram.registerBot(BOT);
    files = new FilesInternalDouble(JWT_SECRET);
    await files.start();
    service = await startChannelTelegramService({
      config: channelTelegramConfigSchema.parse({
        DATABASE_URL: database.url,
        JWT_SECRET,
        TELEGRAM_API_BASE_URL: telegram.baseUrl,
        TELEGRAM_POLL_TIMEOUT_SECONDS: '1',
        CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        PORT: '0',
      }),
      logger,
      bus,
      host: '127.0.0.1',
    });
    connection = await service.connectBot({ token: BOT.token });
    customer = telegram.customer(BOT.token, { id: 8801, firstName: 'Марія' });
  });

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await files?.stop();
    await telegram?.stop();
    await database?.drop();
  });

  function command(fields: { text?: string; attachments: { fileId: string; url: string; fileName: string; mimeType: string; sizeBytes: number }[] }) {
    const chatKey = `${connection.id}:${customer.id}`;
    return createEnvelope(
      SendMessageRequestedV1,
      {
        commandId: randomUUID(),
        chatKey,
        connection: { id: connection.id, channel: 'telegram', displayName: `@${BOT.username}` },
        externalChatId: String(customer.id),
        ...fields,
        requestedAt: new Date().toISOString(),
      },
      { producer: 'chat', key: chatKey },
    );
  }

  async function resultOf(commandId: string) {
    return waitFor(() => results.map((e) => parseEvent(DeliveryResultV1, e)).find((r) => r.data.commandId === commandId), { description: 'DeliveryResultV1', timeoutMs: 15_000 });
  }

  it('uploads a photo (with the text as caption) and a document as multipart, with the exact bytes', async () => {
    const photoBytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(40_000)]);
    const pdfBytes = Buffer.from(`%PDF-1.7\n${randomBytes(2_000).toString('hex')}\n%%EOF\n`);
    const photo = files.addFile({ fileName: 'пошкодження.jpg', mimeType: 'image/jpeg', bytes: photoBytes });
    const pdf = files.addFile({ fileName: 'Рахунок.pdf', mimeType: 'application/pdf', bytes: pdfBytes });
    const cmd = command({
      text: 'Ось фото і рахунок',
      attachments: [
        { fileId: photo.fileId, url: photo.url, fileName: 'пошкодження.jpg', mimeType: 'image/jpeg', sizeBytes: photo.sizeBytes },
        { fileId: pdf.fileId, url: pdf.url, fileName: 'Рахунок.pdf', mimeType: 'application/pdf', sizeBytes: pdf.sizeBytes },
      ],
    });
    await bus.publish([{ topic: outboundTopic('telegram'), envelope: cmd }]);
    const result = await resultOf(cmd.data.commandId);
    expect(result.data.state).toBe('sent');

    const [photoCall] = telegram.requestsFor(BOT.token, 'sendPhoto');
    const uploadedPhoto = photoCall!.params['photo'] as UploadedFile;
    expect(uploadedPhoto).toMatchObject({ kind: 'upload', fileName: 'пошкодження.jpg', contentType: 'image/jpeg' });
    expect(uploadedPhoto.bytes.equals(photoBytes)).toBe(true);
    expect(photoCall!.params['caption']).toBe('Ось фото і рахунок');
    expect(photoCall!.params['chat_id']).toBe(String(customer.id));

    const [documentCall] = telegram.requestsFor(BOT.token, 'sendDocument');
    const uploadedDocument = documentCall!.params['document'] as UploadedFile;
    expect(uploadedDocument).toMatchObject({ kind: 'upload', fileName: 'Рахунок.pdf', contentType: 'application/pdf' });
    expect(uploadedDocument.bytes.equals(pdfBytes)).toBe(true);
    expect(result.data).toMatchObject({ platformMessageId: String(telegram.sentMessages(BOT.token).find((s) => s.method === 'sendPhoto')!.message.message_id) });
    // Read over the internal route with the connector's own service token.
    expect(files.requests.filter((r) => r.service === 'channel-telegram').map((r) => r.path)).toEqual([`/internal/files/${photo.fileId}/content`, `/internal/files/${pdf.fileId}/content`]);
  });

  it('refuses a file over Telegram’s 50 MB before any call, and fails a file gone from the files service', async () => {
    const sends = () => telegram.requestsFor(BOT.token).filter((r) => r.method.startsWith('send')).length;
    const before = sends();
    const requestsBefore = files.requests.length;
    const huge = command({ attachments: [{ fileId: randomUUID(), url: `${files.url}/internal/files/${randomUUID()}`, fileName: 'video.mov', mimeType: 'video/quicktime', sizeBytes: 51 * MB }] });
    await bus.publish([{ topic: outboundTopic('telegram'), envelope: huge }]);
    expect((await resultOf(huge.data.commandId)).data).toMatchObject({
      state: 'failed',
      failure: { code: 'too_large', message: '"video.mov" is 51 MB; Telegram takes video/quicktime files up to 50 MB' },
    });
    expect(files.requests.length).toBe(requestsBefore);

    const gone = files.addFile({ fileName: 'old.pdf', mimeType: 'application/pdf', bytes: Buffer.from('%PDF-1.4\n%%EOF\n') });
    files.removeFile(gone.fileId);
    const missing = command({ text: 'ось', attachments: [{ fileId: gone.fileId, url: gone.url, fileName: 'old.pdf', mimeType: 'application/pdf', sizeBytes: gone.sizeBytes }] });
    await bus.publish([{ topic: outboundTopic('telegram'), envelope: missing }]);
    const failed = await resultOf(missing.data.commandId);
    expect(failed.data).toMatchObject({ state: 'failed', failure: { code: 'invalid_request' } });
    expect(failed.data.state === 'failed' && failed.data.failure.message).toContain('"old.pdf" cannot be sent');
    expect(sends()).toBe(before);
  });
});
