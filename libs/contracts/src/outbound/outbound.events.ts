import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract';
import { connectionRefSchema } from '../channel';

export const outboundAttachmentSchema = z.object({
  fileId: z.string().min(1),
  /**
   * The file on the files service's internal routes (service-kit internal/files.ts, decision 0036): connectors read
   * the bytes below it to upload them, or ask it for a signed public link for platforms that only take URLs.
   */
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

/**
 * Message tags a connector puts on free text sent outside the 24-hour window (Messenger, Instagram: a human
 * agent may answer up to 7 days after the customer's last message). The chat service sets it from the chat's
 * reply window; added to v1 as an optional field: commands without it are ordinary in-window replies.
 */
export const OUTBOUND_MESSAGE_TAGS = ['HUMAN_AGENT'] as const;
export const outboundMessageTagSchema = z.enum(OUTBOUND_MESSAGE_TAGS);
export type OutboundMessageTag = z.output<typeof outboundMessageTagSchema>;

/**
 * How an answer in a comment chat (facebook-comments, instagram-comments) reaches the customer: public, as a
 * reply under the comment, or private, as the one direct message the platform allows per comment. Optional in
 * v1: absent means public, which is what a comment reply meant before the field existed.
 */
export const COMMENT_REPLY_MODES = ['public', 'private'] as const;
export const commentReplyModeSchema = z.enum(COMMENT_REPLY_MODES);
export type CommentReplyMode = z.output<typeof commentReplyModeSchema>;

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
    /** Messenger/Instagram: send outside the 24-hour window with this tag (chosen by the chat's reply window). */
    messageTag: outboundMessageTagSchema.optional(),
    /** Comment chats only: public reply under the comment (default) or a private reply. */
    commentReply: commentReplyModeSchema.optional(),
    requestedAt: z.iso.datetime({ offset: true }),
  }),
});
export type SendMessageRequested = z.output<typeof SendMessageRequestedV1.schema>;
