import { z } from 'zod';
import { channelKindSchema } from '../channel';
import { deliveryStateSchema, failureCodeSchema } from '../delivery/delivery.events';
import { defineEvent } from '../envelope/event-contract';
import { attachmentSchema, locationSchema, sharedContactSchema } from '../inbound/inbound-common.schema';

/*
 * Public chat domain events (topic chat.events.v1, key = chat id). Other CRM modules subscribe to these;
 * they are published through the chat service's outbox, so an event exists if and only if the change
 * behind it committed.
 */

const chatRefSchema = z.object({ chatId: z.uuid(), chatNumber: z.number().int().positive() });

export const ChatCreatedV1 = defineEvent({
  type: 'chat.created',
  version: 1,
  description: 'A new chat was opened: the first event from a customer on a connection.',
  schema: chatRefSchema.extend({
    channel: channelKindSchema,
    connectionId: z.uuid(),
    customer: z.object({ customerId: z.uuid(), displayName: z.string(), username: z.string().optional() }),
    status: z.string().min(1),
    createdAt: z.iso.datetime({ offset: true }),
  }),
});

export const messageSnapshotSchema = z.object({
  messageId: z.uuid(),
  direction: z.enum(['inbound', 'outbound']),
  text: z.string().optional(),
  attachments: z.array(attachmentSchema.partial({ platformFileId: true })).default([]),
  location: locationSchema.optional(),
  contact: sharedContactSchema.optional(),
  placeholder: z.string().optional(),
  authorEmployeeId: z.uuid().optional(),
  deliveryState: deliveryStateSchema.optional(),
  sentAt: z.iso.datetime({ offset: true }),
});

export const ChatMessageAddedV1 = defineEvent({
  type: 'chat.message-added',
  version: 1,
  description: 'A message was added to a chat: from the customer (inbound) or from an operator (outbound, pending).',
  schema: chatRefSchema.extend({ message: messageSnapshotSchema, unanswered: z.boolean() }),
});

export const ChatMessageUpdatedV1 = defineEvent({
  type: 'chat.message-updated',
  version: 1,
  description: 'A message changed: edited or deleted by the customer, reactions changed, or its delivery state moved.',
  schema: chatRefSchema.extend({
    messageId: z.uuid(),
    change: z.enum(['edited', 'deleted', 'reactions', 'delivery']),
    text: z.string().optional(),
    reactions: z.array(z.string()).optional(),
    deliveryState: deliveryStateSchema.optional(),
    failure: z.object({ code: failureCodeSchema, message: z.string() }).optional(),
    changedAt: z.iso.datetime({ offset: true }),
  }),
});

const byEmployeeSchema = z.object({ byEmployeeId: z.uuid(), at: z.iso.datetime({ offset: true }) });

export const ChatStatusChangedV1 = defineEvent({
  type: 'chat.status-changed',
  version: 1,
  description: 'An employee changed the chat status (C3), took it into work (C4) or ended it (D2 Завершити чат).',
  schema: chatRefSchema.extend(byEmployeeSchema.shape).extend({
    from: z.string().min(1),
    to: z.string().min(1),
    isClosed: z.boolean(),
    reason: z.enum(['changed', 'taken-into-work', 'ended']),
  }),
});

export const ChatOperatorsChangedV1 = defineEvent({
  type: 'chat.operators-changed',
  version: 1,
  description: "The chat's operators changed: taken into work, assigned, added, left (D2 Оператор, Залишити чат).",
  schema: chatRefSchema.extend(byEmployeeSchema.shape).extend({
    operatorIds: z.array(z.uuid()),
    added: z.array(z.uuid()),
    removed: z.array(z.uuid()),
    reason: z.enum(['taken-into-work', 'assigned', 'added', 'left']),
    connectionId: z.uuid(),
  }),
});

export const ChatNoteAddedV1 = defineEvent({
  type: 'chat.note-added',
  version: 1,
  description: 'An employee wrote an internal note in the chat (C7, C9). Never sent to the customer.',
  schema: chatRefSchema.extend({
    noteId: z.uuid(),
    authorEmployeeId: z.uuid(),
    text: z.string().min(1),
    createdAt: z.iso.datetime({ offset: true }),
  }),
});

export const ChatReadV1 = defineEvent({
  type: 'chat.read',
  version: 1,
  description: "An employee read the chat up to a timeline position: that employee's unread count for it changed.",
  schema: chatRefSchema.extend({ employeeId: z.uuid(), unreadCount: z.number().int().min(0), readAt: z.iso.datetime({ offset: true }) }),
});

export const ChatDeletedV1 = defineEvent({
  type: 'chat.deleted',
  version: 1,
  description: 'An employee deleted the chat and its history (D3). Consumers drop what they keep about it.',
  schema: chatRefSchema.extend(byEmployeeSchema.shape).extend({ connectionId: z.uuid() }),
});

export const CHAT_EVENTS = [
  ChatCreatedV1,
  ChatMessageAddedV1,
  ChatMessageUpdatedV1,
  ChatStatusChangedV1,
  ChatOperatorsChangedV1,
  ChatNoteAddedV1,
  ChatReadV1,
  ChatDeletedV1,
] as const;
export type ChatCreated = z.output<typeof ChatCreatedV1.schema>;
export type ChatMessageAdded = z.output<typeof ChatMessageAddedV1.schema>;
export type ChatMessageUpdated = z.output<typeof ChatMessageUpdatedV1.schema>;
export type ChatStatusChanged = z.output<typeof ChatStatusChangedV1.schema>;
export type ChatOperatorsChanged = z.output<typeof ChatOperatorsChangedV1.schema>;
export type ChatNoteAdded = z.output<typeof ChatNoteAddedV1.schema>;
export type ChatRead = z.output<typeof ChatReadV1.schema>;
export type ChatDeleted = z.output<typeof ChatDeletedV1.schema>;
