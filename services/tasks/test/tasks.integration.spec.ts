/**
 * The tasks service (issue 7, D2) through its subgraph over HTTP with real access tokens, on PostgreSQL
 * with the log bus: tasks, calendar events and reminders; input validation with typed error codes;
 * ownership (nobody sees or changes another employee's items); items created from a chat, checked against
 * the chat service's visibility endpoint (a double here); a deleted chat cancels its scheduled reminders.
 */
import { ChatDeletedV1, TOPICS, createEnvelope } from '@switchboard/contracts';
import type { Principal } from '@switchboard/service-kit';
import { integrationSuite, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import type { RunningTasksService } from '../src';
import { CREATE_REMINDER, TasksHarness, type GraphQLAnswer, type ReminderNode } from './support/tasks-harness';

const olena: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Олена Петренко' };
const ivan: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Ivan Nobody' };
const chatSeenByOlena = randomUUID();
const otherChat = randomUUID();

const inAMinute = () => new Date(Date.now() + 60_000).toISOString();
const reasonOf = (answer: GraphQLAnswer<unknown>) => ({ code: answer.errors?.[0]?.extensions?.code, reason: answer.errors?.[0]?.extensions?.reason });

type TaskNode = { id: string; title: string; status: string; dueAt: string | null; chatId: string | null; chatNumber: number | null; linkedEntity: { kind: string; id: string } | null };
type TasksPage = { myTasks: { edges: { cursor: string; node: TaskNode }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
const TASK_FIELDS = 'id title status dueAt chatId chatNumber linkedEntity { kind id }';

integrationSuite(['postgres'], 'tasks service integration tests')('the tasks service (PostgreSQL, log bus)', () => {
  const h = new TasksHarness();
  let tasks: RunningTasksService;
  const ok = <T>(as: Principal, query: string, variables: Record<string, unknown> = {}) => h.ok<T>(tasks, as, query, variables);
  const gql = <T>(as: Principal, query: string, variables: Record<string, unknown> = {}) => h.gql<T>(tasks, as, query, variables);

  beforeAll(async () => {
    await h.setUp('tasks_crud');
    h.chats.addChat(chatSeenByOlena, 17, [olena.employeeId]);
    h.chats.addChat(otherChat, 18, [ivan.employeeId]);
    tasks = await h.start();
  });
  afterAll(() => h.tearDown());

  it('creates tasks from a chat and pages "my tasks" soonest due first, then completes and cancels them', async () => {
    const create = (input: Record<string, unknown>) => ok<{ createTask: TaskNode }>(olena, `mutation($i: CreateTaskInput!) { createTask(input: $i) { ${TASK_FIELDS} } }`, { i: input });
    const later = (await create({ title: 'Call back', dueAt: new Date(Date.now() + 7_200_000).toISOString() })).createTask;
    const fromChat = (
      await create({ title: '  Send the invoice  ', dueAt: new Date(Date.now() + 3_600_000).toISOString(), chatId: chatSeenByOlena, linkedEntity: { kind: 'ORDER', id: 'order-77' } })
    ).createTask;
    const undated = (await create({ title: 'Someday' })).createTask;
    expect(fromChat).toMatchObject({ title: 'Send the invoice', status: 'OPEN', chatId: chatSeenByOlena, chatNumber: 17, linkedEntity: { kind: 'ORDER', id: 'order-77' } });
    expect(h.chats.requests).toContainEqual({ chatId: chatSeenByOlena, employeeId: olena.employeeId });

    const first = (await ok<TasksPage>(olena, `{ myTasks(first: 2) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`)).myTasks;
    expect(first.edges.map((e) => e.node.id)).toEqual([fromChat.id, later.id]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await ok<TasksPage>(olena, `query($a: String) { myTasks(first: 2, after: $a) { edges { node { id } } pageInfo { hasNextPage } } }`, { a: first.pageInfo.endCursor })).myTasks;
    expect(second.edges.map((e) => e.node.id)).toEqual([undated.id]);
    expect(second.pageInfo.hasNextPage).toBe(false);

    const done = await ok<{ completeTask: TaskNode }>(olena, `mutation($id: ID!) { completeTask(id: $id) { status } }`, { id: fromChat.id });
    expect(done.completeTask.status).toBe('DONE');
    // Completing again is harmless; cancelling a done task is a state conflict.
    expect((await ok<{ completeTask: TaskNode }>(olena, `mutation($id: ID!) { completeTask(id: $id) { status } }`, { id: fromChat.id })).completeTask.status).toBe('DONE');
    expect(reasonOf(await gql(olena, `mutation($id: ID!) { cancelTask(id: $id) { status } }`, { id: fromChat.id }))).toEqual({ code: 'CONFLICT', reason: 'WRONG_STATE' });
    await ok(olena, `mutation($id: ID!) { cancelTask(id: $id) { status } }`, { id: undated.id });

    const open = (await ok<TasksPage>(olena, `{ myTasks(first: 10) { edges { node { id } } } }`)).myTasks.edges.map((e) => e.node.id);
    expect(open).toEqual([later.id]);
    const doneOnly = (await ok<TasksPage>(olena, `{ myTasks(first: 10, status: [DONE]) { edges { node { id } } } }`)).myTasks.edges.map((e) => e.node.id);
    expect(doneOnly).toEqual([fromChat.id]);
  });

  it('refuses bad input with typed errors', async () => {
    const createTask = (input: Record<string, unknown>) => gql(olena, `mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }`, { i: input });
    const blank = await createTask({ title: '   ' });
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'title' });
    expect((await createTask({ title: 'x', dueAt: 'tomorrow' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'dueAt' });
    expect(reasonOf(await createTask({ title: 'x', chatId: otherChat }))).toEqual({ code: 'BAD_USER_INPUT', reason: 'CHAT_NOT_FOUND' });
    expect(reasonOf(await createTask({ title: 'x', chatId: randomUUID() }))).toEqual({ code: 'BAD_USER_INPUT', reason: 'CHAT_NOT_FOUND' });
    expect((await gql(olena, `{ myTasks(first: 500) { edges { cursor } } }`)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect((await gql(olena, `{ myTasks(first: 5, after: "garbage") { edges { cursor } } }`)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });

    const createEvent = (startsAt: string, endsAt: string) => gql(olena, `mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`, { i: { title: 'Meeting', startsAt, endsAt } });
    expect(reasonOf(await createEvent('2030-01-02T10:00:00Z', '2030-01-02T09:00:00Z'))).toEqual({ code: 'BAD_USER_INPUT', reason: 'END_BEFORE_START' });
    expect(reasonOf(await createEvent('2030-01-02T10:00:00Z', '2030-03-02T10:00:00Z'))).toEqual({ code: 'BAD_USER_INPUT', reason: 'EVENT_TOO_LONG' });

    const createReminder = (fireAt: string) => gql(olena, CREATE_REMINDER, { i: { text: 'Ping', fireAt } });
    expect(reasonOf(await createReminder(new Date(Date.now() - 1_000).toISOString()))).toEqual({ code: 'BAD_USER_INPUT', reason: 'FIRE_TIME_IN_PAST' });
    expect(reasonOf(await createReminder('2099-01-01T00:00:00Z'))).toEqual({ code: 'BAD_USER_INPUT', reason: 'FIRE_TIME_TOO_FAR' });
    expect(reasonOf(await gql(olena, `{ myEvents(from: "2030-01-01T00:00:00Z", to: "2030-06-01T00:00:00Z") { id } }`))).toEqual({ code: 'BAD_USER_INPUT', reason: 'RANGE_TOO_LONG' });
    expect(reasonOf(await gql(olena, `mutation($id: ID!) { completeTask(id: $id) { id } }`, { id: randomUUID() }))).toEqual({ code: 'NOT_FOUND', reason: undefined });

    const unauthenticated = await fetch(`${tasks.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ myTasks { edges { cursor } } }' }) });
    expect(((await unauthenticated.json()) as GraphQLAnswer<unknown>).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('lists calendar events overlapping a range', async () => {
    const create = async (title: string, startsAt: string, endsAt: string) =>
      (await ok<{ createEvent: { id: string } }>(olena, `mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`, { i: { title, startsAt, endsAt, chatId: chatSeenByOlena } })).createEvent.id;
    const before = await create('Before', '2031-05-01T08:00:00Z', '2031-05-01T09:00:00Z');
    const spanning = await create('Spanning', '2031-04-28T08:00:00Z', '2031-05-03T09:00:00Z');
    const inside = await create('Inside', '2031-05-02T10:00:00Z', '2031-05-02T11:00:00Z');
    const instant = await create('Instant', '2031-05-02T12:00:00Z', '2031-05-02T12:00:00Z');
    const after = await create('After', '2031-05-03T00:00:00Z', '2031-05-03T01:00:00Z');
    const listed = async (as: Principal, range = { from: '2031-05-02T00:00:00Z', to: '2031-05-03T00:00:00Z' }) =>
      (await h.ok<{ myEvents: { id: string; chatNumber: number }[] }>(tasks, as, `query($f: String!, $t: String!) { myEvents(from: $f, to: $t) { id chatNumber } }`, { f: range.from, t: range.to })).myEvents;
    // [from, to): "After" starts exactly at `to` and is outside; "Spanning" started before `from` and is inside.
    expect((await listed(olena)).map((e) => e.id)).toEqual([spanning, inside, instant]);
    expect((await listed(olena, { from: '2031-05-01T00:00:00Z', to: '2031-05-04T00:00:00Z' })).map((e) => e.id)).toEqual([spanning, before, inside, instant, after]);
    expect((await listed(olena)).every((e) => e.chatNumber === 17)).toBe(true);
    expect(await listed(ivan)).toEqual([]);

    await ok(olena, `mutation($id: ID!) { cancelEvent(id: $id) }`, { id: inside });
    expect((await listed(olena)).map((e) => e.id)).toEqual([spanning, instant]);
  });

  it("never shows or changes another employee's items", async () => {
    const task = (await ok<{ createTask: TaskNode }>(olena, `mutation { createTask(input: { title: "Mine" }) { id } }`)).createTask;
    const reminder = (await ok<{ createReminder: ReminderNode }>(olena, CREATE_REMINDER, { i: { text: 'Mine too', fireAt: inAMinute() } })).createReminder;
    const event = (await ok<{ createEvent: { id: string } }>(olena, `mutation { createEvent(input: { title: "M", startsAt: "2032-01-01T10:00:00Z", endsAt: "2032-01-01T11:00:00Z" }) { id } }`)).createEvent;

    expect((await h.ok<TasksPage>(tasks, ivan, `{ myTasks(first: 100, status: [OPEN, DONE, CANCELLED]) { edges { node { id } } } }`)).myTasks.edges).toEqual([]);
    expect((await h.ok<{ myReminders: { edges: unknown[] } }>(tasks, ivan, `{ myReminders(first: 100, state: [SCHEDULED, FIRED, CANCELLED]) { edges { cursor } } }`)).myReminders.edges).toEqual([]);
    for (const [mutation, id] of [
      ['completeTask(id: $id) { id }', task.id],
      ['cancelTask(id: $id) { id }', task.id],
      ['cancelReminder(id: $id) { id }', reminder.id],
      ['cancelEvent(id: $id)', event.id],
    ] as const) {
      expect(reasonOf(await h.gql(tasks, ivan, `mutation($id: ID!) { ${mutation} }`, { id }))).toEqual({ code: 'NOT_FOUND', reason: undefined });
    }
    const snooze = await h.gql(tasks, ivan, `mutation($id: ID!, $f: String!) { rescheduleReminder(id: $id, fireAt: $f) { id } }`, { id: reminder.id, f: inAMinute() });
    expect(reasonOf(snooze)).toEqual({ code: 'NOT_FOUND', reason: undefined });

    const [row] = await h.query<{ state: string; fire_at: Date }>(`SELECT state, fire_at FROM tasks.reminders WHERE id = $1`, [reminder.id]);
    expect(row!.state).toBe('scheduled');
    expect(row!.fire_at.toISOString()).toBe(reminder.fireAt);
    const [taskRow] = await h.query<{ status: string }>(`SELECT status FROM tasks.tasks WHERE id = $1`, [task.id]);
    expect(taskRow!.status).toBe('open');
  });

  it('reschedules and cancels reminders, with state rules', async () => {
    const created = (await ok<{ createReminder: ReminderNode }>(olena, CREATE_REMINDER, { i: { text: 'Follow up', fireAt: inAMinute() } })).createReminder;
    const newTime = new Date(Date.now() + 120_000).toISOString();
    const moved = await ok<{ rescheduleReminder: ReminderNode }>(olena, `mutation($id: ID!, $f: String!) { rescheduleReminder(id: $id, fireAt: $f) { fireAt state } }`, { id: created.id, f: newTime });
    expect(moved.rescheduleReminder).toEqual({ fireAt: newTime, state: 'SCHEDULED' });
    const past = await gql(olena, `mutation($id: ID!, $f: String!) { rescheduleReminder(id: $id, fireAt: $f) { id } }`, { id: created.id, f: new Date(Date.now() - 5_000).toISOString() });
    expect(reasonOf(past)).toEqual({ code: 'BAD_USER_INPUT', reason: 'FIRE_TIME_IN_PAST' });

    const cancel = () => ok<{ cancelReminder: { state: string; cancelReason: string } }>(olena, `mutation($id: ID!) { cancelReminder(id: $id) { state cancelReason } }`, { id: created.id });
    expect((await cancel()).cancelReminder).toEqual({ state: 'CANCELLED', cancelReason: 'BY_OWNER' });
    expect((await cancel()).cancelReminder).toEqual({ state: 'CANCELLED', cancelReason: 'BY_OWNER' });
    const revive = await gql(olena, `mutation($id: ID!, $f: String!) { rescheduleReminder(id: $id, fireAt: $f) { id } }`, { id: created.id, f: inAMinute() });
    expect(reasonOf(revive)).toEqual({ code: 'CONFLICT', reason: 'WRONG_STATE' });

    const scheduled = (await ok<{ myReminders: { edges: { node: { id: string } }[] } }>(olena, `{ myReminders(first: 100) { edges { node { id } } } }`)).myReminders.edges.map((e) => e.node.id);
    expect(scheduled).not.toContain(created.id);
  });

  it("cancels a deleted chat's scheduled reminders, once, and refuses new ones for it", async () => {
    const doomedChat = randomUUID();
    h.chats.addChat(doomedChat, 99, [olena.employeeId]);
    const onChat = await Promise.all(
      ['a', 'b'].map(async (text) => (await ok<{ createReminder: ReminderNode }>(olena, CREATE_REMINDER, { i: { text, fireAt: inAMinute(), chatId: doomedChat } })).createReminder),
    );
    expect(onChat.map((r) => r.chatNumber)).toEqual([99, 99]);
    const elsewhere = (await ok<{ createReminder: ReminderNode }>(olena, CREATE_REMINDER, { i: { text: 'other chat', fireAt: inAMinute(), chatId: chatSeenByOlena } })).createReminder;
    const alreadyCancelled = (await ok<{ createReminder: ReminderNode }>(olena, CREATE_REMINDER, { i: { text: 'c', fireAt: inAMinute(), chatId: doomedChat } })).createReminder;
    await ok(olena, `mutation($id: ID!) { cancelReminder(id: $id) { id } }`, { id: alreadyCancelled.id });

    const deleted = createEnvelope(
      ChatDeletedV1,
      { chatId: doomedChat, chatNumber: 99, byEmployeeId: ivan.employeeId, at: new Date().toISOString(), connectionId: randomUUID() },
      { producer: 'test', key: doomedChat },
    );
    // Delivered twice, as at-least-once delivery may: the second changes nothing.
    await h.bus.publish([{ topic: TOPICS.chatEvents, envelope: deleted }]);
    await h.bus.publish([{ topic: TOPICS.chatEvents, envelope: deleted }]);

    const states = async () =>
      Object.fromEntries(
        (await h.query<{ id: string; state: string; cancel_reason: string | null }>(`SELECT id, state, cancel_reason FROM tasks.reminders WHERE id = ANY($1::uuid[])`, [
          [...onChat.map((r) => r.id), elsewhere.id, alreadyCancelled.id],
        ])).map((r) => [r.id, `${r.state}/${r.cancel_reason}`]),
      );
    await waitFor(async () => (await states())[onChat[0]!.id] === 'cancelled/chat-deleted', { description: "the deleted chat's reminders cancelled" });
    // Both deliveries handled: the group's committed offset reached the last record on the chat's partition.
    const handledBoth = async () =>
      (
        await h.query(
          `SELECT 1 FROM bus.group_offsets o JOIN (SELECT partition, max("offset") AS last FROM bus.records WHERE topic = $1 AND key = $2 GROUP BY partition) r
             ON r.partition = o.partition WHERE o.group_id = 'tasks.chat-events' AND o.topic = $1 AND o.committed_offset >= r.last`,
          [TOPICS.chatEvents, doomedChat],
        )
      ).length > 0;
    await waitFor(handledBoth, { description: 'both deliveries handled' });
    expect(await states()).toEqual({
      [onChat[0]!.id]: 'cancelled/chat-deleted',
      [onChat[1]!.id]: 'cancelled/chat-deleted',
      [elsewhere.id]: 'scheduled/null',
      [alreadyCancelled.id]: 'cancelled/by-owner',
    });
    const refusedAfter = await gql(olena, CREATE_REMINDER, { i: { text: 'too late', fireAt: inAMinute(), chatId: doomedChat } });
    expect(reasonOf(refusedAfter)).toEqual({ code: 'BAD_USER_INPUT', reason: 'CHAT_NOT_FOUND' });
  });
});
