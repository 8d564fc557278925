/**
 * The files service's view of the Meta connector: customers' Messenger and Instagram attachments arrive in
 * signed webhooks with a CDN URL as the platform file id; GET /internal/media/:connectionId/:platformFileId
 * (service token) downloads only URLs a webhook delivered for that connection, and an expired URL is
 * MEDIA_GONE (decision 0035).
 */
import { MessageReceivedV1, TOPICS, parseEvent, type MessageReceived } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { InboundMediaLinks, channelMediaPath, createLogger, signServiceToken } from '@switchboard/service-kit';
import { MetaGraphApiDouble, createTestDatabase, freePort, integrationSuite, metaMessaging, metaWebhook, newMid, postMetaWebhook, waitFor, type TestDatabase } from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { CHANNEL_META_MIGRATIONS, CHANNEL_META_SCHEMA, channelMetaConfigSchema, startChannelMetaService, type MetaConnectionView, type RunningChannelMeta } from '../src';

jest.setTimeout(60_000);

const JWT_SECRET = 'integration-test-secret-of-32-chars!!';
const APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const PAGE = { pageId: '104857600000055', name: 'Shop Page', accessToken: `EAAB${'q'.repeat(40)}`, appSecret: APP_SECRET };
const IG = { accountId: '17841400000000055', username: 'shop.ua' };
const PSID = '6000000000000055';
const IGSID = '7000000000000055';

integrationSuite(['postgres'], 'channel-meta media integration')('channel-meta internal media endpoint', () => {
  const logger = createLogger('channel-meta-media-test', process.env['LOG_LEVEL'] ?? 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let graph: MetaGraphApiDouble;
  let service: RunningChannelMeta;
  let connection: MetaConnectionView;
  const received: MessageReceived[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('channel_meta_media');
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
    graph.registerPage({ ...PAGE, instagram: IG });
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
    });
    connection = await service.connectPage({ pageId: PAGE.pageId, accessToken: PAGE.accessToken, appSecret: APP_SECRET, verifyToken: 'meta-media-verify-0123', instagramAccountId: IG.accountId });
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

  const attachmentMessage = (from: string, to: string, mid: string, type: string, url: string) =>
    metaMessaging({ from, to, event: { message: { mid, attachments: [{ type, payload: { url } }] } } });

  async function fileIdOf(mid: string): Promise<string> {
    const message = await waitFor(() => received.find((r) => r.platformMessageId === mid), { description: `message ${mid} published` });
    return message.content.attachments[0]!.platformFileId;
  }

  async function failure(response: Response): Promise<{ status: number; reason: string }> {
    return { status: response.status, reason: ((await response.json()) as { error: { reason: string } }).error.reason };
  }

  it("serves a Messenger customer's photo and an Instagram customer's file from Meta's CDN", async () => {
    const photo = randomBytes(7_000);
    const document = Buffer.from('%PDF-1.4\n%%EOF\n');
    const photoUrl = graph.hostCdnMedia(photo, 'image/jpeg');
    const documentUrl = graph.hostCdnMedia(document, 'application/pdf');
    const photoMid = newMid();
    const documentMid = newMid();
    expect((await postMetaWebhook(`${service.url}/webhooks/meta`, metaWebhook('page', [{ id: PAGE.pageId, messaging: [attachmentMessage(PSID, PAGE.pageId, photoMid, 'image', photoUrl)] }]), { appSecret: APP_SECRET })).status).toBe(200);
    expect((await postMetaWebhook(`${service.url}/webhooks/meta`, metaWebhook('instagram', [{ id: IG.accountId, messaging: [attachmentMessage(IGSID, IG.accountId, documentMid, 'file', documentUrl)] }]), { appSecret: APP_SECRET })).status).toBe(200);

    const servedPhoto = await media(await fileIdOf(photoMid));
    expect(servedPhoto.status).toBe(200);
    expect(servedPhoto.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await servedPhoto.arrayBuffer()).equals(photo)).toBe(true);
    const servedDocument = await media(await fileIdOf(documentMid));
    expect(Buffer.from(await servedDocument.arrayBuffer()).equals(document)).toBe(true);
  });

  it('answers 404 MEDIA_GONE once the CDN URL expired, and for URLs no webhook delivered', async () => {
    const url = graph.hostCdnMedia(randomBytes(100), 'image/png');
    const mid = newMid();
    await postMetaWebhook(`${service.url}/webhooks/meta`, metaWebhook('page', [{ id: PAGE.pageId, messaging: [attachmentMessage(PSID, PAGE.pageId, mid, 'image', url)] }]), { appSecret: APP_SECRET });
    const fileId = await fileIdOf(mid);
    graph.expireCdnMedia(url);
    expect(await failure(await media(fileId))).toEqual({ status: 404, reason: 'MEDIA_GONE' });

    // A URL the connector never received is not fetched, even with a valid service token.
    const foreign = graph.hostCdnMedia(randomBytes(100), 'image/png');
    expect(await failure(await media(foreign))).toEqual({ status: 404, reason: 'MEDIA_GONE' });
    expect(graph.requests.filter((r) => r.path === new URL(foreign).pathname)).toEqual([]);
  });

  it('forgets a delivered URL after the retention (META_MEDIA_LINK_RETENTION_HOURS), and then fetches nothing', async () => {
    const oldUrl = graph.hostCdnMedia(randomBytes(100), 'image/png');
    const recentUrl = graph.hostCdnMedia(randomBytes(100), 'image/png');
    const oldMid = newMid();
    const recentMid = newMid();
    await postMetaWebhook(`${service.url}/webhooks/meta`, metaWebhook('page', [{ id: PAGE.pageId, messaging: [attachmentMessage(PSID, PAGE.pageId, oldMid, 'image', oldUrl)] }]), { appSecret: APP_SECRET });
    await postMetaWebhook(`${service.url}/webhooks/meta`, metaWebhook('page', [{ id: PAGE.pageId, messaging: [attachmentMessage(PSID, PAGE.pageId, recentMid, 'image', recentUrl)] }]), { appSecret: APP_SECRET });
    const [oldFileId, recentFileId] = [await fileIdOf(oldMid), await fileIdOf(recentMid)];
    const dataSource = createServiceDataSource({ url: database.url, schema: CHANNEL_META_SCHEMA, migrations: CHANNEL_META_MIGRATIONS });
    await dataSource.initialize();
    try {
      await dataSource.query(`UPDATE "${CHANNEL_META_SCHEMA}".inbound_media_links SET received_at = now() - interval '31 days' WHERE url = $1`, [oldUrl]);
      expect(await new InboundMediaLinks(dataSource, CHANNEL_META_SCHEMA).purgeOlderThan(new Date(Date.now() - 720 * 3_600_000))).toBe(1);
    } finally {
      await dataSource.destroy();
    }
    expect(await failure(await media(oldFileId))).toEqual({ status: 404, reason: 'MEDIA_GONE' });
    expect(graph.requests.filter((r) => r.path === new URL(oldUrl).pathname)).toEqual([]);
    expect((await media(recentFileId)).status).toBe(200);
  });

  it('refuses callers without a service token', async () => {
    expect((await media('https://cdn.example/p.jpg', 'Bearer nope')).status).toBe(401);
  });
});
