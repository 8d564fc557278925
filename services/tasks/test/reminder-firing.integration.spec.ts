/**
 * Reminders fire at their time exactly once (issue 7), with several tasks-service instances on one
 * database and across restarts: counted as tasks.reminder-fired events on the bus and as firings in
 * the database. Decision 0022 describes the design under test.
 */
import { ReminderFiredV1, parseEvent, type ReminderFired } from '@switchboard/contracts';
import type { Principal } from '@switchboard/service-kit';
import { integrationSuite, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningTasksService } from '../src';
import { CREATE_REMINDER, TasksHarness, type ReminderNode } from './support/tasks-harness';

const olena: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Олена Петренко' };
const petro: Principal = { employeeId: randomUUID(), role: 'admin', name: 'Petro' };

integrationSuite(['postgres'], 'reminder firing integration tests')('reminders fire exactly once (PostgreSQL, log bus)', () => {
  const h = new TasksHarness();
  const chatId = randomUUID();

  beforeAll(async () => {
    await h.setUp('tasks_firing');
    h.chats.addChat(chatId, 42, [olena.employeeId]);
  });
  // A failed test must not leave its instances firing into the next one.
  afterEach(() => h.stopAll());
  afterAll(() => h.tearDown());

  const createReminder = async (instance: RunningTasksService, as: Principal, text: string, fireAt: Date, withChat = false) =>
    (await h.ok<{ createReminder: ReminderNode }>(instance, as, CREATE_REMINDER, { i: { text, fireAt: fireAt.toISOString(), ...(withChat ? { chatId } : {}) } })).createReminder;
  const firedData = (reminderId: string): ReminderFired[] => h.firedEventsOf(reminderId).map((e) => parseEvent(ReminderFiredV1, e).data);
  const dbFirings = async (ids: string[]) =>
    Object.fromEntries((await h.query<{ id: string; state: string; firings: number }>(`SELECT id, state, firings FROM tasks.reminders WHERE id = ANY($1::uuid[])`, [ids])).map((r) => [r.id, `${r.state}:${r.firings}`]));

  it('fires once, on time, with two instances running and one of them stopped and restarted in between', async () => {
    let a = await h.start();
    const b = await h.start();
    const fireAt = new Date(Date.now() + 2_500);
    const main = await createReminder(a, olena, 'Call the customer back', fireAt, true);
    // Many reminders due at the same instant, written through both instances: both schedulers race for them.
    const crowd = await Promise.all(Array.from({ length: 40 }, (_, i) => createReminder(i % 2 === 0 ? a : b, i % 3 === 0 ? petro : olena, `crowd ${i}`, fireAt)));
    const ids = [main.id, ...crowd.map((r) => r.id)];

    await h.stop(a);
    a = await h.start();

    await waitFor(() => ids.every((id) => h.firedEventsOf(id).length > 0), { timeoutMs: 15_000, description: 'every reminder fired' });
    // Give a duplicate every chance to show up: both schedulers keep polling, the relay keeps relaying.
    await sleep(1_000);
    for (const id of ids) expect(h.firedEventsOf(id)).toHaveLength(1);
    expect(Object.values(await dbFirings(ids))).toEqual(ids.map(() => 'fired:1'));

    const [event] = firedData(main.id);
    expect(event).toMatchObject({ reminderId: main.id, ownerEmployeeId: olena.employeeId, text: 'Call the customer back', firing: 1, chat: { chatId, chatNumber: 42 } });
    expect(event!.fireAt).toBe(fireAt.toISOString());
    // Precise wake-up: fired well under a second after its time, never before it.
    const lateness = Date.parse(event!.firedAt) - fireAt.getTime();
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(500);
    expect(h.firedEventsOf(main.id)[0]!.key).toBe(olena.employeeId);

    const listed = await h.ok<{ myReminders: { edges: { node: { id: string; state: string; firings: number } }[] } }>(
      a,
      olena,
      `{ myReminders(first: 100, state: [FIRED]) { edges { node { id state firings } } } }`,
    );
    expect(listed.myReminders.edges.map((e) => e.node)).toContainEqual({ id: main.id, state: 'FIRED', firings: 1 });

    // Snoozed after firing: it fires once more, as firing 2.
    await h.ok(b, olena, `mutation($id: ID!, $f: String!) { rescheduleReminder(id: $id, fireAt: $f) { id } }`, { id: main.id, f: new Date(Date.now() + 600).toISOString() });
    await waitFor(() => h.firedEventsOf(main.id).length === 2, { timeoutMs: 10_000, description: 'the snoozed reminder fired again' });
    await sleep(500);
    expect(firedData(main.id).map((e) => e.firing)).toEqual([1, 2]);

    await h.stop(a);
    await h.stop(b);
  });

  it('fires a reminder that came due while every instance was down, once, right after restart', async () => {
    const a = await h.start();
    const b = await h.start();
    const fireAt = new Date(Date.now() + 4_000);
    const missed = await createReminder(b, olena, 'While we were down', fireAt);
    const stopping = Date.now();
    await Promise.all([h.stop(a), h.stop(b)]);
    // The premise of this test: every instance was down before the reminder came due.
    expect({ stoppedInMs: Date.now() - stopping, beforeFireAt: Date.now() < fireAt.getTime() }).toMatchObject({ beforeFireAt: true });

    await sleep(Math.max(0, fireAt.getTime() - Date.now()) + 1_000);
    expect(h.firedEventsOf(missed.id)).toHaveLength(0);
    expect(await dbFirings([missed.id])).toEqual({ [missed.id]: 'scheduled:0' });

    const restartedAt = Date.now();
    const [a2, b2] = await Promise.all([h.start(), h.start()]);
    await waitFor(() => h.firedEventsOf(missed.id).length > 0, { timeoutMs: 10_000, description: 'the missed reminder fired after restart' });
    await sleep(1_000);
    expect(h.firedEventsOf(missed.id)).toHaveLength(1);
    expect(await dbFirings([missed.id])).toEqual({ [missed.id]: 'fired:1' });
    const [event] = firedData(missed.id);
    expect(Date.parse(event!.firedAt)).toBeGreaterThanOrEqual(restartedAt - 50);
    expect(event!.fireAt).toBe(fireAt.toISOString());

    await h.stop(a2);
    await h.stop(b2);
  });
});
