import { z } from 'zod';

// The parts of Messenger/Instagram/comment webhooks (CHANNELS.md 5-7) this connector reads. Loose objects
// everywhere: Meta adds fields and event types, and whatever we do not read passes through into `raw` and
// unrecognised payloads rather than failing the batch. Items are checked one by one for the same reason.

/** The envelope every Page/Instagram webhook has; anything else is not ours (400). */
export const metaWebhookSchema = z.looseObject({
  object: z.enum(['page', 'instagram']),
  entry: z.array(
    z.looseObject({
      id: z.string().min(1),
      time: z.number().optional(),
      messaging: z.array(z.unknown()).optional(),
      standby: z.array(z.unknown()).optional(),
      changes: z.array(z.unknown()).optional(),
    }),
  ),
});
export type MetaWebhook = z.infer<typeof metaWebhookSchema>;

export const messagingSchema = z.looseObject({
  sender: z.looseObject({ id: z.string().min(1) }),
  recipient: z.looseObject({ id: z.string().min(1) }),
  /** Epoch milliseconds. */
  timestamp: z.number().int().positive(),
});
export type Messaging = z.infer<typeof messagingSchema> & Record<string, unknown>;

export const attachmentItemSchema = z.looseObject({
  type: z.string().min(1),
  payload: z.looseObject({ url: z.string().optional(), title: z.string().optional(), sticker_id: z.number().optional() }).nullish(),
});

export const messageSchema = z.looseObject({
  mid: z.string().min(1),
  text: z.string().optional(),
  is_echo: z.boolean().optional(),
  is_deleted: z.boolean().optional(),
  is_unsupported: z.boolean().optional(),
  metadata: z.string().optional(),
  attachments: z.array(attachmentItemSchema).optional(),
  reply_to: z.looseObject({ mid: z.string().optional(), story: z.looseObject({ url: z.string().optional(), id: z.string().optional() }).optional() }).optional(),
  quick_reply: z.looseObject({ payload: z.string().optional() }).optional(),
});
export type MetaMessage = z.infer<typeof messageSchema>;

export const eventSchemas = {
  messageEdit: z.looseObject({ mid: z.string().min(1), text: z.string().optional(), num_edit: z.number().optional() }),
  reaction: z.looseObject({ mid: z.string().min(1), action: z.string().optional(), reaction: z.string().optional(), emoji: z.string().optional() }),
  read: z.looseObject({ watermark: z.number().optional(), mid: z.string().optional() }),
  delivery: z.looseObject({ watermark: z.number().optional(), mids: z.array(z.string()).optional() }),
  postback: z.looseObject({ title: z.string().optional(), payload: z.string().optional(), mid: z.string().optional() }),
  referral: z.looseObject({ ref: z.string().optional(), source: z.string().optional(), type: z.string().optional() }),
};

export const changeSchema = z.looseObject({ field: z.string(), value: z.unknown() });

/** Page field "feed", item "comment". created_time is unix seconds (or an ISO string in older versions). */
export const feedCommentSchema = z.looseObject({
  item: z.literal('comment'),
  verb: z.string(),
  comment_id: z.string().min(1),
  post_id: z.string().min(1),
  parent_id: z.string().optional(),
  from: z.looseObject({ id: z.string().min(1), name: z.string().optional() }),
  message: z.string().optional(),
  created_time: z.union([z.number(), z.string()]).optional(),
  post: z.looseObject({ permalink_url: z.string().optional() }).optional(),
  photo: z.string().optional(),
  video: z.string().optional(),
});

/** Instagram field "comments". */
export const instagramCommentSchema = z.looseObject({
  id: z.string().min(1),
  text: z.string().optional(),
  from: z.looseObject({ id: z.string().min(1), username: z.string().optional() }),
  media: z.looseObject({ id: z.string().min(1), media_product_type: z.string().optional() }),
  parent_id: z.string().optional(),
});
