/**
 * The Meta connector as a running service: real PostgreSQL, the log bus and the Graph API double. Signed
 * Messenger, Instagram and comment webhooks (batched, duplicated, out of order, unknown types) and sends in
 * the shape the double received (a Facebook comment photo fetched from a files-service link, as Facebook does).
 * What the chat service makes of the events is the e2e suite's concern.
 */
import {
  CommentReceivedV1,
  DeliveryResultV1,
  MessageEchoedV1,
  MessageReceivedV1,
  OperatorTypingV1,
  ReceiptReceivedV1,
  SendMessageRequestedV1,
  TOPICS,
  UnrecognisedPayloadV1,
  createEnvelope,
  outboundTopic,
  parseEvent,
  type Envelope,
} from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { createLogger } from '@switchboard/service-kit';
import {
  FilesInternalDouble,
  MetaGraphApiDouble,
  createTestDatabase,
  feedCommentChange,
  freePort,
  instagramCommentChange,
  integrationSuite,
  metaEcho,
  metaMessaging,
  metaTextMessage,
  metaWebhook,
  newMid,
  postMetaWebhook,
  waitFor,
  type TestDatabase,
} from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { channelMetaConfigSchema, startChannelMetaService, type MetaConnectionView, type RunningChannelMeta } from '../src';

jest.setTimeout(60_000);

const JWT_SECRET = 'integration-test-secret-of-32-chars!!';
const APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const PAGE = { pageId: '104857600000001', name: 'Shop Page', accessToken: `EAAB${'p'.repeat(40)}`, appSecret: APP_SECRET };
const IG = { accountId: '17841400000000001', username: 'shop.ua' };
const VERIFY_TOKEN = 'meta-verify-token-0123456789';
const PSID = '6000000000000001';
const IGSID = '7000000000000001';

