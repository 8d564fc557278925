/**
 * Issue 7: a file a customer sends on Viber, WhatsApp, Messenger and Instagram reaches the operator's
 * download through the gateway on both runtimes, byte for byte, and a photo gets a thumbnail. Each platform
 * double serves the bytes as the platform does: Viber a media URL in the callback (kept by the connector at
 * once, the link then expires), WhatsApp a media id resolved with GET /{media-id} and a download needing the
 * access token, Meta a pre-signed CDN URL. The files service pulls each from its connector (decision 0035).
 */
import { startEmbeddedPostgres } from '@switchboard/persistence';
import { createLogger } from '@switchboard/service-kit';
import { startSwitchboard, type RunningSwitchboard } from '@switchboard/standalone';
import {
  MetaGraphApiDouble,
  ViberApiDouble,
  createTestDatabase,
  freePort,
  metaMessaging,
  metaWebhook,
  newMid,
  nextViberToken,
  postMetaWebhook,
  postWhatsAppWebhook,
  startKafkaMockCluster,
  viberCallbacks,
  waMessage,
  waMessagesChange,
  waWebhook,
  waitFor,
} from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { GraphQLClient } from './support/graphql-client';
import { E2E_KAFKA_MAX_WAIT_MS, availableRuntimes } from './support/infra';

jest.setTimeout(180_000);

const ADMIN = { email: 'admin@switchboard.test', password: 'correct-horse-battery', name: 'Ada Admin' };
const VIBER_BOT = { token: '4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f', id: 'pa:5638101235434568700', name: 'Кава Shop' };
const VIBER_CUSTOMER = { id: 'oKsAnA01234567A=', name: 'Оксана Viber', language: 'uk' };
const APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const NUMBER = { phoneNumberId: '106540352242999', wabaId: '102290129340999', displayPhoneNumber: '15550009999', verifiedName: 'Shop Ltd' };
const WA_TOKEN = `EAAG${'w'.repeat(40)}`;
const WA_CUSTOMER = { waId: '380501119999', name: 'Тарас WhatsApp' };
const PAGE = { pageId: '104857600000999', name: 'Shop Page', accessToken: `EAAB${'f'.repeat(40)}`, appSecret: APP_SECRET };
const IG = { accountId: '17841400000000999', username: 'shop.ua' };
const PSID = '6000000000000999';
const IGSID = '7000000000000999';

type FileNode = { state: string; kind: string; mimeType: string | null; fileName: string | null; failure: string | null; downloadUrl: string | null; thumbnailUrl: string | null };
const FILES = `query($id: ID!) { chat(id: $id) { files(first: 20) { edges { node { state kind mimeType fileName failure downloadUrl thumbnailUrl } } } } }`;

/** A real JPEG (the thumbnailer decodes it), 1200 x 800. */
const photo = () => sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 180, g: 40, b: 90 } } }).jpeg({ quality: 80 }).toBuffer();
const pdf = (title: string) => Buffer.from(`%PDF-1.7\n1 0 obj << /Title (${title}) >> endobj\ntrailer << >>\n%%EOF\n`);

