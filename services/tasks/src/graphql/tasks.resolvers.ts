import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { LINKED_ENTITY_KINDS } from '@switchboard/contracts';
import { parseInput, requirePrincipal, type ChatVisibilityClient, type SubgraphContext } from '@switchboard/service-kit';
import { z } from 'zod';
import { MAX_EVENT_DURATION_MS, MAX_EVENT_RANGE_MS, MAX_EVENTS_PER_RANGE, type CalendarEventService } from '../calendar/calendar-event.service';
import type { Page } from '../common/cursor';
import { resolveReferences } from '../common/item-references';
import { TASK_ERROR_REASONS, refused } from '../common/tasks.errors';
import { REMINDER_STATES } from '../reminders/reminder.row';
import type { ReminderService } from '../reminders/reminder.service';
import { TASK_STATUSES, type TaskService } from '../tasks/task.service';
import { calendarEventView, reminderView, taskView } from './tasks.views';

export interface TasksResolverDeps {
  tasks: TaskService;
  events: CalendarEventService;
  reminders: ReminderService;
  chats: ChatVisibilityClient;
}

const MAX_PAGE = 100;
/** A reminder further ahead than this is almost certainly a typo in the year. */
const MAX_REMINDER_AHEAD_MS = 5 * 365 * 24 * 3_600_000;

const id = (what: string) => z.uuid(`${what} must be an id`);
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);
const text = (field: string, max: number) => z.string().trim().min(1, `${field} must not be empty`).max(max, `${field} must be at most ${max} characters`);
const time = (field: string) => z.iso.datetime({ offset: true, message: `${field} must be an ISO 8601 time with an offset, e.g. 2026-12-01T15:00:00+02:00` }).transform((v) => new Date(v));
/** GraphQL enum values (TASK_STATUSES in upper case) to the stored lower-case values. */
const enumOf = <T extends string>(values: readonly T[]) =>
  z.enum(values.map((v) => v.toUpperCase().replace(/-/g, '_')) as [string, ...string[]]).transform((v) => v.toLowerCase().replace(/_/g, '-') as T);

const pageArgs = {
  first: z.number().int().min(1, 'first must be at least 1').max(MAX_PAGE, `first must be at most ${MAX_PAGE}`),
  after: optional(z.string().min(1)),
};
const references = {
  chatId: optional(id('chatId')),
  linkedEntity: optional(z.object({ kind: enumOf(LINKED_ENTITY_KINDS), id: z.string().trim().min(1, 'linkedEntity.id must not be empty').max(200) })),
};
const description = optional(z.string().max(4096, 'description must be at most 4096 characters'));

const createTaskInput = z.object({ title: text('title', 500), description, dueAt: optional(time('dueAt')), ...references });
const createEventInput = z.object({ title: text('title', 500), description, startsAt: time('startsAt'), endsAt: time('endsAt'), ...references });
const createReminderInput = z.object({ text: text('text', 1000), fireAt: time('fireAt'), ...references });

function connection<T, N>(page: Page<T>, map: (row: T) => N) {
  return {
    edges: page.items.map((row, i) => ({ cursor: page.cursors[i]!, node: map(row) })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors[page.cursors.length - 1] ?? null },
  };
}

/** A fire time must lie ahead: a reminder "in the past" would fire the moment it is saved. */
function checkFireAt(fireAt: Date): Date {
  const now = Date.now();
  if (fireAt.getTime() <= now) throw refused(TASK_ERROR_REASONS.fireTimeInPast, `fireAt ${fireAt.toISOString()} is not in the future`, 'fireAt');
  if (fireAt.getTime() - now > MAX_REMINDER_AHEAD_MS) throw refused(TASK_ERROR_REASONS.fireTimeTooFar, 'fireAt must be at most 5 years ahead', 'fireAt');
  return fireAt;
}

export function tasksResolvers(deps: TasksResolverDeps): GraphQLResolverMap<SubgraphContext> {
  return {
    Query: {
      myTasks: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const input = parseInput(z.object({ ...pageArgs, status: optional(z.array(enumOf(TASK_STATUSES)).min(1, 'status must name at least one status')) }), args);
        const page = await deps.tasks.list(principal, { statuses: input.status ?? ['open'], first: input.first, after: input.after });
        return connection(page, taskView);
      },
      myEvents: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const range = parseInput(z.object({ from: time('from'), to: time('to') }), args);
        if (range.to <= range.from) throw refused(TASK_ERROR_REASONS.endBeforeStart, 'to must be after from', 'to');
        if (range.to.getTime() - range.from.getTime() > MAX_EVENT_RANGE_MS) throw refused(TASK_ERROR_REASONS.rangeTooLong, 'The range may span at most 92 days', 'to');
        const rows = await deps.events.inRange(principal, range);
        if (rows.length > MAX_EVENTS_PER_RANGE) throw refused(TASK_ERROR_REASONS.rangeTooLong, `More than ${MAX_EVENTS_PER_RANGE} events in this range: ask for a shorter one`, 'to');
        return rows.map(calendarEventView);
      },
      myReminders: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const input = parseInput(z.object({ ...pageArgs, state: optional(z.array(enumOf(REMINDER_STATES)).min(1, 'state must name at least one state')) }), args);
        const page = await deps.reminders.list(principal, { states: input.state ?? ['scheduled'], first: input.first, after: input.after });
        return connection(page, reminderView);
      },
    },
    Mutation: {
      createTask: async (_: unknown, args: { input: unknown }, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const { chatId, linkedEntity, ...input } = parseInput(createTaskInput, args.input);
        const refs = await resolveReferences(deps.chats, principal, { chatId, linkedEntity });
        return taskView(await deps.tasks.create(principal, { ...input, references: refs }));
      },
      completeTask: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        return taskView(await deps.tasks.complete(principal, parseInput(z.object({ id: id('id') }), args).id));
      },
      cancelTask: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        return taskView(await deps.tasks.cancel(principal, parseInput(z.object({ id: id('id') }), args).id));
      },
      createEvent: async (_: unknown, args: { input: unknown }, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const { chatId, linkedEntity, ...input } = parseInput(createEventInput, args.input);
        if (input.endsAt < input.startsAt) throw refused(TASK_ERROR_REASONS.endBeforeStart, 'endsAt must not be before startsAt', 'endsAt');
        if (input.endsAt.getTime() - input.startsAt.getTime() > MAX_EVENT_DURATION_MS) throw refused(TASK_ERROR_REASONS.eventTooLong, 'An event may last at most 31 days', 'endsAt');
        const refs = await resolveReferences(deps.chats, principal, { chatId, linkedEntity });
        return calendarEventView(await deps.events.create(principal, { ...input, references: refs }));
      },
      cancelEvent: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        return (await deps.events.cancel(principal, parseInput(z.object({ id: id('id') }), args).id)).id;
      },
      createReminder: async (_: unknown, args: { input: unknown }, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const { chatId, linkedEntity, ...input } = parseInput(createReminderInput, args.input);
        checkFireAt(input.fireAt);
        const refs = await resolveReferences(deps.chats, principal, { chatId, linkedEntity });
        return reminderView(await deps.reminders.create(principal, { ...input, references: refs }));
      },
      rescheduleReminder: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const input = parseInput(z.object({ id: id('id'), fireAt: time('fireAt') }), args);
        return reminderView(await deps.reminders.reschedule(principal, input.id, checkFireAt(input.fireAt)));
      },
      cancelReminder: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        return reminderView(await deps.reminders.cancel(principal, parseInput(z.object({ id: id('id') }), args).id));
      },
    },
  };
}
