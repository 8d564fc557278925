import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { channelMediaPath, createLogger, signServiceToken } from '@switchboard/service-kit';
import { ViberApiDouble, createTestDatabase, freePort, integrationSuite, nextViberToken, viberCallbacks, type TestDatabase } from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { channelViberConfigSchema, startChannelViberService, type RunningChannelViber, type ViberConnectionView } from '../src';

jest.setTimeout(60_000);

const BOT = { token: '4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f', id: 'pa:5638101235434568700', name: 'Кава Shop', uri: 'kavashop' };
const JWT_SECRET = 'integration-test-secret-of-32-chars!!';
const CUSTOMER = { id: '01234567890A=', name: 'Оксана Коваль', language: 'uk', country: 'UA' };

/**
 * The files service's view of the Viber connector: a customer's media arrive in a signed callback and are
 * then served by GET /internal/media/:connectionId/:platformFileId (service token), even after Viber's
 * link has expired, because the connector kept the bytes at receipt (decision 0035).
 */
integrationSuite(['postgres'], 'channel-viber media integration tests')('channel-viber internal media endpoint', () => {
  const logger = createLogger('channel-viber-media-test', process.env['LOG_LEVEL'] ?? 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let viber: ViberApiDouble;
  let service: RunningChannelViber;
  let connection: ViberConnectionView;

  beforeAll(async () => {
    database = await createTestDatabase('channel_viber_media');
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    viber = new ViberApiDouble({ bots: [BOT] });
    await viber.start();
    const port = await freePort();
    service = await startChannelViberService({
      config: channelViberConfigSchema.parse({
        PORT: String(port),
        DATABASE_URL: database.url,
        JWT_SECRET,
        VIBER_API_BASE_URL: viber.baseUrl,
        PUBLIC_WEBHOOK_BASE_URL: `http://127.0.0.1:${port}`,
        CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        VIBER_MEDIA_MAX_BYTES: String(64 * 1024),
      }),
      logger,
      bus,
      host: '127.0.0.1',
    });
    connection = await service.connectBot({ token: BOT.token, displayName: 'Кава (Viber)', senderName: 'Кава Shop' });
  });

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await viber?.stop();
    await database?.drop();
  });

  async function media(platformFileId: string, token?: string): Promise<Response> {
    const authorization = token ?? `Bearer ${await signServiceToken({ service: 'files', secret: JWT_SECRET })}`;
    return fetch(`${service.url}${channelMediaPath({ connectionId: connection.id, platformFileId })}`, { headers: { authorization } });
  }

  async function reason(response: Response): Promise<{ status: number; reason: string }> {
    return { status: response.status, reason: ((await response.json()) as { error: { reason: string } }).error.reason };
  }

  it("serves a customer's photo and file with the bytes Viber hosted, after the links expired", async () => {
    const photo = randomBytes(5_000);
    const document = Buffer.from('%PDF-1.7\n%%EOF\n');
    const photoUrl = viber.hostMedia(photo, 'image/jpeg');
    const documentUrl = viber.hostMedia(document, 'application/pdf');
    const photoToken = nextViberToken();
    const documentToken = nextViberToken();
    expect((await viber.deliver(BOT.token, viberCallbacks.message({ token: photoToken, sender: CUSTOMER, message: { type: 'picture', text: 'фото', media: photoUrl, size: photo.length } }))).status).toBe(200);
    expect(
      (await viber.deliver(BOT.token, viberCallbacks.message({ token: documentToken, sender: CUSTOMER, message: { type: 'file', media: documentUrl, file_name: 'Накладна.pdf', size: document.length } })))
        .status,
    ).toBe(200);
    viber.expireMedia(photoUrl);
    viber.expireMedia(documentUrl);

    const servedPhoto = await media(`viber-media:${photoToken}`);
    expect(servedPhoto.status).toBe(200);
    expect(servedPhoto.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await servedPhoto.arrayBuffer()).equals(photo)).toBe(true);
    const servedDocument = await media(`viber-media:${documentToken}`);
    expect(servedDocument.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await servedDocument.arrayBuffer()).equals(document)).toBe(true);
  });

  it('answers 404 MEDIA_GONE for unknown or never-downloaded media and 413 for media over the limit', async () => {
    expect(await reason(await media(`viber-media:${nextViberToken()}`))).toEqual({ status: 404, reason: 'MEDIA_GONE' });
    expect(await reason(await media('AgACAgIAAxkBAAIB'))).toEqual({ status: 404, reason: 'MEDIA_GONE' });

    const expired = viber.hostMedia(Buffer.from('gone'), 'application/pdf');
    viber.expireMedia(expired);
    const expiredToken = nextViberToken();
    await viber.deliver(BOT.token, viberCallbacks.message({ token: expiredToken, sender: CUSTOMER, message: { type: 'file', media: expired, file_name: 'a.pdf', size: 4 } }));
    expect(await reason(await media(`viber-media:${expiredToken}`))).toEqual({ status: 404, reason: 'MEDIA_GONE' });

    const huge = viber.hostMedia(randomBytes(65 * 1024), 'video/mp4');
    const hugeToken = nextViberToken();
    await viber.deliver(BOT.token, viberCallbacks.message({ token: hugeToken, sender: CUSTOMER, message: { type: 'video', media: huge, size: 65 * 1024 } }));
    expect(await reason(await media(`viber-media:${hugeToken}`))).toEqual({ status: 413, reason: 'MEDIA_TOO_LARGE' });
  });

  it('refuses callers without a service token', async () => {
    expect((await media('viber-media:1', 'Bearer not-a-token')).status).toBe(401);
    expect((await media('viber-media:1', '')).status).toBe(401);
  });
});
