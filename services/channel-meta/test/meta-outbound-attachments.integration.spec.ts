/**
 * Operators' files on Messenger and Instagram (decision 0036): Messenger gets the bytes in the Send API call
 * itself (multipart "upload from file": recipient, message with attachment type and payload, filedata), read
 * from the files service's internal route with a service token; Instagram takes attachments by URL only, so it
 * gets a signed public link of the files service, which the Graph API double downloads like Meta does. A file
 * the platform would refuse fails the command before any call.
 */
import { DeliveryResultV1, SendMessageRequestedV1, TOPICS, createEnvelope, outboundTopic, parseEvent, type Envelope } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger } from '@switchboard/service-kit';
import { FilesInternalDouble, MetaGraphApiDouble, createTestDatabase, freePort, integrationSuite, waitFor, type TestDatabase } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { channelMetaConfigSchema, startChannelMetaService, type MetaConnectionView, type RunningChannelMeta } from '../src';

jest.setTimeout(60_000);

const JWT_SECRET = 'meta-attachments-secret-of-32-chars!';
const APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f55';
const PAGE = { pageId: '104857600000055', name: 'Files Page', accessToken: `EAAB${'q'.repeat(40)}`, appSecret: APP_SECRET };
const IG = { accountId: '17841400000000055', username: 'files.ua' };
const PSID = '6000000000000055';
const IGSID = '7000000000000055';
const MB = 1024 * 1024;

type Attachment = { fileId: string; url: string; fileName: string; mimeType: string; sizeBytes: number };

