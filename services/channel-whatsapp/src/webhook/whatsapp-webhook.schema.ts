import { z } from 'zod';

// The parts of the Cloud API webhook payload (CHANNELS.md 4, "reference/messages") this connector reads.
// Loose objects everywhere: Meta adds fields and types, and whatever we do not read must pass through
// untouched into `raw` and unrecognised payloads rather than fail the batch.

/** Unix seconds as a decimal string, as the Cloud API sends them. */
const unixSeconds = z.string().regex(/^\d{1,12}$/, 'timestamp must be unix seconds');

export const waContactSchema = z.looseObject({
  wa_id: z.string().min(1),
  profile: z.looseObject({ name: z.string().optional() }).optional(),
});

export const waMediaSchema = z.looseObject({
  id: z.string().min(1),
  mime_type: z.string().min(1).optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});
export type WaMedia = z.infer<typeof waMediaSchema>;

export const waMessageSchema = z.looseObject({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: unixSeconds,
  type: z.string().min(1),
  context: z.looseObject({ id: z.string().min(1).optional(), from: z.string().optional() }).optional(),
});
export type WaMessage = z.infer<typeof waMessageSchema> & Record<string, unknown>;

export const waStatusErrorSchema = z.looseObject({
  code: z.number().int(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
});

export const waStatusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: unixSeconds,
  recipient_id: z.string().min(1),
  errors: z.array(waStatusErrorSchema).optional(),
});
export type WaStatus = z.infer<typeof waStatusSchema>;

export const waMessagesValueSchema = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  metadata: z.looseObject({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }),
  contacts: z.array(waContactSchema).optional(),
  // Elements are checked one by one, so one odd message does not take the rest of the batch with it.
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
});
export type WaMessagesValue = z.infer<typeof waMessagesValueSchema>;

export const waChangeSchema = z.looseObject({ field: z.string(), value: z.unknown() });

/** The envelope every WhatsApp webhook has; anything else is not a Cloud API webhook (400). */
export const waWebhookSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.looseObject({ id: z.string(), changes: z.array(z.unknown()) })),
});
export type WaWebhook = z.infer<typeof waWebhookSchema>;

/** Specific message payloads, read by type. */
export const waTypeSchemas = {
  text: z.looseObject({ body: z.string() }),
  location: z.looseObject({
    latitude: z.number(),
    longitude: z.number(),
    name: z.string().optional(),
    address: z.string().optional(),
  }),
  contacts: z.array(
    z.looseObject({
      name: z.looseObject({ formatted_name: z.string().optional(), first_name: z.string().optional(), last_name: z.string().optional() }).optional(),
      phones: z.array(z.looseObject({ phone: z.string().optional(), wa_id: z.string().optional() })).optional(),
    }),
  ),
  interactive: z.looseObject({
    type: z.string(),
    button_reply: z.looseObject({ id: z.string(), title: z.string() }).optional(),
    list_reply: z.looseObject({ id: z.string(), title: z.string(), description: z.string().optional() }).optional(),
  }),
  button: z.looseObject({ text: z.string(), payload: z.string().optional() }),
  reaction: z.looseObject({ message_id: z.string().min(1), emoji: z.string().optional() }),
  order: z.looseObject({ catalog_id: z.string().optional(), text: z.string().optional(), product_items: z.array(z.unknown()).optional() }),
  system: z.looseObject({ body: z.string().optional(), type: z.string().optional() }),
  errors: z.array(waStatusErrorSchema),
};
