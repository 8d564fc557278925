/**
 * Issues 7 and 5, an operator's attachment on every platform (decision 0036), through the gateway on both
 * runtimes: the operator uploads a file to the chat (createFileUpload + the upload link) and sends it with
 * sendMessage(fileIds); Telegram gets it as a multipart upload, Viber as a signed files-service link it
 * downloads, WhatsApp as an uploaded media id, Messenger as filedata in the Send API call, Instagram (which
 * takes media only by URL) as a signed files-service link in payload.url that Meta downloads, a Facebook comment
 * reply's photo as a signed link in attachment_url that Facebook downloads: each double holds the exact bytes. A
 * file the platform would refuse (too large for WhatsApp images, a type WhatsApp or a comment reply does not
 * take, any file on a private comment reply) is refused by sendMessage with a typed error before anything is
 * stored or sent; a disguised file is refused at upload.
 */
import { startEmbeddedPostgres } from '@switchboard/persistence';
import { createLogger } from '@switchboard/service-kit';
import { startSwitchboard, type RunningSwitchboard } from '@switchboard/standalone';
import {
  MetaGraphApiDouble,
  TelegramBotApiDouble,
  ViberApiDouble,
  createTestDatabase,
  feedCommentChange,
  freePort,
  metaTextMessage,
  metaWebhook,
  nextViberToken,
  postMetaWebhook,
  postWhatsAppWebhook,
  startKafkaMockCluster,
  viberCallbacks,
  waMessagesChange,
  waText,
  waWebhook,
  waitFor,
  type UploadedFile,
} from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { GraphQLClient } from './support/graphql-client';
import { E2E_KAFKA_MAX_WAIT_MS, availableRuntimes } from './support/infra';

jest.setTimeout(180_000);

const ADMIN = { email: 'admin@switchboard.test', password: 'correct-horse-battery', name: 'Ada Admin' };
const TG_BOT = { token: '777001:attachments-e2e-token', id: 777001, username: 'attachments_e2e_bot', firstName: 'Attachments' };
const VIBER_BOT = { token: '7753b6ac12345678-e02c5f12174805f9-daec9cbb5448c777', id: 'pa:5638101235434560777', name: 'Файли Shop' };
const VIBER_CUSTOMER = { id: 'vIbErCuStOmEr777A=', name: 'Оксана Viber' };
const WA_NUMBER = { phoneNumberId: '106540352240777', wabaId: '102290129340777', displayPhoneNumber: '15550000777', verifiedName: 'Files Ltd' };
const WA_CREDENTIALS = { accessToken: `EAAG${'w'.repeat(40)}`, appSecret: 'a1b2c3d4e5f60718293a4b5c6d7e8777', verifyToken: 'e2e-files-verify-token-7' };
const WA_CUSTOMER = { waId: '380501110777', name: 'Оксана WhatsApp' };
const APP_SECRET = 'c0ffee00c0ffee00c0ffee00c0ff0777';
const PAGE = { pageId: '104857600000707', name: 'Files Page', accessToken: `EAAB${'z'.repeat(40)}`, appSecret: APP_SECRET };
const PSID = '6000000000000707';
const IG = { accountId: '17841400000000707', username: 'files.shop.ua' };
const IGSID = '7000000000000707';
const MB = 1024 * 1024;

const jpeg = (size: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), randomBytes(size)]);
const png = (size: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(size)]);
const pdf = () => Buffer.from(`%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n${randomBytes(2_000).toString('hex')}\ntrailer << >>\n%%EOF\n`);

type MessageNode = { id: string; direction: string; text: string | null; attachments: { kind: string; fileName: string | null; mimeType: string | null; sizeBytes: number | null }[]; deliveryState: string | null };
type ChatNode = { id: string; source: { channel: string }; messages: { edges: { node: MessageNode }[] } };
const CHATS = `{ chats(first: 50) { edges { node { id source { channel } messages(first: 20) { edges { node { id direction text attachments { kind fileName mimeType sizeBytes } deliveryState } } } } } } }`;
const SEND = `mutation ($input: SendMessageInput!) { sendMessage(input: $input) { message { id text deliveryState attachments { kind fileName mimeType sizeBytes } } } }`;

