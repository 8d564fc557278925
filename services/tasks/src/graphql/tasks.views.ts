import type { CalendarEventRow } from '../calendar/calendar-event.service';
import { referencesOf, type ReferenceRow } from '../common/item-references';
import type { ReminderRow } from '../reminders/reminder.row';
import type { TaskRow } from '../tasks/task.service';

const iso = (value: Date | null) => (value ? value.toISOString() : null);
const upper = <T extends string>(value: T) => value.toUpperCase().replace(/-/g, '_');

function referenceFields(row: ReferenceRow & { owner_id: string }) {
  const { chat, linkedEntity } = referencesOf(row);
  return {
    ownerId: row.owner_id,
    chatId: chat?.chatId ?? null,
    chatNumber: chat?.chatNumber ?? null,
    // A federation reference: the gateway asks the chat subgraph, which applies the caller's visibility.
    chat: chat ? { __typename: 'Chat', id: chat.chatId } : null,
    linkedEntity: linkedEntity ? { kind: upper(linkedEntity.kind), id: linkedEntity.id } : null,
  };
}

export function taskView(row: TaskRow) {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    dueAt: iso(row.due_at),
    status: upper(row.status),
    closedAt: iso(row.closed_at),
    createdAt: row.created_at.toISOString(),
    ...referenceFields(row),
  };
}

export function calendarEventView(row: CalendarEventRow) {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    ...referenceFields(row),
  };
}

export function reminderView(row: ReminderRow) {
  return {
    id: row.id,
    text: row.text,
    fireAt: row.fire_at.toISOString(),
    state: upper(row.state),
    firedAt: iso(row.fired_at),
    firings: row.firings,
    cancelledAt: iso(row.cancelled_at),
    cancelReason: row.cancel_reason ? upper(row.cancel_reason) : null,
    createdAt: row.created_at.toISOString(),
    ...referenceFields(row),
  };
}
