import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract';
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

export const PRESENCE_EVENTS = [CustomerTypingV1] as const;
