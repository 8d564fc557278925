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

export const CHAT_EVENTS = [ChatCreatedV1, ChatMessageAddedV1, ChatMessageUpdatedV1] as const;
export type ChatCreated = z.output<typeof ChatCreatedV1.schema>;
export type ChatMessageAdded = z.output<typeof ChatMessageAddedV1.schema>;
export type ChatMessageUpdated = z.output<typeof ChatMessageUpdatedV1.schema>;