describe.each(availableRuntimes())('operator attachments to every platform on the %s runtime', (runtime) => {
  let switchboard: RunningSwitchboard;
  let telegram: TelegramBotApiDouble;
  let viber: ViberApiDouble;
  let graph: MetaGraphApiDouble;
  let client: GraphQLClient;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    let databaseUrl: string;
    let kafkaBrokers: string[] | undefined;
    if (runtime === 'kafka') {
      const db = await createTestDatabase('e2e_attachments');
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
    telegram = new TelegramBotApiDouble();
    await telegram.start();
    cleanups.push(() => telegram.stop());
    telegram.registerBot(TG_BOT);
    viber = new ViberApiDouble({ bots: [VIBER_BOT] });
    await viber.start();
    cleanups.push(() => viber.stop());
    graph = new MetaGraphApiDouble();
    await graph.start();
    cleanups.push(() => graph.stop());
    graph.registerWhatsAppNumber({ ...WA_NUMBER, accessToken: WA_CREDENTIALS.accessToken, appSecret: WA_CREDENTIALS.appSecret });
    graph.registerPage({ ...PAGE, instagram: IG });
    const channelViberPort = await freePort();
    switchboard = await startSwitchboard({
      databaseUrl,
      ...(kafkaBrokers ? { kafkaBrokers, kafkaMaxWaitMs: E2E_KAFKA_MAX_WAIT_MS } : {}),
      jwtSecret: randomBytes(32).toString('hex'),
      credentialsKey: randomBytes(32).toString('base64'),
      telegramApiBaseUrl: telegram.baseUrl,
      telegramPollTimeoutSeconds: 1,
      viberApiBaseUrl: viber.baseUrl,
      viberWebhookBaseUrl: `http://127.0.0.1:${channelViberPort}`,
      metaGraphApiBaseUrl: graph.baseUrl,
      ports: { channelViber: channelViberPort },
      admin: ADMIN,
      logger: createLogger('e2e', process.env.LOG_LEVEL ?? 'warn', { nameKey: 'process' }),
    });
    // Kafka consumers join their groups in the background; start from a stack whose consumers are in place.
    await switchboard.bus.transport.consumersJoined();
    cleanups.push(() => switchboard.stop());
    client = new GraphQLClient(switchboard.gateway.url);
    await client.login(ADMIN.email, ADMIN.password);
    await client.request(`mutation ($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { id } } }`, { input: { token: TG_BOT.token } });
    await client.request(`mutation ($input: ConnectViberBotInput!) { connectViberBot(input: $input) { connection { id } } }`, { input: { token: VIBER_BOT.token, displayName: 'Файли (Viber)' } });
    await client.request(`mutation ($input: ConnectWhatsAppNumberInput!) { connectWhatsAppNumber(input: $input) { connection { id } } }`, {
      input: { phoneNumberId: WA_NUMBER.phoneNumberId, wabaId: WA_NUMBER.wabaId, ...WA_CREDENTIALS, displayName: 'Files WhatsApp' },
    });
    await client.request(`mutation ($input: ConnectMetaPageInput!) { connectMetaPage(input: $input) { connection { id } } }`, {
      input: { pageId: PAGE.pageId, accessToken: PAGE.accessToken, appSecret: APP_SECRET, verifyToken: 'e2e-files-meta-verify-7', instagramAccountId: IG.accountId },
    });

    // One customer writes on each channel, so each has a chat to answer.
    telegram.customer(TG_BOT.token, { id: 880777, firstName: 'Оксана Telegram' }).sendText('Надішліть рахунок, будь ласка');
    viber.setSubscribed(VIBER_BOT.token, VIBER_CUSTOMER.id, true);
    await viber.deliver(VIBER_BOT.token, viberCallbacks.message({ token: nextViberToken(), sender: { id: VIBER_CUSTOMER.id, name: VIBER_CUSTOMER.name }, message: { type: 'text', text: 'Надішліть фото' } }));
    const wa = waWebhook([{ wabaId: WA_NUMBER.wabaId, changes: [waMessagesChange({ number: WA_NUMBER, contacts: [WA_CUSTOMER], messages: [waText(WA_CUSTOMER, 'Потрібен каталог')] })] }]);
    expect((await postWhatsAppWebhook(`${switchboard.urls.channelWhatsApp}/webhooks/whatsapp`, wa, { appSecret: WA_CREDENTIALS.appSecret })).status).toBe(200);
    const messenger = metaWebhook('page', [{ id: PAGE.pageId, messaging: [metaTextMessage({ from: PSID, to: PAGE.pageId, text: 'Можна схему?' })] }]);
    expect((await postMetaWebhook(`${switchboard.channelMeta.url}/webhooks/meta`, messenger, { appSecret: APP_SECRET })).status).toBe(200);
    const instagram = metaWebhook('instagram', [{ id: IG.accountId, messaging: [metaTextMessage({ from: IGSID, to: IG.accountId, text: 'Є фото в іншому кольорі?' })] }]);
    expect((await postMetaWebhook(`${switchboard.channelMeta.url}/webhooks/meta`, instagram, { appSecret: APP_SECRET })).status).toBe(200);
    await waitFor(async () => (await chats()).length === 5, { description: 'a chat on each of the five channels', timeoutMs: 60_000 });
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function chats(): Promise<ChatNode[]> {
    return (await client.request<{ chats: { edges: { node: ChatNode }[] } }>(CHATS)).chats.edges.map((e) => e.node);
  }
  const chatOn = async (channel: string) => (await chats()).find((c) => c.source.channel === channel)!;

  /** createFileUpload, then the raw bytes to the link, as the console does. */
  async function upload(chatId: string, name: string, bytes: Buffer): Promise<{ status: number; body: { file?: { id: string }; error?: { reason: string; message: string } } }> {
    const link = await client.request<{ createFileUpload: { uploadUrl: string } }>(`mutation ($c: ID!) { createFileUpload(chatId: $c) { uploadUrl } }`, { c: chatId });
    const url = new URL(link.createFileUpload.uploadUrl);
    url.searchParams.set('name', name);
    const response = await fetch(url, { method: 'POST', body: bytes });
    return { status: response.status, body: (await response.json()) as never };
  }

  async function uploaded(chatId: string, name: string, bytes: Buffer): Promise<string> {
    const answer = await upload(chatId, name, bytes);
    expect(answer.status).toBe(201);
    return answer.body.file!.id;
  }

  async function sendFiles(chatId: string, text: string, fileIds: string[]): Promise<{ id: string; attachments: MessageNode['attachments'] }> {
    return (await client.request<{ sendMessage: { message: { id: string; attachments: MessageNode['attachments'] } } }>(SEND, { input: { chatId, text, fileIds } })).sendMessage.message;
  }

  const waitSent = (channel: string, messageId: string) =>
    waitFor(async () => (await chatOn(channel)).messages.edges.find((e) => e.node.id === messageId)?.node.deliveryState === 'SENT', { description: `the ${channel} message sent`, timeoutMs: 30_000 });

  it('Telegram: the photo arrives as a multipart sendPhoto upload with the caption', async () => {
    const chat = await chatOn('TELEGRAM');
    const bytes = jpeg(40_000);
    const fileId = await uploaded(chat.id, 'рахунок.jpg', bytes);
    const message = await sendFiles(chat.id, 'Ось рахунок', [fileId]);
    expect(message.attachments).toEqual([{ kind: 'image', fileName: 'рахунок.jpg', mimeType: 'image/jpeg', sizeBytes: bytes.length }]);
    await waitSent('TELEGRAM', message.id);
    const [call] = telegram.requestsFor(TG_BOT.token, 'sendPhoto');
    expect((call!.params['photo'] as UploadedFile).bytes.equals(bytes)).toBe(true);
    expect(call!.params['caption']).toBe('Ось рахунок');
  });

  it('Viber: the picture goes as a signed files-service link that Viber downloads', async () => {
    const chat = await chatOn('VIBER');
    const bytes = jpeg(30_000);
    const fileId = await uploaded(chat.id, 'фото.jpg', bytes);
    const message = await sendFiles(chat.id, 'Фото товару', [fileId]);
    await waitSent('VIBER', message.id);
    const sent = viber.sentMessages(VIBER_BOT.token).find((s) => s.body['type'] === 'picture')!;
    expect(sent.body).toMatchObject({ text: 'Фото товару', media: expect.stringContaining(`/files/${fileId}/content?token=`) });
    expect(sent.media && 'bytes' in sent.media && sent.media.bytes.equals(bytes)).toBe(true);
  });

  it('WhatsApp: the document is uploaded to the number’s media and sent by id', async () => {
    const chat = await chatOn('WHATSAPP');
    const bytes = pdf();
    const fileId = await uploaded(chat.id, 'Каталог.pdf', bytes);
    const message = await sendFiles(chat.id, '', [fileId]);
    await waitSent('WHATSAPP', message.id);
    const sent = graph.sentBy(WA_NUMBER.phoneNumberId).find((s) => s.body['type'] === 'document')!;
    const document = sent.body['document'] as { id: string; filename: string };
    expect(document.filename).toBe('Каталог.pdf');
    expect(graph.mediaById(document.id)!.bytes.equals(bytes)).toBe(true);
  });

  it('Messenger: the image is uploaded as filedata with the Send API call', async () => {
    const chat = await chatOn('MESSENGER');
    const bytes = jpeg(25_000);
    const fileId = await uploaded(chat.id, 'схема.jpg', bytes);
    const message = await sendFiles(chat.id, 'Схема', [fileId]);
    await waitSent('MESSENGER', message.id);
    const post = graph.postsTo(PAGE.pageId, 'messages').find((p) => p.file)!;
    expect(post.body['message']).toMatchObject({ attachment: { type: 'image', payload: { is_reusable: false } } });
    expect(post.file!.bytes.equals(bytes)).toBe(true);
  });

  it('Instagram: the image goes as a signed files-service link in payload.url that Meta downloads', async () => {
    const chat = await chatOn('INSTAGRAM');
    const bytes = jpeg(35_000);
    const fileId = await uploaded(chat.id, 'колір.jpg', bytes);
    const message = await sendFiles(chat.id, 'Ось у синьому', [fileId]);
    await waitSent('INSTAGRAM', message.id);
    const posts = graph.postsTo(IG.accountId, 'messages');
    expect(posts.map((p) => p.body['message'])).toEqual([
      { text: 'Ось у синьому' },
      { attachment: { type: 'image', payload: { is_reusable: false, url: expect.stringContaining(`/files/${fileId}/content?token=`) } } },
    ]);
    expect(posts[1]!.body['recipient']).toEqual({ id: IGSID });
    // Meta fetched the link when the message was sent: the double holds what it downloaded.
    expect(posts[1]!.file!.bytes.equals(bytes)).toBe(true);
  });

  it('Facebook comments: a public reply’s photo goes as a signed link in attachment_url that Facebook downloads; a PDF or a private photo is refused', async () => {
    const commentId = '707_1';
    graph.registerComment({ commentId, ownerId: PAGE.pageId, createdAt: new Date() });
    const change = feedCommentChange({ pageId: PAGE.pageId, postId: `${PAGE.pageId}_707`, commentId, from: { id: '8000000000000707', name: 'Оксана Facebook' }, message: 'Покажіть фото' });
    expect((await postMetaWebhook(`${switchboard.channelMeta.url}/webhooks/meta`, metaWebhook('page', [{ id: PAGE.pageId, changes: [change] }]), { appSecret: APP_SECRET })).status).toBe(200);
    const chat = await waitFor(async () => (await chats()).find((c) => c.source.channel === 'FACEBOOK_COMMENTS'), { description: 'the comment chat', timeoutMs: 30_000 });
    const bytes = png(30_000);
    const fileId = await uploaded(chat.id, 'фото.png', bytes);
    const message = await sendFiles(chat.id, 'Ось фото', [fileId]);
    expect(message.attachments).toEqual([{ kind: 'image', fileName: 'фото.png', mimeType: 'image/png', sizeBytes: bytes.length }]);
    await waitSent('FACEBOOK_COMMENTS', message.id);
    const [reply] = graph.postsTo(commentId, 'comments');
    expect(reply!.body).toEqual({ message: 'Ось фото', attachment_url: expect.stringContaining(`/files/${fileId}/content?token=`) });
    // Facebook fetched the link when the reply was posted: the double holds what it downloaded.
    expect(reply!.file!.mimeType).toBe('image/png');
    expect(reply!.file!.bytes.equals(bytes)).toBe(true);

    const messagesBefore = (await chatOn('FACEBOOK_COMMENTS')).messages.edges.length;
    const postsBefore = graph.requests.filter((r) => r.method === 'POST').length;
    const pdfId = await uploaded(chat.id, 'прайс.pdf', pdf());
    const wrongType = await client.raw(SEND, { input: { chatId: chat.id, text: 'Прайс', fileIds: [pdfId] } });
    expect(wrongType.body.errors?.[0]).toMatchObject({ message: '"прайс.pdf" is application/pdf, which a Facebook comment reply does not accept', extensions: { code: 'MEDIA_TYPE_NOT_ALLOWED' } });
    const privately = await client.raw(SEND, { input: { chatId: chat.id, text: 'Фото приватно', fileIds: [fileId], commentReply: 'PRIVATE' } });
    expect(privately.body.errors?.[0]).toMatchObject({ message: 'A private comment reply carries text only: attach the file to a public reply instead', extensions: { code: 'BAD_USER_INPUT' } });
    expect((await chatOn('FACEBOOK_COMMENTS')).messages.edges).toHaveLength(messagesBefore);
    expect(graph.requests.filter((r) => r.method === 'POST')).toHaveLength(postsBefore);
  });

  it('refuses what the platform would reject with a typed error before anything is stored or sent, and disguised files at upload', async () => {
    const chat = await chatOn('WHATSAPP');
    const messagesBefore = (await chatOn('WHATSAPP')).messages.edges.length;
    const postsBefore = graph.requests.filter((r) => r.method === 'POST').length;

    const bigPhoto = await uploaded(chat.id, 'panorama.jpg', jpeg(6 * MB));
    const tooLarge = await client.raw(SEND, { input: { chatId: chat.id, text: 'Панорама', fileIds: [bigPhoto] } });
    expect(tooLarge.body.errors?.[0]?.extensions?.code).toBe('MEDIA_TOO_LARGE');
    expect(tooLarge.body.errors?.[0]?.message).toMatch(/^"panorama\.jpg" is 6\.0 MB; WhatsApp takes image\/jpeg files up to 5 MB$/);

    const zip = await uploaded(chat.id, 'photos.zip', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), randomBytes(2_000)]));
    const wrongType = await client.raw(SEND, { input: { chatId: chat.id, text: 'Архів', fileIds: [zip] } });
    expect(wrongType.body.errors?.[0]?.extensions?.code).toBe('MEDIA_TYPE_NOT_ALLOWED');

    // Another chat's file cannot be sent here.
    const telegramFile = await uploaded((await chatOn('TELEGRAM')).id, 'чужий.pdf', pdf());
    const foreign = await client.raw(SEND, { input: { chatId: chat.id, text: 'чужий', fileIds: [telegramFile] } });
    expect(foreign.body.errors?.[0]?.extensions?.code).toBe('FILE_NOT_ATTACHABLE');

    const disguised = await upload(chat.id, 'photo.jpg', pdf());
    expect({ status: disguised.status, reason: disguised.body.error?.reason }).toEqual({ status: 415, reason: 'FILE_TYPE_MISMATCH' });

    expect((await chatOn('WHATSAPP')).messages.edges).toHaveLength(messagesBefore);
    expect(graph.requests.filter((r) => r.method === 'POST')).toHaveLength(postsBefore);
  });
});
