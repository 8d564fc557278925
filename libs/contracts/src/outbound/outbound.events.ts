import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract';
import { connectionRefSchema } from '../channel';

export const outboundAttachmentSchema = z.object({
  fileId: z.string().min(1),
  /** Where the connector fetches the bytes (the files service); platforms without upload get this URL. */
  url: z.url(),
  fileName: z.string().min(1),
  mimeType: z.string().min(1),
  sizeBytes: z.number().int().nonnegative(),
});

/**
 * A pre-approved message template (WhatsApp): the only thing that may be sent outside the customer-service
 * window. Added to v1 as an optional field: commands without it mean exactly what they meant before.
 */
export const outboundTemplateSchema = z.object({
  name: z.string().min(1).max(512),
  /** The template's language code as approved, e.g. "en_US", "uk". */
  language: z.string().min(2).max(15),
  /** Values of the body's {{1}}, {{2}}, ... in order. */
  bodyParameters: z.array(z.string().min(1).max(1024)).max(100).default([]),
});
export type OutboundTemplate = z.output<typeof outboundTemplateSchema>;

/** The chat service asks a connector to send an operator's message. `commandId` is the message id. */
export const SendMessageRequestedV1 = defineEvent({
  type: 'messenger.send-requested',
  version: 1,
  description: "Send an operator's message to the customer; exactly one delivery result follows per command.",
  schema: z.object({
    commandId: z.uuid(),
    chatKey: z.string().min(1),
    connection: connectionRefSchema,
    externalChatId: z.string().min(1),
    text: z.string().max(65536).optional(),
    attachments: z.array(outboundAttachmentSchema).default([]),
    replyToPlatformMessageId: z.string().min(1).optional(),
    /** When present the connector sends this template; `text` is then only the inbox's rendering of it. */
    template: outboundTemplateSchema.optional(),
    requestedAt: z.iso.datetime({ offset: true }),
  }),
});
export type SendMessageRequested = z.output<typeof SendMessageRequestedV1.schema>;
