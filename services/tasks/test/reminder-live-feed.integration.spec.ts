/**
 * The tasks service's live feed (POST /internal/feed, the protocol of decision 0012): a fired reminder is
 * announced to its owner only, in the firing transaction, resumable by position; the endpoint takes
 * service tokens only. The gateway's reminderEvents subscription reads this feed.
 */
import { signAccessToken, signServiceToken, type FeedPage, type Principal } from '@switchboard/service-kit';
import { integrationSuite, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { CREATE_REMINDER, JWT_SECRET, TasksHarness, type ReminderNode } from './support/tasks-harness';

const owner: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Олена' };
const admin: Principal = { employeeId: randomUUID(), role: 'admin', name: 'Ada' };

integrationSuite(['postgres'], 'tasks live feed integration tests')('the live feed of fired reminders (PostgreSQL)', () => {
  const h = new TasksHarness();
  beforeAll(() => h.setUp('tasks_feed'));
  afterAll(() => h.tearDown());

  it('announces a fired reminder to its owner only, after the head a reader started from', async () => {
    const tasks = await h.start();
    const feed = async (body: Record<string, unknown>, token?: string) => {
      const response = await fetch(`${tasks.url}/internal/feed`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token ?? (await signServiceToken({ service: 'gateway', secret: JWT_SECRET }))}` },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as FeedPage };
    };
    const subscribers = [owner, admin].map((p) => ({ employeeId: p.employeeId, role: p.role }));

    const start = await feed({ subscribers: [] });
    expect(start.status).toBe(200);
    const head = (start.body as { head: string }).head;

    const reminder = (await h.ok<{ createReminder: ReminderNode }>(tasks, owner, CREATE_REMINDER, { i: { text: 'Live one', fireAt: new Date(Date.now() + 800).toISOString() } }))
      .createReminder;
    // A long-poll that is waiting when the reminder fires returns with it. Polled again like the gateway
    // does: feed rows become readable only when no older transaction runs anywhere on the server (0012),
    // and other suites' long transactions on a shared PostgreSQL can hold that back for a while.
    const entries = await waitFor(
      async () => {
        const page = await feed({ after: head, waitMs: 5_000, subscribers });
        expect(page.body.tooOld).toBe(false);
        const found = (page.body as Extract<FeedPage, { tooOld: false }>).entries;
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 60_000, description: 'the fired reminder in the feed' },
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]!.audience).toEqual([owner.employeeId]);
    expect(entries[0]!.envelope).toMatchObject({ type: 'tasks.reminder-fired', data: { reminderId: reminder.id, ownerEmployeeId: owner.employeeId, text: 'Live one' } });
    // The same envelope went to the bus: one event, two routes.
    await waitFor(() => h.firedEventsOf(reminder.id).length === 1, { description: 'the bus event' });
    expect(h.firedEventsOf(reminder.id)[0]!.id).toBe(entries[0]!.envelope.id);

    const after = await feed({ after: entries[0]!.position, waitMs: 0, subscribers });
    expect((after.body as Extract<FeedPage, { tooOld: false }>).entries).toEqual([]);

    const userToken = await signAccessToken(owner, { secret: JWT_SECRET, ttlSeconds: 60 });
    expect((await feed({ subscribers: [] }, userToken)).status).toBe(401);
    expect((await feed({ after: 'x', subscribers: [] })).status).toBe(400);
  });
});
