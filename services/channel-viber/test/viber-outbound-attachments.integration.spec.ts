/**
 * Operators' files on Viber (decision 0036): Viber takes media only by URL, so the connector asks the files
 * service (internal route, service token) for a signed public link per file at send time and sends it as
 * picture, video or file; the Viber double downloads the link like Viber does, so the bytes are checked. A file
 * over Viber's limits fails the command before any call.
 */
import { DeliveryResultV1, SendMessageRequestedV1, TOPICS, createEnvelope, outboundTopic, parseEvent, type Envelope } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger } from '@switchboard/service-kit';
import { FilesInternalDouble, ViberApiDouble, createTestDatabase, freePort, integrationSuite, nextViberToken, viberCallbacks, waitFor, type TestDatabase } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { channelViberConfigSchema, startChannelViberService, type RunningChannelViber, type ViberConnectionView } from '../src';

jest.setTimeout(60_000);

const BOT = { token: '5553b6ac12345678-e02c5f12174805f9-daec9cbb5448c5ff', id: 'pa:5638101235434568799', name: 'Файли Shop' };
const JWT_SECRET = 'viber-attachments-secret-of-32-chars';
const MB = 1024 * 1024;

integrationSuite(['postgres'], 'channel-viber integration tests')('channel-viber outbound attachments (files service double, Viber double)', () => {
  const logger = createLogger('channel-viber-attachments-test', process.env['LOG_LEVEL'] ?? 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let viber: ViberApiDouble;
  let files: FilesInternalDouble;
  let service: RunningChannelViber;
  let connection: ViberConnectionView;
  const results: Envelope[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('channel_viber_files');
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
    viber = new ViberApiDouble({ bots: [BOT] });
    await viber.start();
    files = new FilesInternalDouble(JWT_SECRET);
    await files.start();
    const port = await freePort();
    service = await startChannelViberService({
      config: channelViberConfigSchema.parse({
        PORT: String(port),
        DATABASE_URL: database.url,
        JWT_SECRET,
        VIBER_API_BASE_URL: viber.baseUrl,
        PUBLIC_WEBHOOK_BASE_URL: `http://127.0.0.1:${port}`,
        CREDENTIALS_KEY: randomBytes(32).toString('base64'),
      }),
      logger,
      bus,
      host: '127.0.0.1',
    });
    connection = await service.connectBot({ token: BOT.token, displayName: 'Файли (Viber)', senderName: 'Файли Shop' });
  });

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await files?.stop();
    await viber?.stop();
    await database?.drop();
  });

  /** A customer who wrote to the bot: writing subscribes them, in the connector and at Viber. */
  async function subscribedCustomer(): Promise<string> {
    const id = randomBytes(8).toString('base64');
    viber.setSubscribed(BOT.token, id, true);
    await viber.deliver(BOT.token, viberCallbacks.message({ token: nextViberToken(), sender: { id, name: 'Клієнт' }, message: { type: 'text', text: 'hi' } }));
    await waitFor(
      async () => {
        const client = new Client({ connectionString: database.url });
        await client.connect();
        try {
          return (await client.query('SELECT subscribed FROM channel_viber.subscribers WHERE user_id = $1', [id])).rows[0]?.subscribed === true;
        } finally {
          await client.end();
        }
      },
      { description: 'the customer subscribed' },
    );
    return id;
  }

  function command(receiver: string, fields: { text?: string; attachments: { fileId: string; url: string; fileName: string; mimeType: string; sizeBytes: number }[] }) {
    const chatKey = `${connection.id}:${receiver}`;
    return createEnvelope(
      SendMessageRequestedV1,
      { commandId: randomUUID(), chatKey, connection: { id: connection.id, channel: 'viber', displayName: 'Файли (Viber)' }, externalChatId: receiver, ...fields, requestedAt: new Date().toISOString() },
      { producer: 'chat', key: chatKey },
    );
  }

  async function resultOf(commandId: string) {
    return waitFor(() => results.map((e) => parseEvent(DeliveryResultV1, e)).find((r) => r.data.commandId === commandId), { description: 'DeliveryResultV1', timeoutMs: 15_000 });
  }

  it('sends a picture (with the text as its description), a video and a file by signed links Viber downloads', async () => {
    const receiver = await subscribedCustomer();
    const pictureBytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(30_000)]);
    const videoBytes = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), randomBytes(50_000)]);
    const pdfBytes = Buffer.from(`%PDF-1.7\n${randomBytes(3_000).toString('hex')}\n%%EOF\n`);
    const picture = files.addFile({ fileName: 'чашка.png', mimeType: 'image/png', bytes: pictureBytes });
    const video = files.addFile({ fileName: 'огляд.mp4', mimeType: 'video/mp4', bytes: videoBytes });
    const pdf = files.addFile({ fileName: 'прайс.pdf', mimeType: 'application/pdf', bytes: pdfBytes });
    const cmd = command(receiver, {
      text: 'Каталог',
      attachments: [
        { fileId: picture.fileId, url: picture.url, fileName: 'чашка.png', mimeType: 'image/png', sizeBytes: picture.sizeBytes },
        { fileId: video.fileId, url: video.url, fileName: 'огляд.mp4', mimeType: 'video/mp4', sizeBytes: video.sizeBytes },
        { fileId: pdf.fileId, url: pdf.url, fileName: 'прайс.pdf', mimeType: 'application/pdf', sizeBytes: pdf.sizeBytes },
      ],
    });
    await bus.publish([{ topic: outboundTopic('viber'), envelope: cmd }]);
    expect((await resultOf(cmd.data.commandId)).data.state).toBe('sent');
    const sent = viber.sentMessages(BOT.token).filter((s) => s.receiver === receiver);
    expect(sent.map((s) => s.body['type'])).toEqual(['picture', 'video', 'file']);
    expect(sent[0]!.body).toMatchObject({ text: 'Каталог', media: expect.stringContaining(`/public/${picture.fileId}?token=`) });
    expect(Number(sent[1]!.body['size'])).toBe(videoBytes.length);
    expect(sent[2]!.body).toMatchObject({ file_name: 'прайс.pdf' });
    expect(Number(sent[2]!.body['size'])).toBe(pdfBytes.length);
    const downloaded = sent.map((s) => (s.media && 'bytes' in s.media ? s.media.bytes : undefined));
    expect(downloaded[0]?.equals(pictureBytes)).toBe(true);
    expect(downloaded[1]?.equals(videoBytes)).toBe(true);
    expect(downloaded[2]?.equals(pdfBytes)).toBe(true);
    // The links were asked for by the connector with its own service token; the bytes never passed through it.
    expect(files.requests.filter((r) => r.service === 'channel-viber').map((r) => `${r.method} ${r.path}`)).toEqual(
      [picture, video, pdf].map((f) => `POST /internal/files/${f.fileId}/public-link`),
    );
  });

  it('refuses a file over Viber’s 50 MB before asking for a link or calling Viber', async () => {
    const receiver = await subscribedCustomer();
    const sendsBefore = viber.requests.filter((r) => r.method === 'send_message').length;
    const linksBefore = files.requests.length;
    const cmd = command(receiver, { attachments: [{ fileId: randomUUID(), url: `${files.url}/internal/files/${randomUUID()}`, fileName: 'архів.zip', mimeType: 'application/zip', sizeBytes: 60 * MB }] });
    await bus.publish([{ topic: outboundTopic('viber'), envelope: cmd }]);
    expect((await resultOf(cmd.data.commandId)).data).toMatchObject({
      state: 'failed',
      failure: { code: 'too_large', message: '"архів.zip" is 60 MB; Viber takes application/zip files up to 50 MB' },
    });
    expect(viber.requests.filter((r) => r.method === 'send_message')).toHaveLength(sendsBefore);
    expect(files.requests).toHaveLength(linksBefore);
  });
});
