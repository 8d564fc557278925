/**
 * The inbox through the gateway as real clients, on both runtimes (issue 4): the permission matrix
 * (admin, operator of connection A, operator of none) for list, search, chat, messages, notes and
 * subscriptions, and the chat actions an operator performs on a chat they may see.
 */
import { waitFor } from '@switchboard/testing';
import { GraphQLClient } from './support/graphql-client';
import { availableRuntimes } from './support/infra';
import { LiveSubscriber } from './support/live-client';
import { BOT, startTestStack, type TestStack } from './support/test-stack';
import { setConnectionMembers } from './support/connection-members';

const PASSWORD = 'operator-password-1';
/** A second bot: connection B, whose chats operator A may not see. */
const BOT_B = { token: '654321:TEST-token-bot-b', id: 654321, username: 'switchboard_b_bot', firstName: 'Shop B' };

type Errors = { message: string; extensions?: { code?: string } }[] | undefined;

describe.each(availableRuntimes())('inbox permissions and actions on the %s runtime', (runtime) => {
  let stack: TestStack;
  let admin: GraphQLClient;
  let operatorA: GraphQLClient;
  let operatorNone: GraphQLClient;
  let operatorAId: string;
  let operatorNoneId: string;
  let chatA: string;
  let chatB: string;
  const subscribers: LiveSubscriber[] = [];

  async function employee(email: string, name: string): Promise<{ client: GraphQLClient; id: string }> {
    const created = await admin.request<{ createEmployee: { id: string } }>(`mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { id } }`, {
      input: { email, name, role: 'OPERATOR', password: PASSWORD },
    });
    const client = new GraphQLClient(admin.url);
    await client.login(email, PASSWORD);
    return { client, id: created.createEmployee.id };
  }
  const connect = async (token: string) =>
    (await admin.request<{ connectTelegramBot: { connection: { id: string } } }>(
      `mutation($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { id } } }`,
      { input: { token } },
    )).connectTelegramBot.connection.id;
  const chatIds = async (client: GraphQLClient, filter: Record<string, unknown> = {}) =>
    (await client.request<{ chats: { edges: { node: { id: string } }[] } }>(`query($f: ChatFilter) { chats(filter: $f, first: 50) { edges { node { id } } } }`, { f: filter })).chats.edges
      .map((e) => e.node.id)
      .sort();
  const searchIds = async (client: GraphQLClient, query: string) =>
    (await client.request<{ searchChats: { edges: { node: { chat: { id: string } } }[] } }>(`query($q: String!) { searchChats(query: $q) { edges { node { chat { id } } } } }`, { q: query }))
      .searchChats.edges.map((e) => e.node.chat.id)
      .sort();
  const chatView = (client: GraphQLClient, id: string) =>
    client.request<{ chat: { id: string; messages: { edges: unknown[] }; timeline: { edges: { node: { __typename: string } }[] } } | null }>(
      `query($id: ID!) { chat(id: $id) { id messages(first: 20) { edges { cursor } } timeline(first: 20) { edges { node { __typename } } } } }`,
      { id },
    );
  const errorCode = (errors: Errors) => errors?.[0]?.extensions?.code;

  beforeAll(async () => {
    stack = await startTestStack({ runtime, telegramMode: 'webhook' });
    admin = stack.client;
    stack.telegram.registerBot(BOT_B);
    const connectionA = await connect(BOT.token);
    await connect(BOT_B.token);
    ({ client: operatorA, id: operatorAId } = await employee('a@switchboard.test', 'Олена Петренко'));
    ({ client: operatorNone, id: operatorNoneId } = await employee('none@switchboard.test', 'Ivan Nobody'));
    await setConnectionMembers(admin, connectionA, [operatorAId]);

    for (const s of [admin, operatorA, operatorNone].map((c) => new LiveSubscriber(admin.url, c.token!))) {
      subscribers.push(s);
      await s.connect();
    }
    await stack.telegram.customer(BOT.token, { id: 910001, firstName: 'Оксана', lastName: 'Коваль' }).sendText('Де моє замовлення #A?');
    await stack.telegram.customer(BOT_B.token, { id: 920001, firstName: 'Борис' }).sendText('Де моє замовлення #B?');
    await waitFor(async () => (await chatIds(admin)).length === 2, { timeoutMs: 20_000, description: 'two chats' });
    chatA = (await searchIds(admin, '#A'))[0]!;
    chatB = (await searchIds(admin, '#B'))[0]!;
  });

  afterAll(async () => {
    for (const s of subscribers) await s.disconnect();
    await stack?.stop();
  });

  it('lists, searches and opens only the chats each employee may see', async () => {
    expect(await chatIds(admin)).toEqual([chatA, chatB].sort());
    expect(await chatIds(operatorA)).toEqual([chatA]);
    expect(await chatIds(operatorNone)).toEqual([]);

    expect(await searchIds(admin, 'замовлення')).toEqual([chatA, chatB].sort());
    expect(await searchIds(operatorA, 'замовлення')).toEqual([chatA]);
    expect(await searchIds(operatorNone, 'замовлення')).toEqual([]);
    expect(await chatIds(operatorA, { search: 'замовл' })).toEqual([chatA]);

    expect((await chatView(operatorA, chatA)).chat?.messages.edges).toHaveLength(1);
    expect((await chatView(operatorA, chatB)).chat).toBeNull();
    expect((await chatView(operatorNone, chatA)).chat).toBeNull();
  });

  it('lets only those who see a chat write notes in it, and notes never reach the platform', async () => {
    const denied = await operatorNone.raw(`mutation($c: ID!) { addNote(chatId: $c, text: "peek") { note { id } } }`, { c: chatA });
    expect(errorCode(denied.body.errors)).toBe('NOT_FOUND');
    await operatorA.request(`mutation($c: ID!) { addNote(chatId: $c, text: "INTERNAL-only note") { note { id } } }`, { c: chatA });
    expect((await chatView(operatorA, chatA)).chat?.timeline.edges.map((e) => e.node.__typename)).toContain('Note');
    await operatorA.request(`mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }`, { i: { chatId: chatA, text: 'Відправили сьогодні' } });
    await stack.telegram.waitForSent((s) => s.text === 'Відправили сьогодні', 20_000);
    expect(JSON.stringify(stack.telegram.requestsFor(BOT.token, 'sendMessage'))).not.toContain('INTERNAL-only note');
  });

  it('notifies only those who may see the chat', async () => {
    const [adminLive, aLive, noneLive] = subscribers;
    await waitFor(() => aLive!.chatEvents('chat.note-added').length === 1 && adminLive!.chatEvents('chat.note-added').length === 1, { description: 'note events' });
    const chatsSeen = (s: LiveSubscriber) => [...new Set(s.chatEvents().map((e) => e.chatId))].sort();
    expect(chatsSeen(adminLive!)).toEqual([chatA, chatB].sort());
    expect(chatsSeen(aLive!)).toEqual([chatA]);
    expect(noneLive!.chatEvents()).toEqual([]);
  });

  it('takes a chat into work, reassigns, leaves and ends it, each leaving an activity entry', async () => {
    await operatorA.request(`mutation($c: ID!) { takeChatIntoWork(chatId: $c) { chat { status { code } operators { id } } } }`, { c: chatA });
    expect(await chatIds(operatorA, { type: 'ASSIGNED_TO_ME' })).toEqual([chatA]);
    // Adding operator "none" makes the chat visible to them, in lists and live.
    await operatorA.request(`mutation($c: ID!, $o: [ID!]!) { addChatOperators(chatId: $c, operatorIds: $o) { chat { id } } }`, { c: chatA, o: [operatorNoneId] });
    expect(await chatIds(operatorNone)).toEqual([chatA]);
    await waitFor(() => subscribers[2]!.chatEvents('chat.operators-changed').length === 1, { description: 'operator none hears they were added' });
    const left = await operatorNone.request<{ leaveChat: { chat: unknown } }>(`mutation($c: ID!) { leaveChat(chatId: $c) { chat { id } } }`, { c: chatA });
    expect(left.leaveChat.chat).toBeNull();
    expect(await chatIds(operatorNone)).toEqual([]);
    const ended = await operatorA.request<{ endChat: { chat: { status: { code: string; isClosed: boolean } } } }>(
      `mutation($c: ID!) { endChat(chatId: $c) { chat { status { code isClosed } } } }`,
      { c: chatA },
    );
    expect(ended.endChat.chat.status).toEqual({ code: 'completed', isClosed: true });
    const timeline = await operatorA.request<{ chat: { timeline: { edges: { node: { __typename: string; type?: string } }[] } } }>(
      `query($id: ID!) { chat(id: $id) { timeline(first: 50) { edges { node { __typename ... on ActivityEntry { type } } } } } }`,
      { id: chatA },
    );
    expect(timeline.chat.timeline.edges.filter((e) => e.node.__typename === 'ActivityEntry').map((e) => e.node.type).reverse()).toEqual([
      'TAKEN_INTO_WORK',
      'OPERATORS_ADDED',
      'LEFT',
      'ENDED',
    ]);
  });

  it('keeps read state per employee', async () => {
    const unread = async (client: GraphQLClient) =>
      (await client.request<{ chat: { unreadCount: number } }>(`query($id: ID!) { chat(id: $id) { unreadCount } }`, { id: chatA })).chat.unreadCount;
    expect(await unread(operatorA)).toBe(1);
    await operatorA.request(`mutation($c: ID!) { markChatRead(chatId: $c) { chat { unreadCount } } }`, { c: chatA });
    expect(await unread(operatorA)).toBe(0);
    expect(await unread(admin)).toBe(1);
  });

  it('refuses admin-only operations to operators and bad input with typed errors', async () => {
    const members = await operatorA.raw(`mutation { setConnectionMembers(connectionId: "${chatA}", employeeIds: []) { connectionId } }`);
    expect(errorCode(members.body.errors)).toBe('FORBIDDEN');
    const status = await operatorA.raw(`mutation { createChatStatus(input: { code: "vip", name: "VIP" }) { code } }`);
    expect(errorCode(status.body.errors)).toBe('FORBIDDEN');
    const page = await operatorA.raw(`{ chats(first: 1000) { totalCount } }`);
    expect(errorCode(page.body.errors)).toMatch(/BAD_USER_INPUT|QUERY_TOO_COSTLY/);
    const costly = await operatorA.raw(`{ chats(first: 100) { edges { node { timeline(first: 200) { edges { cursor } } messages(first: 200) { edges { cursor } } } } } }`);
    expect(errorCode(costly.body.errors)).toBe('QUERY_TOO_COSTLY');
  });

  it('deletes a chat for everyone who could see it', async () => {
    await admin.request(`mutation($c: ID!) { deleteChat(chatId: $c) { deletedChatId } }`, { c: chatB });
    expect(await chatIds(admin)).toEqual([chatA]);
    await waitFor(() => subscribers[0]!.chatEvents('chat.deleted').length === 1, { description: 'the admin hears of the deletion' });
    expect(subscribers[1]!.chatEvents('chat.deleted')).toEqual([]);
  });

  it('stops a deactivated operator\'s token at the gateway, also for services without an employee replica, and closes their live subscription', async () => {
    const myTasks = () => operatorNone.raw(`{ myTasks(first: 1) { edges { cursor } } }`);
    expect((await myTasks()).body.errors).toBeUndefined();
    await admin.request(`mutation($id: ID!) { deactivateEmployee(id: $id) { id active } }`, { id: operatorNoneId });
    // The gateway asks identity again within 5 s (decision 0059); tasks and CRM keep no employee replica.
    const refused = await waitFor(
      async () => {
        const answer = await myTasks();
        return errorCode(answer.body.errors) === 'UNAUTHENTICATED' ? answer : undefined;
      },
      { timeoutMs: 15_000, description: 'the deactivated operator refused by the gateway' },
    );
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.message).toBe('Your employee account is deactivated');
    expect(errorCode((await operatorNone.raw(`{ crmSearch(query: "столів", first: 1) { id } }`)).body.errors)).toBe('UNAUTHENTICATED');
    await waitFor(() => subscribers[2]!.closedWith !== undefined, { timeoutMs: 15_000, description: 'the deactivated operator\'s subscription closed' });
    expect(subscribers[2]!.closedWith).toEqual({ code: 4403, reason: 'Your employee account is deactivated' });
    // Everyone else carries on.
    expect(subscribers[1]!.closedWith).toBeUndefined();
    expect(await chatIds(operatorA)).toEqual([chatA]);
  });
});
