/**
 * Issue 5, Meta: one conversation per source (Messenger, Instagram Direct, Facebook Page comments,
 * Instagram comments) through the gateway on both runtimes. Signed webhooks become chats the admin sees;
 * the operator answers through sendMessage and the Graph API double receives the documented shape
 * (Send API with RESPONSE or the HUMAN_AGENT tag, public replies under comments, the one private reply per
 * comment); delivery states only move forward, and a Messenger read watermark marks every earlier message
 * read. Forged signatures get 401 and store nothing.
 */
import { MetaGraphApiDouble, feedCommentChange, instagramCommentChange, metaEcho, metaMessaging, metaTextMessage, metaWebhook, newMid, postMetaWebhook, waitFor } from '@switchboard/testing';
import { availableRuntimes } from './support/infra';
import { startTestStack, type TestStack } from './support/test-stack';

jest.setTimeout(120_000);

const APP_SECRET = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const PAGE = { pageId: '104857600000777', name: 'Shop Page', accessToken: `EAAB${'m'.repeat(40)}`, appSecret: APP_SECRET };
const IG = { accountId: '17841400000000777', username: 'shop.ua' };
const VERIFY_TOKEN = 'e2e-meta-verify-token-0123';
const PSID = '6000000000000777';
const IGSID = '7000000000000777';
const FB_COMMENTER = { id: '8000000000000777', name: 'Олена Коваль' };
const IG_COMMENTER = { id: '9000000000000777', username: 'olena.k' };
const POST_ID = `${PAGE.pageId}_777`;
const FB_COMMENT_ID = '777_1001';
const IG_MEDIA_ID = '17900000000000777';
const IG_COMMENT_ID = '17950000000000777';
const DAY_MS = 24 * 3_600_000;

const CHAT_FIELDS = `id customer { displayName username } source { channel displayName }
  replyWindow { freeTextAllowed until alternatives { kind tag until } }
  messages(first: 30) { edges { node { id direction text placeholder deliveryState failure { code message } } } }`;

interface MessageNode {
  id: string;
  direction: 'INBOUND' | 'OUTBOUND';
  text: string | null;
  placeholder: string | null;
  deliveryState: string | null;
  failure: { code: string; message: string } | null;
}
interface ChatNode {
  id: string;
  customer: { displayName: string; username: string | null };
  source: { channel: string; displayName: string };
  replyWindow: { freeTextAllowed: boolean; until: string | null; alternatives: { kind: string; tag: string | null; until: string | null }[] };
  messages: { edges: { node: MessageNode }[] };
}

const SEND = `mutation ($input: SendMessageInput!) { sendMessage(input: $input) { message { id deliveryState } } }`;

