import { ReminderFiredV1, TOPICS, createEnvelope } from '@switchboard/contracts';
import { enqueueOutbox, type EventToPublish } from '@switchboard/messaging';
import type { LiveFeedStore } from '@switchboard/service-kit';
import type { EntityManager } from 'typeorm';
import { referencesOf } from '../common/item-references';
import { TASKS_PRODUCER, TASKS_SCHEMA } from '../tasks.config';
import type { ReminderRow } from './reminder.row';

/** tasks.reminder-fired, keyed by the owner: one employee's reminders reach subscribers in order. */
export function reminderFired(row: ReminderRow): EventToPublish {
  const { chat, linkedEntity } = referencesOf(row);
  return {
    topic: TOPICS.tasksEvents,
    envelope: createEnvelope(
      ReminderFiredV1,
      {
        reminderId: row.id,
        ownerEmployeeId: row.owner_id,
        text: row.text,
        fireAt: row.fire_at.toISOString(),
        firedAt: (row.fired_at ?? new Date()).toISOString(),
        firing: row.firings,
        ...(chat ? { chat } : {}),
        ...(linkedEntity ? { linkedEntity } : {}),
      },
      { producer: TASKS_PRODUCER, key: row.owner_id },
    ),
  };
}

/**
 * The one way fired reminders are announced, in the firing transaction: to the outbox (Kafka
 * tasks.events.v1) and to the live feed for the owner's subscription, with the same envelope.
 */
export async function emitRemindersFired(manager: EntityManager, feed: LiveFeedStore, rows: readonly ReminderRow[]): Promise<void> {
  if (rows.length === 0) return;
  const events = rows.map(reminderFired);
  await enqueueOutbox(manager, TASKS_SCHEMA, events);
  await feed.append(
    manager,
    events.map((event, i) => ({ envelope: event.envelope, audience: [rows[i]!.owner_id] })),
  );
}
