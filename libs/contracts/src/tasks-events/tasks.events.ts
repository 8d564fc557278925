import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract';

/*
 * Public events of the tasks service (topic tasks.events.v1, key = the owner's employee id, so every
 * event about one employee's reminders stays in order). Published through the tasks service's outbox:
 * an event exists if and only if the change behind it committed.
 */

/** What a task, event or reminder may point at in the CRM (issue 7): a typed reference, not a foreign key. */
export const LINKED_ENTITY_KINDS = ['client', 'company', 'lead', 'order'] as const;
export const linkedEntityKindSchema = z.enum(LINKED_ENTITY_KINDS);
export type LinkedEntityKind = z.infer<typeof linkedEntityKindSchema>;

export const linkedEntityRefSchema = z.object({ kind: linkedEntityKindSchema, id: z.string().min(1).max(200) });
export type LinkedEntityRef = z.infer<typeof linkedEntityRefSchema>;

export const ReminderFiredV1 = defineEvent({
  type: 'tasks.reminder-fired',
  version: 1,
  description:
    "A reminder reached its time and fired (D2 Додати нове нагадування). Exactly one event per firing; a reminder rescheduled after firing fires again with the next `firing` number, so (reminderId, firing) identifies a firing.",
  schema: z.object({
    reminderId: z.uuid(),
    ownerEmployeeId: z.uuid(),
    text: z.string().min(1),
    /** The time it was due. */
    fireAt: z.iso.datetime({ offset: true }),
    /** When it actually fired (after fireAt; later when every tasks instance was down at fireAt). */
    firedAt: z.iso.datetime({ offset: true }),
    /** 1 for the first firing, 2 after a reschedule and a second firing, ... */
    firing: z.number().int().positive(),
    chat: z.object({ chatId: z.uuid(), chatNumber: z.number().int().positive() }).optional(),
    linkedEntity: linkedEntityRefSchema.optional(),
  }),
});

export const TASKS_EVENTS = [ReminderFiredV1] as const;
export type ReminderFired = z.output<typeof ReminderFiredV1.schema>;
