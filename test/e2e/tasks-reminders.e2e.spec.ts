/**
 * Tasks, calendar events and reminders through the gateway on both runtimes (issue 7, D2): created from a
 * chat the operator may see (and refused for one they may not), listed in "Мої завдання" / "Нагадування"
 * with the chat resolved through the chat subgraph; a reminder fires at its time and reaches its owner's
 * graphql-ws subscription (reminderEvents) and nobody else's; deleting the chat cancels its reminders.
 */
import { waitFor } from '@switchboard/testing';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { GraphQLClient } from './support/graphql-client';
import { availableRuntimes } from './support/infra';
import { BOT, startTestStack, type TestStack } from './support/test-stack';

const PASSWORD = 'operator-password-1';

interface ReminderLiveEvent {
  cursor: string;
  type: string;
  reminderId: string | null;
  data: string | null;
}

/** A graphql-ws client on reminderEvents, collecting what arrives; resolves connect() once live. */
class ReminderSubscriber {
  readonly events: ReminderLiveEvent[] = [];
  private client: Client | undefined;

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  async connect(): Promise<void> {
    this.client = createClient({ url: this.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${this.token}` }, retryAttempts: 0 });
    await new Promise<void>((resolve, reject) => {
      this.client!.subscribe<{ reminderEvents: ReminderLiveEvent }>(
        { query: `subscription { reminderEvents { cursor type reminderId data } }` },
        {
          next: (message) => {
            if (message.errors) reject(new Error(JSON.stringify(message.errors)));
            const event = message.data?.reminderEvents;
            if (!event) return;
            this.events.push(event);
            if (event.type === 'subscription.started') resolve();
          },
          error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
          complete: () => reject(new Error('the subscription ended before live delivery started')),
        },
      );
    });
  }

  fired(): ReminderLiveEvent[] {
    return this.events.filter((e) => e.type === 'tasks.reminder-fired');
  }

  async disconnect(): Promise<void> {
    await this.client?.dispose();
  }
}

describe.each(availableRuntimes())('tasks and reminders on the %s runtime', (runtime) => {
  let stack: TestStack;
  let operator: GraphQLClient;
  let outsider: GraphQLClient;
  let chatId: string;
  let chatNumber: number;
  const subscribers: ReminderSubscriber[] = [];

  async function employee(email: string, name: string): Promise<{ client: GraphQLClient; id: string }> {
    const created = await stack.client.request<{ createEmployee: { id: string } }>(
      `mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { id } }`,
      { input: { email, name, role: 'OPERATOR', password: PASSWORD } },
    );
    const client = new GraphQLClient(stack.client.url);
    await client.login(email, PASSWORD);
    return { client, id: created.createEmployee.id };
  }

  beforeAll(async () => {
    stack = await startTestStack({ runtime, telegramMode: 'webhook' });
    const connected = await stack.client.request<{ connectTelegramBot: { connection: { id: string } } }>(
      `mutation($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { id } } }`,
      { input: { token: BOT.token } },
    );
    const member = await employee('olena.tasks@switchboard.test', 'Олена Петренко');
    operator = member.client;
    outsider = (await employee('ivan.tasks@switchboard.test', 'Ivan Nobody')).client;
    await stack.client.request(`mutation($c: ID!, $e: [ID!]!) { setConnectionMembers(connectionId: $c, employeeIds: $e) { connectionId } }`, {
      c: connected.connectTelegramBot.connection.id,
      e: [member.id],
    });
    await stack.telegram.customer(BOT.token, { id: 990001, firstName: 'Марта' }).sendText('Передзвоніть мені завтра, будь ласка');
    const chat = await waitFor(
      async () => (await operator.request<{ chats: { edges: { node: { id: string; number: number } }[] } }>(`{ chats(first: 5) { edges { node { id number } } } }`)).chats.edges[0]?.node,
      { timeoutMs: 20_000, description: 'the chat to appear' },
    );
    chatId = chat.id;
    chatNumber = chat.number;
  });

  afterAll(async () => {
    for (const s of subscribers) await s.disconnect();
    await stack?.stop();
  });

  it('creates a task, an event and a reminder from a chat and lists them, with the chat resolved', async () => {
    const task = await operator.request<{ createTask: { id: string; chatNumber: number; chat: { id: string; number: number } } }>(
      `mutation($i: CreateTaskInput!) { createTask(input: $i) { id chatNumber chat { id number } } }`,
      { i: { title: 'Передзвонити Марті', dueAt: new Date(Date.now() + 86_400_000).toISOString(), chatId } },
    );
    expect(task.createTask.chat).toEqual({ id: chatId, number: chatNumber });
    await operator.request(`mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`, {
      i: { title: 'Дзвінок', startsAt: '2031-03-01T09:00:00Z', endsAt: '2031-03-01T09:30:00Z', chatId },
    });
    const tasks = await operator.request<{ myTasks: { edges: { node: { id: string } }[] } }>(`{ myTasks(first: 10) { edges { node { id } } } }`);
    expect(tasks.myTasks.edges.map((e) => e.node.id)).toEqual([task.createTask.id]);
    const events = await operator.request<{ myEvents: { title: string; chat: { number: number } }[] }>(
      `{ myEvents(from: "2031-03-01T00:00:00Z", to: "2031-03-02T00:00:00Z") { title chat { number } } }`,
    );
    expect(events.myEvents).toEqual([{ title: 'Дзвінок', chat: { number: chatNumber } }]);

    const refused = await outsider.raw(`mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }`, { i: { title: 'peek', chatId } });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CHAT_NOT_FOUND' });
    expect((await outsider.request<{ myTasks: { edges: unknown[] } }>(`{ myTasks(first: 10) { edges { cursor } } }`)).myTasks.edges).toEqual([]);
  });

  it("fires a reminder at its time into its owner's subscription only", async () => {
    const mine = new ReminderSubscriber(stack.client.url, operator.token!);
    const theirs = new ReminderSubscriber(stack.client.url, outsider.token!);
    subscribers.push(mine, theirs);
    await Promise.all([mine.connect(), theirs.connect()]);

    const fireAt = new Date(Date.now() + 1_500);
    const created = await operator.request<{ createReminder: { id: string } }>(`mutation($i: CreateReminderInput!) { createReminder(input: $i) { id } }`, {
      i: { text: 'Передзвонити', fireAt: fireAt.toISOString(), chatId },
    });
    const reminderId = created.createReminder.id;
    await waitFor(() => mine.fired().length === 1, { timeoutMs: 20_000, description: 'the reminder live at its owner' });
    const [event] = mine.fired();
    expect(event!.reminderId).toBe(reminderId);
    const data = JSON.parse(event!.data!) as { firedAt: string; chat: { chatId: string; chatNumber: number } };
    expect(data.chat).toEqual({ chatId, chatNumber });
    expect(Date.parse(data.firedAt) - fireAt.getTime()).toBeLessThan(1_000);

    const listed = await operator.request<{ myReminders: { edges: { node: { id: string; state: string } }[] } }>(`{ myReminders(first: 10, state: [FIRED]) { edges { node { id state } } } }`);
    expect(listed.myReminders.edges.map((e) => e.node)).toEqual([{ id: reminderId, state: 'FIRED' }]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(mine.fired()).toHaveLength(1);
    expect(theirs.fired()).toEqual([]);
  });

  it("cancels a deleted chat's scheduled reminders", async () => {
    const created = await operator.request<{ createReminder: { id: string } }>(`mutation($i: CreateReminderInput!) { createReminder(input: $i) { id } }`, {
      i: { text: 'Later', fireAt: new Date(Date.now() + 3_600_000).toISOString(), chatId },
    });
    await stack.client.request(`mutation($c: ID!) { deleteChat(chatId: $c) { deletedChatId } }`, { c: chatId });
    await waitFor(
      async () => {
        const page = await operator.request<{ myReminders: { edges: { node: { id: string; cancelReason: string | null; chatNumber: number; chat: unknown } }[] } }>(
          `{ myReminders(first: 10, state: [CANCELLED]) { edges { node { id cancelReason chatNumber chat { number } } } } }`,
        );
        return page.myReminders.edges.some((e) => e.node.id === created.createReminder.id && e.node.cancelReason === 'CHAT_DELETED' && e.node.chat === null && e.node.chatNumber === chatNumber);
      },
      { timeoutMs: 20_000, description: 'the reminder cancelled after the chat was deleted' },
    );
  });
});