integrationSuite(['postgres'], 'channel-meta integration')('channel-meta (PostgreSQL, log bus, Graph API double)', () => {
  const logger = createLogger('channel-meta-test', process.env['LOG_LEVEL'] ?? 'silent');
  let database: TestDatabase;
  let bus: EventBus;
  let graph: MetaGraphApiDouble;
  let files: FilesInternalDouble;
  let service: RunningChannelMeta;
  let connection: MetaConnectionView;
  const seen: { topic: string; envelope: Envelope }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('channel_meta');
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    await bus.subscribe({
      group: 'meta-test-observer',
      topics: [TOPICS.inbound, TOPICS.unrecognised, TOPICS.delivery],
      handler: async (records) => {
        for (const { record, envelope } of records) seen.push({ topic: record.topic, envelope });
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
    connection = await service.connectPage({ pageId: PAGE.pageId, accessToken: PAGE.accessToken, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN, instagramAccountId: IG.accountId });
  });

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await files?.stop();
    await graph?.stop();
    await database?.drop();
  });

  const url = () => `${service.url}/webhooks/meta`;
  const post = (payload: unknown, appSecret = APP_SECRET, signature?: string) => postMetaWebhook(url(), payload, { appSecret, ...(signature ? { signature } : {}) });
  const inbound = () => seen.filter((s) => s.topic === TOPICS.inbound).map((s) => s.envelope);
  const ofType = <T>(contract: { type: string; schema: z.ZodType<T> } & Parameters<typeof parseEvent>[0]) =>
    inbound()
      .filter((e) => e.type === contract.type)
      .map((e) => parseEvent(contract, e).data as T);
  const messages = () => ofType(MessageReceivedV1) as z.output<typeof MessageReceivedV1.schema>[];
  const results = (commandId: string) =>
    seen.filter((s) => s.topic === TOPICS.delivery && (s.envelope.data as { commandId?: string }).commandId === commandId).map((s) => parseEvent(DeliveryResultV1, s.envelope).data);

  async function command(channel: 'messenger' | 'instagram' | 'facebook-comments' | 'instagram-comments', externalChatId: string, data: Partial<z.input<typeof SendMessageRequestedV1.schema>>) {
    const chatKey = `${connection.id}:${externalChatId}`;
    const envelope = createEnvelope(
      SendMessageRequestedV1,
      { commandId: randomUUID(), chatKey, connection: { id: connection.id, channel, displayName: 'Shop Page' }, externalChatId, attachments: [], requestedAt: new Date().toISOString(), ...data },
      { producer: 'test', key: chatKey },
    );
    await bus.publish([{ topic: outboundTopic(channel), envelope }]);
    await waitFor(() => results(envelope.data.commandId).length > 0, { description: `result of ${channel} command` });
    return results(envelope.data.commandId)[0]!;
  }

  it('connects the Page with its Instagram account, stores secrets encrypted and subscribes the app', async () => {
    expect(connection).toMatchObject({ pageName: 'Shop Page', instagramUsername: IG.username, state: 'active', subscribed: true });
    await expect(service.connectPage({ pageId: PAGE.pageId, accessToken: `EAAB${'x'.repeat(40)}`, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN })).rejects.toMatchObject({ field: 'accessToken' });
    await expect(service.connectPage({ pageId: PAGE.pageId, accessToken: PAGE.accessToken, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN, instagramAccountId: '17841499999999' })).rejects.toMatchObject({
      field: 'instagramAccountId',
    });
    expect(graph.requests.some((r) => r.method === 'POST' && r.path.endsWith(`/${PAGE.pageId}/subscribed_apps`))).toBe(true);
  });

  it('answers the handshake only with the right verify token', async () => {
    const ok = await fetch(`${url()}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=987654`);
    expect(await ok.text()).toBe('987654');
    expect((await fetch(`${url()}?hub.mode=subscribe&hub.verify_token=wrong-token-0123456789&hub.challenge=1`)).status).toBe(403);
    expect((await fetch(`${url()}?hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`)).status).toBe(403);
  });

  it('answers 401 to forged signatures and publishes nothing; 400 to a signed body that is not a Page webhook', async () => {
    const forged = metaTextMessage({ from: PSID, to: PAGE.pageId, text: 'forged' });
    const payload = metaWebhook('page', [{ id: PAGE.pageId, messaging: [forged] }]);
    expect((await post(payload, '00112233445566778899aabbccddeeff')).status).toBe(401);
    expect((await post(payload, APP_SECRET, `sha256=${'0'.repeat(64)}`)).status).toBe(401);
    expect((await post({ object: 'whatsapp_business_account', entry: [] })).status).toBe(400);
    const marker = metaTextMessage({ from: PSID, to: PAGE.pageId, text: 'marker' });
    expect((await post(metaWebhook('page', [{ id: PAGE.pageId, messaging: [marker] }]))).status).toBe(200);
    const mid = (m: Record<string, unknown>) => (m['message'] as { mid: string }).mid;
    await waitFor(() => messages().some((m) => m.platformMessageId === mid(marker)), { description: 'marker' });
    expect(messages().some((m) => m.platformMessageId === mid(forged))).toBe(false);
  });

  it('Messenger: publishes a batched, duplicated, out-of-order webhook per chat in platform order; keeps unknown types; mirrors foreign echoes only; watermarks become upTo receipts', async () => {
    const t0 = Date.now() - 60_000;
    const first = metaTextMessage({ from: PSID, to: PAGE.pageId, text: 'Привіт!', at: new Date(t0) });
    const photo = metaMessaging({ from: PSID, to: PAGE.pageId, at: new Date(t0 + 1000), event: { message: { mid: newMid(), attachments: [{ type: 'image', payload: { url: 'https://cdn.example/p.jpg' } }] } } });
    const postback = metaMessaging({ from: PSID, to: PAGE.pageId, at: new Date(t0 + 2000), event: { postback: { title: 'Так', payload: 'YES', mid: newMid() } } });
    const future = metaMessaging({ from: PSID, to: PAGE.pageId, at: new Date(t0 + 3000), event: { hologram: { v: 1 } } });
    const foreignEcho = metaEcho({ page: PAGE.pageId, to: PSID, text: 'answered from the Page inbox', at: new Date(t0 + 4000), appId: 263902037430900 });
    const ownEcho = metaEcho({ page: PAGE.pageId, to: PSID, text: 'ours', at: new Date(t0 + 5000), metadata: 'switchboard:abc' });
    const read = metaMessaging({ from: PSID, to: PAGE.pageId, at: new Date(t0 + 6000), event: { read: { watermark: t0 + 5500 } } });
    const payload = metaWebhook('page', [
      { id: PAGE.pageId, messaging: [read, ownEcho, foreignEcho, postback, first] },
      { id: PAGE.pageId, standby: [photo, first], messaging: [future] },
      { id: '999999999999', messaging: [metaTextMessage({ from: PSID, to: '999999999999', text: 'other page' })] },
    ]);
    expect((await post(payload)).status).toBe(200);
    await waitFor(() => ofType(ReceiptReceivedV1).length > 0 && inbound().some((e) => e.type === MessageEchoedV1.type), { description: 'the messenger batch' });
    const chat = messages().filter((m) => m.externalChatId === PSID && m.occurredAt >= new Date(t0).toISOString() && m.occurredAt <= new Date(t0 + 10_000).toISOString());
    expect(chat.map((m) => m.content.text ?? m.content.placeholder)).toEqual(['Привіт!', 'Привіт!', undefined, 'Так']);
    expect(chat[2]!.content.attachments).toEqual([{ kind: 'image', platformFileId: 'https://cdn.example/p.jpg' }]);
    expect(chat[0]).toMatchObject({ chatKey: `${connection.id}:${PSID}`, connection: { channel: 'messenger', displayName: 'Shop Page' }, customer: { externalId: PSID } });
    const echoes = inbound().filter((e) => e.type === MessageEchoedV1.type).map((e) => parseEvent(MessageEchoedV1, e).data);
    expect(echoes.map((e) => e.content.text)).toEqual(['answered from the Page inbox']);
    expect(ofType(ReceiptReceivedV1)).toEqual([expect.objectContaining({ receipt: 'read', upTo: new Date(t0 + 5500).toISOString(), chatKey: `${connection.id}:${PSID}` })]);
    await waitFor(() => seen.some((s) => s.topic === TOPICS.unrecognised), { description: 'the unknown type' });
    expect(seen.filter((s) => s.topic === TOPICS.unrecognised).map((s) => parseEvent(UnrecognisedPayloadV1, s.envelope).data.reason)).toContain('messaging event "hologram" is not handled');
  });

  it('Instagram: story mentions and replies are kept with a placeholder and the URL', async () => {
    const mention = metaMessaging({ from: IGSID, to: IG.accountId, event: { message: { mid: newMid(), attachments: [{ type: 'story_mention', payload: { url: 'https://cdn.example/story.mp4' } }] } } });
    const reply = metaMessaging({ from: IGSID, to: IG.accountId, event: { message: { mid: newMid(), text: 'Гарно!', reply_to: { story: { url: 'https://cdn.example/s2', id: '1799' } } } } });
    expect((await post(metaWebhook('instagram', [{ id: IG.accountId, messaging: [mention, reply] }]))).status).toBe(200);
    await waitFor(() => messages().filter((m) => m.externalChatId === IGSID).length === 2, { description: 'instagram messages' });
    const [m1, m2] = messages().filter((m) => m.externalChatId === IGSID);
    expect(m1).toMatchObject({ connection: { channel: 'instagram', displayName: '@shop.ua' }, content: { placeholder: '[story mention]', attachments: [{ platformFileId: 'https://cdn.example/story.mp4' }] } });
    expect(m2!.content).toMatchObject({ text: 'Гарно!', placeholder: '[reply to your story]' });
  });

  it('comments: each post thread per commenter is a chat; the Page\'s own comments are ignored; duplicates share the natural key', async () => {
    const postId = `${PAGE.pageId}_555`;
    const customer = feedCommentChange({ pageId: PAGE.pageId, postId, commentId: '555_1', from: { id: '8000000000000001', name: 'Олена' }, message: 'Скільки коштує?' });
    const own = feedCommentChange({ pageId: PAGE.pageId, postId, commentId: '555_2', from: { id: PAGE.pageId, name: 'Shop Page' }, message: 'our own' });
    const ig = instagramCommentChange({ mediaId: '17900000000000001', commentId: '17950000000000001', from: { id: '9000000000000001', username: 'olena' }, text: 'Є доставка?' });
    const igOwn = instagramCommentChange({ mediaId: '17900000000000001', commentId: '17950000000000002', from: { id: IG.accountId, username: IG.username }, text: 'own' });
    expect((await post(metaWebhook('page', [{ id: PAGE.pageId, changes: [customer, own, customer] }]))).status).toBe(200);
    expect((await post(metaWebhook('instagram', [{ id: IG.accountId, changes: [ig, igOwn, ig] }]))).status).toBe(200);
    await waitFor(() => ofType(CommentReceivedV1).length >= 4, { description: 'comments' });
    const comments = ofType(CommentReceivedV1) as z.output<typeof CommentReceivedV1.schema>[];
    expect(new Set(comments.map((c) => c.platformMessageId))).toEqual(new Set(['555_1', '17950000000000001']));
    expect(comments.find((c) => c.platformMessageId === '555_1')).toMatchObject({ externalChatId: `${postId}:8000000000000001`, connection: { channel: 'facebook-comments' }, customer: { displayName: 'Олена' }, post: { id: postId } });
    expect(comments.find((c) => c.platformMessageId === '17950000000000001')).toMatchObject({ connection: { channel: 'instagram-comments' }, customer: { username: 'olena' } });
  });

  it('sends Messenger replies in the documented shape: RESPONSE in the window, HUMAN_AGENT tag when the chat says so, reply_to', async () => {
    const ok = await command('messenger', PSID, { text: 'Так, є', replyToPlatformMessageId: 'm_question' });
    expect(ok.state).toBe('sent');
    expect(graph.postsTo(PAGE.pageId, 'messages').at(-1)!.body).toEqual({
      recipient: { id: PSID },
      messaging_type: 'RESPONSE',
      message: { text: 'Так, є', reply_to: { mid: 'm_question' }, metadata: expect.stringMatching(/^switchboard:/) },
    });
    // Attachments (uploaded to Messenger, by signed link to Instagram): meta-outbound-attachments.integration.spec.ts.
    const tagged = await command('instagram', IGSID, { text: 'Пізніше', messageTag: 'HUMAN_AGENT' });
    expect(tagged.state).toBe('sent');
    const igPosts = graph.postsTo(IG.accountId, 'messages').slice(-1).map((p) => p.body);
    expect(igPosts).toEqual([{ recipient: { id: IGSID }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Пізніше' } }]);
    // The echo of our own send (its mid is stored) is not mirrored.
    const before = inbound().filter((e) => e.type === MessageEchoedV1.type).length;
    expect((await post(metaWebhook('page', [{ id: PAGE.pageId, messaging: [metaEcho({ page: PAGE.pageId, to: PSID, text: 'Так, є', mid: (ok as { platformMessageId: string }).platformMessageId })] }]))).status).toBe(200);
    const marker = metaTextMessage({ from: PSID, to: PAGE.pageId, text: 'after own echo' });
    await post(metaWebhook('page', [{ id: PAGE.pageId, messaging: [marker] }]));
    await waitFor(() => messages().some((m) => m.content.text === 'after own echo'), { description: 'marker after own echo' });
    expect(inbound().filter((e) => e.type === MessageEchoedV1.type).length).toBe(before);
  });

  it('operator typing: Messenger and Instagram customers see sender_action typing_on, once; comments and expired typing nothing', async () => {
    const typing = (channel: 'messenger' | 'instagram' | 'facebook-comments', externalChatId: string, expiresInMs = 6_000) => {
      const chatKey = `${connection.id}:${externalChatId}`;
      const now = Date.now();
      return {
        topic: TOPICS.presence,
        envelope: createEnvelope(
          OperatorTypingV1,
          {
            connection: { id: connection.id, channel, displayName: 'Shop Page' },
            chatKey,
            externalChatId,
            chatId: randomUUID(),
            employeeId: randomUUID(),
            employeeName: 'Олена',
            activity: 'typing',
            occurredAt: new Date(now).toISOString(),
            expiresAt: new Date(now + expiresInMs).toISOString(),
          },
          { producer: 'chat', key: chatKey },
        ),
      };
    };
    const actions = (node: string) => graph.postsTo(node, 'messages').filter((p) => p.body['sender_action'] !== undefined);
    const [pageBefore, igBefore] = [actions(PAGE.pageId).length, actions(IG.accountId).length];
    await bus.publish([typing('facebook-comments', `${PAGE.pageId}_1:${PSID}`), typing('messenger', PSID, -1_000), typing('messenger', PSID), typing('instagram', IGSID)]);
    await waitFor(() => actions(PAGE.pageId).length > pageBefore && actions(IG.accountId).length > igBefore, { description: 'typing_on on both' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(actions(PAGE.pageId).slice(pageBefore).map((p) => p.body)).toEqual([{ recipient: { id: PSID }, sender_action: 'typing_on' }]);
    expect(actions(IG.accountId).slice(igBefore).map((p) => p.body)).toEqual([{ recipient: { id: IGSID }, sender_action: 'typing_on' }]);
  });

  it('maps Graph errors: outside the window fails as window_closed', async () => {
    graph.failNextSends({ code: 10, subcode: 2018278, message: '(#10) This message is sent outside of allowed window.' });
    const result = await command('messenger', PSID, { text: 'too late' });
    expect(result).toMatchObject({ state: 'failed', failure: { code: 'window_closed' } });
  });

  it('comments: public replies go under the comment; one private reply per comment, within 7 days, refused before calling Meta', async () => {
    const postId = `${PAGE.pageId}_555`;
    const fbChat = `${postId}:8000000000000001`;
    graph.registerComment({ commentId: '555_1', ownerId: PAGE.pageId, createdAt: new Date() });
    graph.registerComment({ commentId: '17950000000000001', ownerId: IG.accountId, createdAt: new Date() });
    expect((await command('facebook-comments', fbChat, { text: 'Ціна 500 грн' })).state).toBe('sent');
    expect(graph.postsTo('555_1', 'comments').at(-1)!.body).toEqual({ message: 'Ціна 500 грн' });
    expect((await command('instagram-comments', '17900000000000001:9000000000000001', { text: 'Так, по Україні' })).state).toBe('sent');
    expect(graph.postsTo('17950000000000001', 'replies').at(-1)!.body).toEqual({ message: 'Так, по Україні' });

    const privately = await command('facebook-comments', fbChat, { text: 'Написали вам у Messenger', commentReply: 'private' });
    expect(privately.state).toBe('sent');
    expect(graph.postsTo(PAGE.pageId, 'messages').at(-1)!.body).toEqual({ recipient: { comment_id: '555_1' }, message: { text: 'Написали вам у Messenger' } });
    const calls = graph.requests.length;
    const again = await command('facebook-comments', fbChat, { text: 'ще раз', commentReply: 'private' });
    expect(again).toMatchObject({ state: 'failed', failure: { code: 'invalid_request', message: expect.stringContaining('already answered privately') } });
    expect(graph.requests.length).toBe(calls);

    // A comment 7 days old (at the edge) can no longer be answered privately; a day younger still can.
    const old = feedCommentChange({ pageId: PAGE.pageId, postId, commentId: '555_9', from: { id: '8000000000000002', name: 'Old' }, message: 'old', at: new Date(Date.now() - 7 * 24 * 3_600_000 - 1000) });
    const recent = feedCommentChange({ pageId: PAGE.pageId, postId, commentId: '555_10', from: { id: '8000000000000003', name: 'Recent' }, message: 'six days', at: new Date(Date.now() - 6 * 24 * 3_600_000) });
    graph.registerComment({ commentId: '555_10', ownerId: PAGE.pageId, createdAt: new Date(Date.now() - 6 * 24 * 3_600_000) });
    expect((await post(metaWebhook('page', [{ id: PAGE.pageId, changes: [old, recent] }]))).status).toBe(200);
    await waitFor(() => (ofType(CommentReceivedV1) as { platformMessageId: string }[]).some((c) => c.platformMessageId === '555_10'), { description: 'old and recent comments' });
    const tooOld = await command('facebook-comments', `${postId}:8000000000000002`, { text: 'late', commentReply: 'private' });
    expect(tooOld).toMatchObject({ state: 'failed', failure: { code: 'window_closed' } });
    expect((await command('facebook-comments', `${postId}:8000000000000003`, { text: 'in time', commentReply: 'private' })).state).toBe('sent');
  });

  it('comments: a public Facebook reply carries one photo by attachment_url, which Meta downloads; private and Instagram replies carry none', async () => {
    const fbChat = `${PAGE.pageId}_555:8000000000000001`;
    const pngBytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(20_000)]);
    const png = files.addFile({ fileName: 'ціни.png', mimeType: 'image/png', bytes: pngBytes });
    const photo = { ...png, fileName: 'ціни.png', mimeType: 'image/png' };
    const publicLink = expect.stringContaining(`/public/${png.fileId}?token=`);

    const withText = await command('facebook-comments', fbChat, { text: 'Ось ціни', attachments: [photo] });
    const post = graph.postsTo('555_1', 'comments').at(-1)!;
    expect(withText).toMatchObject({ state: 'sent', platformMessageId: post.id });
    expect(post.body).toEqual({ message: 'Ось ціни', attachment_url: publicLink });
    expect(post.file!.mimeType).toBe('image/png');
    expect(post.file!.bytes.equals(pngBytes)).toBe(true);
    expect(files.requests.at(-1)).toMatchObject({ service: 'channel-meta', method: 'POST', path: `/internal/files/${png.fileId}/public-link` });
    // A photo alone is a comment too.
    expect((await command('facebook-comments', fbChat, { attachments: [photo] })).state).toBe('sent');
    expect(graph.postsTo('555_1', 'comments').at(-1)!.body).toEqual({ attachment_url: publicLink });

    // A file the files service no longer has fails the send (no retry can bring it back).
    const gone = { fileId: randomUUID(), url: `${files.url}/internal/files/${randomUUID()}`, fileName: 'gone.png', mimeType: 'image/png', sizeBytes: 100 };
    expect(await command('facebook-comments', fbChat, { text: 'gone', attachments: [gone] })).toMatchObject({
      state: 'failed',
      failure: { code: 'invalid_request', message: expect.stringContaining('The file "gone.png" cannot be sent') },
    });

    // Refused before any call to Meta or the files service.
    const calls = graph.requests.length;
    const fileCalls = files.requests.length;
    const failure = (result: Awaited<ReturnType<typeof command>>) => (result.state === 'failed' ? result.failure : undefined);
    const privately = await command('facebook-comments', fbChat, { text: 'фото приватно', commentReply: 'private', attachments: [photo] });
    expect(failure(privately)).toEqual({ code: 'invalid_request', message: 'A private reply carries text only; a photo can go in a public reply' });
    const pdf = await command('facebook-comments', fbChat, { attachments: [{ ...photo, fileName: 'прайс.pdf', mimeType: 'application/pdf' }] });
    expect(failure(pdf)).toEqual({ code: 'invalid_request', message: '"прайс.pdf" is application/pdf, which a Facebook comment reply does not accept' });
    const big = await command('facebook-comments', fbChat, { attachments: [{ ...photo, sizeBytes: 4 * 1024 * 1024 + 1 }] });
    expect(failure(big)).toMatchObject({ code: 'too_large' });
    const two = await command('facebook-comments', fbChat, { attachments: [photo, photo] });
    expect(failure(two)).toEqual({ code: 'invalid_request', message: 'A Facebook comment reply carries at most one file' });
    const instagram = await command('instagram-comments', '17900000000000001:9000000000000001', { text: 'фото', attachments: [photo] });
    expect(failure(instagram)).toEqual({ code: 'invalid_request', message: 'An Instagram comment reply cannot carry files from here; send text only' });
    expect(graph.requests.length).toBe(calls);
    expect(files.requests.length).toBe(fileCalls);
  });

  it('health: a lost subscription is flagged, a revoked token disconnects the Page', async () => {
    graph.unsubscribePage(PAGE.pageId);
    expect(await service.connections.checkHealth(connection.id)).toMatchObject({ subscribed: false, state: 'active' });
    graph.revokeToken(PAGE.accessToken);
    expect(await service.connections.checkHealth(connection.id)).toMatchObject({ state: 'disconnected', lastError: expect.stringContaining('190') });
  });
});
