import { outboxTableDdl } from '@switchboard/messaging';
import type { SqlMigrationSpec } from '@switchboard/persistence';

const outbox = outboxTableDdl('tasks');

/** Columns every item (task, calendar event, reminder) has: its owner and what it was created from. */
const references = `
  owner_id uuid NOT NULL,
  chat_id uuid,
  chat_number bigint,
  entity_kind text CHECK (entity_kind IN ('client', 'company', 'lead', 'order')),
  entity_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((chat_id IS NULL) = (chat_number IS NULL)),
  CHECK ((entity_kind IS NULL) = (entity_id IS NULL))`;

/**
 * Issue 7: tasks and calendar events ("Мої завдання") and reminders ("Нагадування"), each owned by one
 * employee and optionally carrying the chat it was created from and a typed CRM reference.
 */
export const TasksInitMigration: SqlMigrationSpec = {
  name: 'TasksInit1765000000001',
  up: [
    `CREATE TABLE tasks.tasks (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       title text NOT NULL,
       description text,
       due_at timestamptz,
       status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
       closed_at timestamptz,
       ${references})`,
    // "My tasks" pages: by status, soonest due first (no due date last), id as the tie-breaker.
    `CREATE INDEX tasks_owner_due_idx ON tasks.tasks (owner_id, status, (COALESCE(due_at, 'infinity'::timestamptz)), id)`,
    `CREATE TABLE tasks.calendar_events (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       title text NOT NULL,
       description text,
       starts_at timestamptz NOT NULL,
       ends_at timestamptz NOT NULL,
       cancelled_at timestamptz,
       ${references},
       CHECK (ends_at >= starts_at))`,
    `CREATE INDEX calendar_events_owner_start_idx ON tasks.calendar_events (owner_id, starts_at)`,
    `CREATE TABLE tasks.reminders (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       text text NOT NULL,
       fire_at timestamptz NOT NULL,
       state text NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'fired', 'cancelled')),
       -- How many times it fired: a reminder rescheduled after firing fires again with the next number.
       firings int NOT NULL DEFAULT 0,
       fired_at timestamptz,
       cancelled_at timestamptz,
       cancel_reason text CHECK (cancel_reason IN ('by-owner', 'chat-deleted')),
       ${references})`,
    // The scheduler's only query path: the next due reminders, whoever owns them.
    `CREATE INDEX reminders_due_idx ON tasks.reminders (fire_at) WHERE state = 'scheduled'`,
    `CREATE INDEX reminders_owner_idx ON tasks.reminders (owner_id, fire_at, id)`,
    `CREATE INDEX reminders_chat_idx ON tasks.reminders (chat_id) WHERE state = 'scheduled'`,
    // Chats the chat service reported deleted: a reminder for one of them is refused even when its
    // creation raced with the deletion event.
    `CREATE TABLE tasks.deleted_chats (chat_id uuid PRIMARY KEY, deleted_at timestamptz NOT NULL)`,
    ...outbox.up,
  ],
  down: [...outbox.down, `DROP TABLE tasks.deleted_chats`, `DROP TABLE tasks.reminders`, `DROP TABLE tasks.calendar_events`, `DROP TABLE tasks.tasks`],
};
