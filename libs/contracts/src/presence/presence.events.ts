import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract';
import { connectionRefSchema } from '../channel';
import { inboundBaseSchema } from '../inbound/inbound-common.schema';

/** What the customer is doing right now, as the platform reports it; 'cancelled' ends an earlier one. */
export const CUSTOMER_ACTIVITIES = [
  'typing',
  'recording_voice',
  'uploading_voice',
  'recording_video',
  'uploading_video',
  'recording_video_note',
  'uploading_photo',
  'uploading_document',
  'choosing_sticker',
  'cancelled',
  'other',
] as const;
export const customerActivitySchema = z.enum(CUSTOMER_ACTIVITIES);
export type CustomerActivity = z.infer<typeof customerActivitySchema>;

/**
 * Ephemeral, on its own topic (messenger.presence.v1) so that losing it loses nothing: never stored,
 * published straight to the bus (no outbox), at most once per chat every few seconds. Only Telegram user
 * accounts (MTProto) report it today.
 */
export const CustomerTypingV1 = defineEvent({
  type: 'messenger.customer-typing',
  version: 1,
  description:
    'Ephemeral: the customer is typing (or recording, uploading...) in a chat right now. Consumers show it until ' +
    '`expiresAt` unless a newer one arrives; `cancelled` ends it. Never stored; a consumer that missed it loses nothing.',
  schema: inboundBaseSchema.extend({
    customerExternalId: z.string().min(1),
    activity: customerActivitySchema,
    expiresAt: z.iso.datetime({ offset: true }),
  }),
});
export type CustomerTyping = z.output<typeof CustomerTypingV1.schema>;

/** What an employee is doing in a chat's reply box; only typing is reported today. */
export const OPERATOR_ACTIVITIES = ['typing'] as const;
export const operatorActivitySchema = z.enum(OPERATOR_ACTIVITIES);
export type OperatorActivity = z.infer<typeof operatorActivitySchema>;

/**
 * Ephemeral, like CustomerTypingV1 and on the same topic: the chat service publishes it straight to the bus
 * (no outbox) when an operator types a reply (reportTyping), at most once per operator and chat every few
 * seconds. The chat service shows it to the chat's other operators; connectors whose platform can show a
 * business typing (Telegram bots, Messenger, Instagram) forward it to the customer, once, without retries.
 */
export const OperatorTypingV1 = defineEvent({
  type: 'messenger.operator-typing',
  version: 1,
  description:
    'Ephemeral: an employee is typing a reply in a chat right now. Connectors that can show it to the customer forward it ' +
    'once (a failure is not retried); consumers show it until `expiresAt` unless a newer one arrives. Never stored.',
  schema: z.object({
    connection: connectionRefSchema,
    chatKey: z.string().min(1),
    externalChatId: z.string().min(1),
    chatId: z.uuid(),
    employeeId: z.uuid(),
    employeeName: z.string().min(1),
    activity: operatorActivitySchema,
    occurredAt: z.iso.datetime({ offset: true }),
    expiresAt: z.iso.datetime({ offset: true }),
  }),
});
export type OperatorTyping = z.output<typeof OperatorTypingV1.schema>;

export const PRESENCE_EVENTS = [CustomerTypingV1, OperatorTypingV1] as const;
