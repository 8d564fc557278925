/**
 * Live updates through the gateway over graphql-ws, on both runtimes (issue 4): each event reaches only
 * the operators allowed to see the chat; a subscriber that disconnects while 100 messages arrive and
 * resumes with its cursor receives all 100, once each, in order; notes show up live but never reach the
 * platform; typing (decision 0042) reaches only those who may see the chat, and an operator's typing reaches
 * the Telegram customer as the bot's sendChatAction.
 */
import { CustomerTypingV1, TOPICS, chatKeyOf, createEnvelope } from '@switchboard/contracts';
import { waitFor } from '@switchboard/testing';
import { GraphQLClient } from './support/graphql-client';
import { availableRuntimes } from './support/infra';
import { LiveSubscriber, TypingSubscriber } from './support/live-client';
import { BOT, startTestStack, type TestStack } from './support/test-stack';
import { setConnectionMembers } from './support/connection-members';

const PASSWORD = 'operator-password-1';

describe.each(availableRuntimes())('live subscriptions on the %s runtime', (runtime) => {
  let stack: TestStack;
  let operatorA: GraphQLClient;
  let operatorNone: GraphQLClient;
  let operatorAId: string;
  let operatorNoneId: string;
  let connectionId: string;
  const subscribers: LiveSubscriber[] = [];

  async function employee(email: string, name: string): Promise<{ client: GraphQLClient; id: string }> {
    const created = await stack.client.request<{ createEmployee: { id: string } }>(
      `mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { id } }`,
      { input: { email, name, role: 'OPERATOR', password: PASSWORD } },
    );
    const client = new GraphQLClient(stack.client.url);
    await client.login(email, PASSWORD);
    return { client, id: created.createEmployee.id };
  }
  const subscriber = (client: GraphQLClient) => {
    const s = new LiveSubscriber(stack.client.url, client.token!);
    subscribers.push(s);
    return s;
  };

  beforeAll(async () => {
    stack = await startTestStack({ runtime, telegramMode: 'webhook' });
    const connected = await stack.client.request<{ connectTelegramBot: { connection: { id: string } } }>(
      `mutation($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { id } } }`,
      { input: { token: BOT.token } },
    );
    const a = await employee('olena@switchboard.test', 'Олена Петренко');
    operatorA = a.client;
    operatorAId = a.id;
    const none = await employee('ivan@switchboard.test', 'Ivan Nobody');
    operatorNone = none.client;
    operatorNoneId = none.id;
    connectionId = connected.connectTelegramBot.connection.id;
    await setConnectionMembers(stack.client, connected.connectTelegramBot.connection.id, [operatorAId]);
  });

  const typingSubscribers: TypingSubscriber[] = [];
  afterAll(async () => {
    for (const s of typingSubscribers) await s.disconnect();
    for (const s of subscribers) await s.disconnect();
    await stack?.stop();
  });

  it('rejects a subscription without a valid token', async () => {
    const anonymous = new LiveSubscriber(stack.client.url, 'not-a-token');
    await expect(anonymous.connect()).rejects.toThrow();
    await anonymous.disconnect();
  });

  it('delivers a new message to the admin and the member, never to an operator who may not see the chat', async () => {
    const admin = subscriber(stack.client);
    const member = subscriber(operatorA);
    const outsider = subscriber(operatorNone);
    await Promise.all([admin.connect(), member.connect(), outsider.connect()]);

    const customer = stack.telegram.customer(BOT.token, { id: 880001, firstName: 'Марта', username: 'marta' });
    await customer.sendText('Чи є у вас доставка в Одесу?');
    const isTheMessage = (s: LiveSubscriber) =>
      s.chatEvents('chat.message-added').some((e) => (JSON.parse(e.data!) as { message: { text?: string } }).message.text === 'Чи є у вас доставка в Одесу?');
    await waitFor(() => isTheMessage(admin) && isTheMessage(member), { timeoutMs: 20_000, description: 'the message to reach admin and member live' });
    expect(admin.chatEvents('chat.created')).toHaveLength(1);

    // A note, live to the member and nowhere near the platform.
    const chatId = admin.chatEvents('chat.created')[0]!.chatId!;
    await operatorA.request(`mutation($c: ID!) { addNote(chatId: $c, text: "NOTE-never-to-customer") { note { id } } }`, { c: chatId });
    await operatorA.request(`mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }`, { i: { chatId, text: 'Так, 1-2 дні' } });
    await stack.telegram.waitForSent((s) => s.method === 'sendMessage' && s.text === 'Так, 1-2 дні', 20_000);
    await waitFor(() => member.chatEvents('chat.note-added').length === 1, { description: 'the note live' });
    expect(JSON.stringify(stack.telegram.requestsFor(BOT.token, 'sendMessage'))).not.toContain('NOTE-never-to-customer');

    // The outsider got nothing but its start marker; give stragglers a moment before concluding.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(outsider.chatEvents()).toEqual([]);
    expect(outsider.errors).toEqual([]);
  });

  it('resumes after a disconnect: all 100 messages that arrived meanwhile, once each, in order', async () => {
    // The control stays connected throughout: what it sees is the order the resumed subscriber must see.
    const control = subscriber(operatorA);
    const member = subscriber(operatorA);
    await Promise.all([control.connect(), member.connect()]);
    const cursor = member.lastCursor!;
    await member.disconnect();

    const customer = stack.telegram.customer(BOT.token, { id: 880002, firstName: 'Taras' });
    for (let i = 1; i <= 100; i++) await customer.sendText(`message ${i}`);
    const textsOf = (s: LiveSubscriber) =>
      s
        .chatEvents('chat.message-added')
        .map((e) => ({ cursor: e.cursor, text: (JSON.parse(e.data!) as { message: { text?: string } }).message.text ?? '' }))
        .filter((m) => m.text.startsWith('message '));
    await waitFor(() => textsOf(control).length === 100, { timeoutMs: 60_000, description: 'all 100 messages live at the control subscriber' });

    const resumed = subscriber(operatorA);
    await resumed.connect(cursor);
    const received = textsOf(resumed);
    expect(received).toEqual(textsOf(control));
    expect(new Set(received.map((m) => m.text)).size).toBe(100);
    const cursors = resumed.events.map((e) => BigInt(e.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(resumed.chatEvents().map((e) => e.cursor)).size).toBe(resumed.chatEvents().length);

    // And it stays live after the catch-up.
    await customer.sendText('after resume');
    await waitFor(() => resumed.chatEvents('chat.message-added').some((e) => e.data!.includes('after resume')), { description: 'a live event after resuming' });
  });

  it('rejects a malformed cursor with a typed error', async () => {
    const s = subscriber(operatorA);
    await expect(s.connect('yesterday')).rejects.toThrow(/BAD_USER_INPUT|cursor/);
  });

  it('typing: a customer typing reaches who may see the chat only; an operator typing reaches another admin and the Telegram customer', async () => {
    const typingSubscriber = async (client: GraphQLClient) => {
      const s = new TypingSubscriber(stack.client.url, client.token!);
      typingSubscribers.push(s);
      await s.connect();
      return s;
    };
    // Two chats on the bot: the member sees both; the outsider only the second, as its operator.
    const oleh = stack.telegram.customer(BOT.token, { id: 880003, firstName: 'Олег' });
    const nina = stack.telegram.customer(BOT.token, { id: 880004, firstName: 'Ніна' });
    await oleh.sendText('Чи можна оплатити карткою?');
    await nina.sendText('Доброго дня');
    type Chats = { chats: { edges: { node: { id: string; customer: { displayName: string } } }[] } };
    const chatOf = async (name: string) =>
      (await stack.client.request<Chats>(`{ chats(first: 100) { edges { node { id customer { displayName } } } } }`)).chats.edges.find((e) => e.node.customer.displayName === name)?.node.id;
    const [olehChat, ninaChat] = await waitFor(async () => {
      const ids = await Promise.all([chatOf('Олег'), chatOf('Ніна')]);
      return ids.every(Boolean) && (ids as string[]);
    }, { timeoutMs: 20_000, description: 'both chats' });
    await stack.client.request(`mutation($c: ID!, $o: [ID!]!) { addChatOperators(chatId: $c, operatorIds: $o) { chat { id } } }`, { c: ninaChat, o: [operatorNoneId] });
    const secondAdmin = new GraphQLClient(stack.client.url);
    await stack.client.request(`mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { id } }`, {
      input: { email: 'second-admin@switchboard.test', name: 'Bohdan Admin', role: 'ADMIN', password: PASSWORD },
    });
    await secondAdmin.login('second-admin@switchboard.test', PASSWORD);

    const [admin, admin2, member, outsider] = await Promise.all([stack.client, secondAdmin, operatorA, operatorNone].map(typingSubscriber));
    // The customer typing, published through the stack's bus as channel-telegram-user publishes it.
    const customerTyping = (customerId: number) => {
      const chatKey = chatKeyOf({ connectionId, externalChatId: String(customerId) });
      return {
        topic: TOPICS.presence,
        envelope: createEnvelope(
          CustomerTypingV1,
          {
            connection: { id: connectionId, channel: 'telegram', displayName: `@${BOT.username}` },
            chatKey,
            externalChatId: String(customerId),
            occurredAt: new Date().toISOString(),
            customerExternalId: String(customerId),
            activity: 'typing',
            expiresAt: new Date(Date.now() + 6_000).toISOString(),
          },
          { producer: 'channel-telegram-user', key: chatKey },
        ),
      };
    };
    // Typing is live only (no start marker to wait for): publish until every subscriber has been reached.
    const everyoneReached = () =>
      [admin, admin2, member].every((s) => s.of(olehChat!).length > 0 && s.of(ninaChat!).length > 0) && outsider.of(ninaChat!).length > 0;
    await waitFor(
      async () => {
        await stack.switchboard.bus.publish([customerTyping(880003), customerTyping(880004)]);
        await new Promise((resolve) => setTimeout(resolve, 500));
        return everyoneReached();
      },
      { timeoutMs: 30_000, description: 'customer typing to reach every subscriber that may see it' },
    );
    // Once more while all are surely live: the outsider must still get nothing of the chat it may not see.
    const memberSeen = member.of(olehChat!).length;
    await stack.switchboard.bus.publish([customerTyping(880003), customerTyping(880004)]);
    await waitFor(() => member.of(olehChat!).length > memberSeen, { description: 'the last customer typing at the member' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(outsider.of(olehChat!)).toEqual([]);
    expect(member.of(olehChat!)[0]).toMatchObject({ activity: 'typing', who: { kind: 'CUSTOMER', name: 'Олег' } });
    expect(outsider.errors).toEqual([]);

    // The admin types a reply: the second admin and the member see it, the admin does not; the customer sees the bot typing.
    const reported = await stack.client.request<{ reportTyping: boolean }>(`mutation($c: ID!) { reportTyping(chatId: $c) }`, { c: olehChat });
    expect(reported.reportTyping).toBe(true);
    await waitFor(() => admin2.of(olehChat!, 'EMPLOYEE').length > 0 && member.of(olehChat!, 'EMPLOYEE').length > 0, { description: 'operator typing at the second admin and the member' });
    expect(admin2.of(olehChat!, 'EMPLOYEE')[0]!.who.name).toBe('Ada Admin');
    await waitFor(
      () => stack.telegram.requestsFor(BOT.token).some((r) => r.method.toLowerCase() === 'sendchataction' && String(r.params['chat_id']) === '880003' && r.params['action'] === 'typing' && r.ok),
      { timeoutMs: 20_000, description: "the bot's sendChatAction to the customer" },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(admin.of(olehChat!, 'EMPLOYEE')).toEqual([]);
    expect(outsider.of(olehChat!)).toEqual([]);
  });
});
