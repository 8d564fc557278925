import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract';

/** Delivery states in the order they can happen; a state never moves backwards (failed is final). */
export const DELIVERY_STATES = ['pending', 'sent', 'delivered', 'read', 'failed'] as const;
export const deliveryStateSchema = z.enum(DELIVERY_STATES);
export type DeliveryState = z.infer<typeof deliveryStateSchema>;

export const FAILURE_CODES = [
  'blocked',
  'not_subscribed',
  'rate_limited',
  'invalid_request',
  'unauthorized',
  'too_large',
  'window_closed',
  'platform_error',
  'unknown',
] as const;
export const failureCodeSchema = z.enum(FAILURE_CODES);
export type FailureCode = z.infer<typeof failureCodeSchema>;

export const DeliveryResultV1 = defineEvent({
  type: 'messenger.delivery-result',
  version: 1,
  description: 'The outcome of a send command: sent (with the platform message id) or failed with a reason.',
  schema: z.discriminatedUnion('state', [
    z.object({
      state: z.literal('sent'),
      commandId: z.uuid(),
      chatKey: z.string().min(1),
      platformMessageId: z.string().min(1),
      occurredAt: z.iso.datetime({ offset: true }),
    }),
    z.object({
      state: z.literal('failed'),
      commandId: z.uuid(),
      chatKey: z.string().min(1),
      failure: z.object({ code: failureCodeSchema, message: z.string().min(1) }),
      occurredAt: z.iso.datetime({ offset: true }),
    }),
  ]),
});
export type DeliveryResult = z.output<typeof DeliveryResultV1.schema>;