integrationSuite(['postgres'], 'channel-meta integration')('channel-meta outbound attachments (files service double, Graph API double)', () => {
  const logger = createLogger('channel-meta-attachments-test', process.env['LOG_LEVEL'] ?? 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let graph: MetaGraphApiDouble;
  let files: FilesInternalDouble;
  let service: RunningChannelMeta;
  let connection: MetaConnectionView;
  const results: Envelope[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('channel_meta_files');
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
    graph.registerPage({ ...PAGE, instagram: IG });
    files = new FilesInternalDouble(JWT_SECRET);
    await files.start();
    service = await startChannelMetaService({
      config: channelMetaConfigSchema.parse({
        PORT: String(await freePort()),
        DATABASE_URL: database.url,
        JWT_SECRET,
        CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        META_GRAPH_API_BASE_URL: graph.baseUrl,
        META_SUBSCRIPTION_CHECK_INTERVAL_MS: '0',
      }),
      logger,
      bus,
      host: '127.0.0.1',
      rateLimitBaseDelayMs: 20,
    });
    connection = await service.connectPage({ pageId: PAGE.pageId, accessToken: PAGE.accessToken, appSecret: APP_SECRET, verifyToken: 'meta-files-verify-token-01', instagramAccountId: IG.accountId });
  });

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await files?.stop();
    await graph?.stop();
    await database?.drop();
  });

  async function send(channel: 'messenger' | 'instagram', externalChatId: string, fields: { text?: string; messageTag?: 'HUMAN_AGENT'; attachments: Attachment[] }) {
    const chatKey = `${connection.id}:${externalChatId}`;
    const envelope = createEnvelope(
      SendMessageRequestedV1,
      { commandId: randomUUID(), chatKey, connection: { id: connection.id, channel, displayName: 'Files Page' }, externalChatId, ...fields, requestedAt: new Date().toISOString() },
      { producer: 'chat', key: chatKey },
    );
    await bus.publish([{ topic: outboundTopic(channel), envelope }]);
    return waitFor(() => results.map((e) => parseEvent(DeliveryResultV1, e)).find((r) => r.data.commandId === envelope.data.commandId), { description: `result of the ${channel} command`, timeoutMs: 15_000 });
  }

  const attachment = (file: { fileId: string; url: string; sizeBytes: number }, fileName: string, mimeType: string): Attachment => ({ ...file, fileName, mimeType });

  it('uploads a Messenger attachment as filedata in the Send API call, with the exact bytes', async () => {
    const pngBytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(25_000)]);
    const pdfBytes = Buffer.from(`%PDF-1.7\n${randomBytes(1_500).toString('hex')}\n%%EOF\n`);
    const png = files.addFile({ fileName: 'схема.png', mimeType: 'image/png', bytes: pngBytes });
    const pdf = files.addFile({ fileName: 'договір.pdf', mimeType: 'application/pdf', bytes: pdfBytes });
    const result = await send('messenger', PSID, { text: 'Схема і договір', attachments: [attachment(png, 'схема.png', 'image/png'), attachment(pdf, 'договір.pdf', 'application/pdf')] });
    expect(result.data.state).toBe('sent');
    const posts = graph.postsTo(PAGE.pageId, 'messages').slice(-3);
    expect(posts.map((p) => p.body['message'])).toEqual([
      expect.objectContaining({ text: 'Схема і договір' }),
      expect.objectContaining({ attachment: { type: 'image', payload: { is_reusable: false } }, metadata: expect.stringMatching(/^switchboard:/) }),
      expect.objectContaining({ attachment: { type: 'file', payload: { is_reusable: false } } }),
    ]);
    expect(posts[1]!.body).toMatchObject({ recipient: { id: PSID }, messaging_type: 'RESPONSE' });
    expect(posts[1]!.file).toMatchObject({ mimeType: 'image/png', fileName: 'схема.png' });
    expect(posts[1]!.file!.bytes.equals(pngBytes)).toBe(true);
    expect(posts[2]!.file!.bytes.equals(pdfBytes)).toBe(true);
    expect(files.requests.filter((r) => r.service === 'channel-meta').map((r) => r.path)).toEqual([`/internal/files/${png.fileId}/content`, `/internal/files/${pdf.fileId}/content`]);
  });

  it('sends an Instagram attachment by a signed public link (with the HUMAN_AGENT tag), which Meta downloads', async () => {
    const pdfBytes = Buffer.from(`%PDF-1.7\n${randomBytes(1_000).toString('hex')}\n%%EOF\n`);
    const pdf = files.addFile({ fileName: 'a.pdf', mimeType: 'application/pdf', bytes: pdfBytes });
    const result = await send('instagram', IGSID, { messageTag: 'HUMAN_AGENT', attachments: [attachment(pdf, 'a.pdf', 'application/pdf')] });
    expect(result.data.state).toBe('sent');
    const [post] = graph.postsTo(IG.accountId, 'messages').slice(-1);
    expect(post!.body).toEqual({
      recipient: { id: IGSID },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { attachment: { type: 'file', payload: { is_reusable: false, url: expect.stringContaining(`/public/${pdf.fileId}?token=`) } } },
    });
    expect(post!.file!.bytes.equals(pdfBytes)).toBe(true);
    expect(files.requests.at(-1)).toMatchObject({ service: 'channel-meta', method: 'POST', path: `/internal/files/${pdf.fileId}/public-link` });
  });

  it('refuses what the platform would before any call: Messenger over 25 MB, a Word file on Instagram', async () => {
    const postsBefore = graph.pagePosts.length;
    const filesBefore = files.requests.length;
    const url = `${files.url}/internal/files/${randomUUID()}`;
    const big = await send('messenger', PSID, { text: 'відео', attachments: [{ fileId: randomUUID(), url, fileName: 'video.mp4', mimeType: 'video/mp4', sizeBytes: 30 * MB }] });
    expect(big.data).toMatchObject({ state: 'failed', failure: { code: 'too_large', message: '"video.mp4" is 30 MB; Messenger takes video/mp4 files up to 25 MB' } });
    const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    const word = await send('instagram', IGSID, { attachments: [{ fileId: randomUUID(), url, fileName: 'лист.docx', mimeType: docx, sizeBytes: 10_000 }] });
    expect(word.data).toMatchObject({ state: 'failed', failure: { code: 'invalid_request', message: `"лист.docx" is ${docx}, which Instagram does not accept` } });
    expect(graph.pagePosts).toHaveLength(postsBefore);
    expect(files.requests).toHaveLength(filesBefore);
  });
});