describe.each(availableRuntimes())("customers' files from Viber, WhatsApp, Messenger and Instagram on the %s runtime", (runtime) => {
  let switchboard: RunningSwitchboard;
  let viber: ViberApiDouble;
  let graph: MetaGraphApiDouble;
  let client: GraphQLClient;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    let databaseUrl: string;
    let kafkaBrokers: string[] | undefined;
    if (runtime === 'kafka') {
      const db = await createTestDatabase('e2e_channel_media');
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
    viber = new ViberApiDouble({ bots: [VIBER_BOT] });
    await viber.start();
    cleanups.push(() => viber.stop());
    graph = new MetaGraphApiDouble();
    await graph.start();
    cleanups.push(() => graph.stop());
    graph.registerWhatsAppNumber({ ...NUMBER, accessToken: WA_TOKEN, appSecret: APP_SECRET });
    graph.registerPage({ ...PAGE, instagram: IG });
    const filesDir = await mkdtemp(join(tmpdir(), 'switchboard-e2e-media-'));
    cleanups.push(() => rm(filesDir, { recursive: true, force: true }));
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
      metaGraphApiBaseUrl: graph.baseUrl,
      ports: { channelViber: channelViberPort },
      filesDir,
      admin: ADMIN,
      logger: createLogger('e2e', process.env.LOG_LEVEL ?? 'warn', { nameKey: 'process' }),
    });
    // Kafka consumers join their groups in the background; start from a stack whose consumers are in place.
    await switchboard.bus.transport.consumersJoined();
    cleanups.push(() => switchboard.stop());
    client = new GraphQLClient(switchboard.gateway.url);
    await client.login(ADMIN.email, ADMIN.password);
    await client.request(`mutation ($input: ConnectViberBotInput!) { connectViberBot(input: $input) { connection { id } } }`, { input: { token: VIBER_BOT.token, displayName: 'Кава (Viber)' } });
    await client.request(`mutation ($input: ConnectWhatsAppNumberInput!) { connectWhatsAppNumber(input: $input) { connection { id } } }`, {
      input: { phoneNumberId: NUMBER.phoneNumberId, wabaId: NUMBER.wabaId, accessToken: WA_TOKEN, appSecret: APP_SECRET, verifyToken: 'e2e-media-verify-token-1', displayName: 'Shop WhatsApp' },
    });
    await client.request(`mutation ($input: ConnectMetaPageInput!) { connectMetaPage(input: $input) { connection { id } } }`, {
      input: { pageId: PAGE.pageId, accessToken: PAGE.accessToken, appSecret: APP_SECRET, verifyToken: 'e2e-media-verify-token-2', instagramAccountId: IG.accountId },
    });
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  /** The stored files of the chat of `channel`, once `count` of them are no longer pending. */
  async function settledFiles(channel: string, count: number): Promise<FileNode[]> {
    return waitFor(
      async () => {
        const chats = await client.request<{ chats: { edges: { node: { id: string; source: { channel: string } } }[] } }>(`{ chats(first: 50) { edges { node { id source { channel } } } } }`);
        const chat = chats.chats.edges.map((e) => e.node).find((c) => c.source.channel === channel);
        if (!chat) return undefined;
        const files = (await client.request<{ chat: { files: { edges: { node: FileNode }[] } } }>(FILES, { id: chat.id })).chat.files.edges.map((e) => e.node);
        return files.length === count && files.every((f) => f.state !== 'PENDING') ? files : undefined;
      },
      { timeoutMs: 60_000, description: `${count} ${channel} files to be fetched` },
    );
  }

  async function bytesOf(url: string | null): Promise<Buffer> {
    expect(url).not.toBeNull();
    const response = await fetch(url!);
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  }

  /** The image is stored as sent, and its thumbnail is a WebP of at most 320 px a side. */
  async function expectPhotoWithThumbnail(file: FileNode | undefined, sent: Buffer): Promise<void> {
    expect(file).toMatchObject({ state: 'STORED', kind: 'image', mimeType: 'image/jpeg' });
    expect((await bytesOf(file!.downloadUrl)).equals(sent)).toBe(true);
    const thumbnail = await sharp(await bytesOf(file!.thumbnailUrl)).metadata();
    expect({ format: thumbnail.format, width: thumbnail.width, height: thumbnail.height }).toEqual({ format: 'webp', width: 320, height: 213 });
  }

  async function expectDocument(file: FileNode | undefined, sent: Buffer, fileName: string | null): Promise<void> {
    expect(file).toMatchObject({ state: 'STORED', kind: 'document', mimeType: 'application/pdf', fileName, thumbnailUrl: null });
    expect((await bytesOf(file!.downloadUrl)).equals(sent)).toBe(true);
  }

  it("stores a Viber customer's photo and file, though Viber's links expired right after the callback", async () => {
    const image = await photo();
    const document = pdf('viber');
    const imageUrl = viber.hostMedia(image, 'image/jpeg');
    const documentUrl = viber.hostMedia(document, 'application/pdf');
    await viber.deliver(VIBER_BOT.token, viberCallbacks.message({ token: nextViberToken(), sender: VIBER_CUSTOMER, message: { type: 'picture', text: 'Фото', media: imageUrl, size: image.length } }));
    await viber.deliver(VIBER_BOT.token, viberCallbacks.message({ token: nextViberToken(), sender: VIBER_CUSTOMER, message: { type: 'file', media: documentUrl, file_name: 'Рахунок.pdf', size: document.length } }));
    viber.expireMedia(imageUrl);
    viber.expireMedia(documentUrl);
    const files = await settledFiles('VIBER', 2);
    await expectPhotoWithThumbnail(files.find((f) => f.kind === 'image'), image);
    await expectDocument(files.find((f) => f.kind === 'document'), document, 'Рахунок.pdf');
  });

  it("stores a WhatsApp customer's photo and document, fetched by media id with the access token", async () => {
    const image = await photo();
    const document = pdf('whatsapp');
    const imageId = graph.addMedia(NUMBER.phoneNumberId, 'image/jpeg', image);
    const documentId = graph.addMedia(NUMBER.phoneNumberId, 'application/pdf', document);
    const messages = [
      waMessage({ from: WA_CUSTOMER, type: 'image', payload: { id: imageId, mime_type: 'image/jpeg', sha256: 'h', caption: 'Фото' } }),
      waMessage({ from: WA_CUSTOMER, type: 'document', payload: { id: documentId, mime_type: 'application/pdf', sha256: 'h', filename: 'Накладна.pdf' } }),
    ];
    const webhook = waWebhook([{ wabaId: NUMBER.wabaId, changes: [waMessagesChange({ number: NUMBER, contacts: [WA_CUSTOMER], messages })] }]);
    expect((await postWhatsAppWebhook(`${switchboard.urls.channelWhatsApp}/webhooks/whatsapp`, webhook, { appSecret: APP_SECRET })).status).toBe(200);
    const files = await settledFiles('WHATSAPP', 2);
    await expectPhotoWithThumbnail(files.find((f) => f.kind === 'image'), image);
    await expectDocument(files.find((f) => f.kind === 'document'), document, 'Накладна.pdf');
  });

  it("stores a Messenger customer's file and an Instagram customer's photo from Meta's CDN", async () => {
    const document = pdf('messenger');
    const image = await photo();
    const attachment = (from: string, to: string, type: string, url: string) => metaMessaging({ from, to, event: { message: { mid: newMid(), attachments: [{ type, payload: { url } }] } } });
    const post = (payload: unknown) => postMetaWebhook(`${switchboard.channelMeta.url}/webhooks/meta`, payload, { appSecret: APP_SECRET });
    expect((await post(metaWebhook('page', [{ id: PAGE.pageId, messaging: [attachment(PSID, PAGE.pageId, 'file', graph.hostCdnMedia(document, 'application/pdf'))] }]))).status).toBe(200);
    expect((await post(metaWebhook('instagram', [{ id: IG.accountId, messaging: [attachment(IGSID, IG.accountId, 'image', graph.hostCdnMedia(image, 'image/jpeg'))] }]))).status).toBe(200);
    await expectDocument((await settledFiles('MESSENGER', 1))[0], document, null);
    await expectPhotoWithThumbnail((await settledFiles('INSTAGRAM', 1))[0], image);
  });
});