describe.each(availableRuntimes())('Meta conversations (Messenger, Instagram, comments) on the %s runtime', (runtime) => {
  let stack: TestStack;
  let graph: MetaGraphApiDouble;

  beforeAll(async () => {
    graph = new MetaGraphApiDouble();
    await graph.start();
    graph.registerPage({ ...PAGE, instagram: IG });
    stack = await startTestStack({ runtime, telegramMode: 'polling', metaGraphApiBaseUrl: graph.baseUrl });
    const connected = await stack.client.request<{ connectMetaPage: { connection: { id: string; state: string; subscribed: boolean; instagramUsername: string | null } } }>(
      `mutation ($input: ConnectMetaPageInput!) { connectMetaPage(input: $input) { connection { id state subscribed instagramUsername } } }`,
      { input: { pageId: PAGE.pageId, accessToken: PAGE.accessToken, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN, instagramAccountId: IG.accountId } },
    );
    expect(connected.connectMetaPage.connection).toMatchObject({ state: 'ACTIVE', subscribed: true, instagramUsername: IG.username });
  });

  afterAll(async () => {
    await stack?.stop();
    await graph?.stop();
  });

  const webhookUrl = () => `${stack.switchboard.channelMeta.url}/webhooks/meta`;
  const post = (payload: unknown, appSecret = APP_SECRET) => postMetaWebhook(webhookUrl(), payload, { appSecret });
  const page = (messaging: unknown[]) => metaWebhook('page', [{ id: PAGE.pageId, messaging }]);
  const instagram = (messaging: unknown[]) => metaWebhook('instagram', [{ id: IG.accountId, messaging }]);

  async function chats(): Promise<ChatNode[]> {
    const data = await stack.client.request<{ chats: { edges: { node: ChatNode }[] } }>(`{ chats(first: 50) { edges { node { ${CHAT_FIELDS} } } } }`);
    return data.chats.edges.map((e) => e.node);
  }
  const chatOf = async (channel: string, displayName: string) => (await chats()).find((c) => c.source.channel === channel && c.customer.displayName === displayName);
  const waitForChat = (channel: string, displayName: string, ready: (chat: ChatNode) => boolean = () => true) =>
    waitFor(
      async () => {
        const chat = await chatOf(channel, displayName);
        return chat && ready(chat) ? chat : undefined;
      },
      { description: `${channel} chat of ${displayName}`, timeoutMs: 30_000 },
    );
  const outbound = (chat: ChatNode) => chat.messages.edges.map((e) => e.node).filter((m) => m.direction === 'OUTBOUND');
  const messageIn = async (channel: string, displayName: string, messageId: string) =>
    (await chatOf(channel, displayName))?.messages.edges.map((e) => e.node).find((m) => m.id === messageId);
  const waitForState = (channel: string, displayName: string, messageId: string, state: string) =>
    waitFor(async () => (await messageIn(channel, displayName, messageId))?.deliveryState === state, { description: `${state} on ${channel}`, timeoutMs: 30_000 });
  async function send(input: Record<string, unknown>): Promise<string> {
    return (await stack.client.request<{ sendMessage: { message: { id: string } } }>(SEND, { input })).sendMessage.message.id;
  }

  it('answers the handshake only with the right verify token; a forged webhook gets 401 and stores nothing', async () => {
    const ok = await fetch(`${webhookUrl()}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=31337`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('31337');
    expect((await fetch(`${webhookUrl()}?hub.mode=subscribe&hub.verify_token=wrong-verify-token-0000&hub.challenge=1`)).status).toBe(403);

    const forged = page([metaTextMessage({ from: PSID, to: PAGE.pageId, text: 'forged message' })]);
    expect((await post(forged, 'ffffffffffffffffffffffffffffffff')).status).toBe(401);
    expect((await postMetaWebhook(webhookUrl(), forged, { appSecret: APP_SECRET, signature: `sha256=${'0'.repeat(64)}` })).status).toBe(401);
    expect((await postMetaWebhook(webhookUrl(), forged, { appSecret: APP_SECRET, signature: '' })).status).toBe(401);
    // A genuine webhook posted afterwards is on the same chat key: once it shows, the forged one would have too.
    expect((await post(page([metaTextMessage({ from: PSID, to: PAGE.pageId, text: 'Добрий день!', at: new Date(Date.now() - 60_000) })]))).status).toBe(200);
    const chat = await waitForChat('MESSENGER', `Messenger user ${PSID}`);
    expect(chat.messages.edges.map((e) => e.node.text)).toEqual(['Добрий день!']);
    expect((await chats()).flatMap((c) => c.messages.edges.map((e) => e.node.text))).not.toContain('forged message');
  });

  it('Messenger: the operator replies in the window (RESPONSE, reply_to), echoes from other inboxes are mirrored once, a read watermark marks earlier messages read', async () => {
    const customer = `Messenger user ${PSID}`;
    const questionMid = newMid();
    expect((await post(page([metaTextMessage({ from: PSID, to: PAGE.pageId, text: 'Чи є розмір M?', mid: questionMid })]))).status).toBe(200);
    const chat = await waitForChat('MESSENGER', customer, (c) => c.messages.edges.length === 2);
    expect(chat.source).toEqual({ channel: 'MESSENGER', displayName: PAGE.name });
    expect(chat.replyWindow.freeTextAllowed).toBe(true);
    const question = chat.messages.edges[0]!.node;
    expect(question.text).toBe('Чи є розмір M?');

    // commentReply belongs to comment chats only: refused before anything is stored or sent.
    const postsBefore = graph.pagePosts.length;
    const notComment = await stack.client.raw(SEND, { input: { chatId: chat.id, text: 'privately?', commentReply: 'PRIVATE' } });
    expect(notComment.body.errors?.[0]?.extensions?.code).toBe('NOT_A_COMMENT_CHAT');

    const first = await send({ chatId: chat.id, text: 'Так, є 🙂', replyToMessageId: question.id });
    await waitForState('MESSENGER', customer, first, 'SENT');
    expect(graph.pagePosts.length).toBe(postsBefore + 1);
    const firstPost = graph.postsTo(PAGE.pageId, 'messages').at(-1)!;
    expect(firstPost.body).toEqual({
      recipient: { id: PSID },
      messaging_type: 'RESPONSE',
      message: { text: 'Так, є 🙂', reply_to: { mid: questionMid }, metadata: expect.stringMatching(/^switchboard:/) },
    });

    await new Promise((resolve) => setTimeout(resolve, 50));
    const between = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await send({ chatId: chat.id, text: 'Відправимо сьогодні' });
    await waitForState('MESSENGER', customer, second, 'SENT');

    // Sent from the Page inbox on the phone: mirrored as outgoing, once (Meta redelivers), and the echo of
    // our own first message (its mid) adds nothing.
    const foreign = metaEcho({ page: PAGE.pageId, to: PSID, text: 'Відповідь з Meta Business Suite', appId: 263902037430900 });
    const ownEcho = metaEcho({ page: PAGE.pageId, to: PSID, text: 'Так, є 🙂', mid: firstPost.id });
    expect((await post(page([foreign, ownEcho]))).status).toBe(200);
    expect((await post(page([foreign]))).status).toBe(200);
    expect((await post(page([metaTextMessage({ from: PSID, to: PAGE.pageId, text: 'Дякую' })]))).status).toBe(200);
    const mirrored = await waitForChat('MESSENGER', customer, (c) => c.messages.edges.some((e) => e.node.text === 'Дякую'));
    expect(outbound(mirrored).map((m) => [m.text, m.deliveryState])).toEqual([
      ['Відповідь з Meta Business Suite', 'SENT'],
      ['Відправимо сьогодні', 'SENT'],
      ['Так, є 🙂', 'SENT'],
    ]);

    // Read up to a time between the two sends: only the first (and earlier) becomes READ.
    const read = metaMessaging({ from: PSID, to: PAGE.pageId, event: { read: { watermark: between } } });
    expect((await post(page([read]))).status).toBe(200);
    await waitForState('MESSENGER', customer, first, 'READ');
    expect((await messageIn('MESSENGER', customer, second))?.deliveryState).toBe('SENT');

    // Delivered up to now: the second moves on; the first stays READ (states only move forward).
    const delivered = metaMessaging({ from: PSID, to: PAGE.pageId, event: { delivery: { watermark: Date.now() } } });
    expect((await post(page([delivered]))).status).toBe(200);
    await waitForState('MESSENGER', customer, second, 'DELIVERED');
    expect((await messageIn('MESSENGER', customer, first))?.deliveryState).toBe('READ');
    expect((await post(page([metaMessaging({ from: PSID, to: PAGE.pageId, event: { read: { watermark: Date.now() } } })]))).status).toBe(200);
    await waitForState('MESSENGER', customer, second, 'READ');
  });

  it('Instagram Direct: two days after the customer wrote, the reply goes out with the HUMAN_AGENT tag; a read receipt marks it read', async () => {
    const customer = `Instagram user ${IGSID}`;
    const wrote = new Date(Date.now() - 2 * DAY_MS);
    expect((await post(instagram([metaTextMessage({ from: IGSID, to: IG.accountId, text: 'Ще актуально?', at: wrote })]))).status).toBe(200);
    const chat = await waitForChat('INSTAGRAM', customer);
    expect(chat.source).toEqual({ channel: 'INSTAGRAM', displayName: `@${IG.username}` });
    expect(chat.replyWindow).toEqual({
      freeTextAllowed: false,
      until: null,
      alternatives: [{ kind: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', until: new Date(wrote.getTime() + 7 * DAY_MS).toISOString() }],
    });

    const reply = await send({ chatId: chat.id, text: 'Так, ще в наявності' });
    await waitForState('INSTAGRAM', customer, reply, 'SENT');
    const sent = graph.postsTo(IG.accountId, 'messages').at(-1)!;
    expect(sent.body).toEqual({ recipient: { id: IGSID }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Так, ще в наявності' } });

    const seen = metaMessaging({ from: IGSID, to: IG.accountId, event: { read: { mid: sent.id } } });
    expect((await post(instagram([seen, seen]))).status).toBe(200);
    await waitForState('INSTAGRAM', customer, reply, 'READ');
  });

  it('Facebook comments: the comment becomes a chat; a public reply goes under it, then the one private reply; a second private reply is refused before Meta is called', async () => {
    graph.registerComment({ commentId: FB_COMMENT_ID, ownerId: PAGE.pageId, createdAt: new Date() });
    const comment = feedCommentChange({ pageId: PAGE.pageId, postId: POST_ID, commentId: FB_COMMENT_ID, from: FB_COMMENTER, message: 'Скільки коштує доставка?' });
    const own = feedCommentChange({ pageId: PAGE.pageId, postId: POST_ID, from: { id: PAGE.pageId, name: PAGE.name }, message: 'our own comment' });
    expect((await post(metaWebhook('page', [{ id: PAGE.pageId, changes: [comment, own, comment] }]))).status).toBe(200);
    const chat = await waitForChat('FACEBOOK_COMMENTS', FB_COMMENTER.name);
    expect(chat.source).toEqual({ channel: 'FACEBOOK_COMMENTS', displayName: PAGE.name });
    expect(chat.messages.edges.map((e) => [e.node.direction, e.node.text])).toEqual([['INBOUND', 'Скільки коштує доставка?']]);
    expect(chat.replyWindow.freeTextAllowed).toBe(true);

    const publicReply = await send({ chatId: chat.id, text: 'Доставка 70 грн', commentReply: 'PUBLIC' });
    await waitForState('FACEBOOK_COMMENTS', FB_COMMENTER.name, publicReply, 'SENT');
    expect(graph.postsTo(FB_COMMENT_ID, 'comments').map((p) => p.body)).toEqual([{ message: 'Доставка 70 грн' }]);

    const privateReply = await send({ chatId: chat.id, text: 'Надіслали вам деталі в Messenger', commentReply: 'PRIVATE' });
    await waitForState('FACEBOOK_COMMENTS', FB_COMMENTER.name, privateReply, 'SENT');
    expect(graph.postsTo(PAGE.pageId, 'messages').at(-1)!.body).toEqual({ recipient: { comment_id: FB_COMMENT_ID }, message: { text: 'Надіслали вам деталі в Messenger' } });

    const requests = graph.requests.length;
    const again = await send({ chatId: chat.id, text: 'Ще раз приватно', commentReply: 'PRIVATE' });
    await waitForState('FACEBOOK_COMMENTS', FB_COMMENTER.name, again, 'FAILED');
    expect((await messageIn('FACEBOOK_COMMENTS', FB_COMMENTER.name, again))?.failure).toEqual({ code: 'invalid_request', message: expect.stringContaining('already answered privately') });
    expect(graph.requests.length).toBe(requests);
  });

  it('Instagram comments: public reply on /replies, the private reply through the Instagram account', async () => {
    graph.registerComment({ commentId: IG_COMMENT_ID, ownerId: IG.accountId, createdAt: new Date() });
    const comment = instagramCommentChange({ mediaId: IG_MEDIA_ID, commentId: IG_COMMENT_ID, from: IG_COMMENTER, text: 'Є у чорному кольорі?' });
    const own = instagramCommentChange({ mediaId: IG_MEDIA_ID, from: { id: IG.accountId, username: IG.username }, text: 'own' });
    expect((await post(metaWebhook('instagram', [{ id: IG.accountId, changes: [comment, own] }, { id: IG.accountId, changes: [comment] }]))).status).toBe(200);
    const chat = await waitForChat('INSTAGRAM_COMMENTS', `@${IG_COMMENTER.username}`);
    expect(chat.source).toEqual({ channel: 'INSTAGRAM_COMMENTS', displayName: `@${IG.username}` });
    expect(chat.customer.username).toBe(IG_COMMENTER.username);
    expect(chat.messages.edges.map((e) => e.node.text)).toEqual(['Є у чорному кольорі?']);

    const publicReply = await send({ chatId: chat.id, text: 'Так, є' });
    await waitForState('INSTAGRAM_COMMENTS', `@${IG_COMMENTER.username}`, publicReply, 'SENT');
    expect(graph.postsTo(IG_COMMENT_ID, 'replies').map((p) => p.body)).toEqual([{ message: 'Так, є' }]);

    const privateReply = await send({ chatId: chat.id, text: 'Написали вам у Direct', commentReply: 'PRIVATE' });
    await waitForState('INSTAGRAM_COMMENTS', `@${IG_COMMENTER.username}`, privateReply, 'SENT');
    expect(graph.postsTo(IG.accountId, 'messages').at(-1)!.body).toEqual({ recipient: { comment_id: IG_COMMENT_ID }, message: { text: 'Написали вам у Direct' } });
  });

  it('channelHealth shows the Page through the gateway with its last webhook, next to the other connectors', async () => {
    const data = await stack.client.request<{ channelHealth: Record<string, Array<{ channel: string; state: string; displayName: string; lastEventAt: string | null; backlog: number }>> }>(
      `{ channelHealth { whatsapp { channel } meta { channel state displayName lastEventAt backlog } } }`,
    );
    expect(data.channelHealth['whatsapp']).toEqual([]);
    expect(data.channelHealth['meta']).toEqual([
      { channel: 'messenger', state: 'OK', displayName: PAGE.name, lastEventAt: expect.any(String), backlog: expect.any(Number) },
    ]);
  });
});
