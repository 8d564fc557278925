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
    requestedAt: z.iso.datetime({ offset: true }),
  }),
});
export type SendMessageRequested = z.output<typeof SendMessageRequestedV1.schema>;
