import { z } from 'zod';
import { viberTokenSchema } from './viber-api.client';

/**
 * Viber callbacks (https://developers.viber.com/docs/api/rest-bot-api/#callbacks), after parseViberJson:
 * message_token is a decimal string here. Objects are loose: Viber adds fields, and unknown ones are kept.
 */
const timestamp = z.number().int().nonnegative();

export const viberCallbackBaseSchema = z.looseObject({ event: z.string().min(1), timestamp });

export const viberUserSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  avatar: z.string().optional(),
  country: z.string().optional(),
  language: z.string().optional(),
  api_version: z.number().optional(),
});
export type ViberUser = z.infer<typeof viberUserSchema>;

export const viberMessageSchema = z.looseObject({
  type: z.string().min(1),
  text: z.string().optional(),
  media: z.string().optional(),
  thumbnail: z.string().optional(),
  file_name: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
  duration: z.number().nonnegative().optional(),
  sticker_id: z.union([z.number(), z.string()]).optional(),
  location: z.looseObject({ lat: z.number(), lon: z.number() }).optional(),
  contact: z.looseObject({ name: z.string().optional(), phone_number: z.string().optional(), avatar: z.string().optional() }).optional(),
  rich_media: z.unknown().optional(),
  tracking_data: z.string().optional(),
});
export type ViberMessage = z.infer<typeof viberMessageSchema>;

export const viberMessageCallbackSchema = viberCallbackBaseSchema.extend({
  event: z.literal('message'),
  message_token: viberTokenSchema,
  sender: viberUserSchema,
  message: viberMessageSchema,
});

export const viberReceiptCallbackSchema = viberCallbackBaseSchema.extend({
  event: z.enum(['delivered', 'seen', 'failed']),
  message_token: viberTokenSchema,
  user_id: z.string().min(1),
  desc: z.string().optional(),
});

export const viberSubscribedCallbackSchema = viberCallbackBaseSchema.extend({ event: z.literal('subscribed'), user: viberUserSchema });

export const viberUnsubscribedCallbackSchema = viberCallbackBaseSchema.extend({ event: z.literal('unsubscribed'), user_id: z.string().min(1) });

export const viberConversationStartedCallbackSchema = viberCallbackBaseSchema.extend({
  event: z.literal('conversation_started'),
  message_token: viberTokenSchema,
  user: viberUserSchema,
  subscribed: z.boolean().optional(),
  type: z.string().optional(),
  context: z.string().optional(),
});

export type ViberMessageCallback = z.infer<typeof viberMessageCallbackSchema>;
