import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract';
import { failureCodeSchema } from '../delivery/delivery.events';
import { customerProfileSchema, inboundBaseSchema, messageContentSchema } from './inbound-common.schema';

/** A customer wrote a message (any content type). Natural key: connection + chat + platformMessageId. */
export const MessageReceivedV1 = defineEvent({
  type: 'messenger.message-received',
  version: 1,
  description: 'A customer sent a message on a connected channel.',
  schema: inboundBaseSchema.extend({
    platformMessageId: z.string().min(1),
    customer: customerProfileSchema,
    content: messageContentSchema,
    replyToPlatformMessageId: z.string().min(1).optional(),
    /** Platform grouping of albums: several messages, one group. */
    mediaGroupId: z.string().min(1).optional(),
  }),
});

export const MessageEditedV1 = defineEvent({
  type: 'messenger.message-edited',
  version: 1,
  description: 'A customer edited a message they had sent; the new content replaces the old.',
  schema: inboundBaseSchema.extend({
    platformMessageId: z.string().min(1),
    customer: customerProfileSchema,
    content: messageContentSchema,
    editedAt: z.iso.datetime({ offset: true }),
  }),
});

export const MessageDeletedV1 = defineEvent({
  type: 'messenger.message-deleted',
  version: 1,
  description: 'A customer deleted a message (on platforms that report it).',
  schema: inboundBaseSchema.extend({ platformMessageId: z.string().min(1) }),
});

export const ReactionChangedV1 = defineEvent({
  type: 'messenger.reaction-changed',
  version: 1,
  description: "The customer's reactions to a message, as a whole new set (platforms report the full set).",
  schema: inboundBaseSchema.extend({
    platformMessageId: z.string().min(1),
    customer: customerProfileSchema,
    reactions: z.array(z.string().min(1)),
  }),
});

export const ReceiptReceivedV1 = defineEvent({
  type: 'messenger.receipt-received',
  version: 1,
  description:
    'The platform reports that our outgoing message was delivered to or read by the customer. ' +
    '`upTo` receipts (watermarks) apply to every earlier outgoing message of the chat.',
  schema: inboundBaseSchema.extend({
    receipt: z.enum(['delivered', 'read']),
    platformMessageId: z.string().min(1).optional(),
    upTo: z.iso.datetime({ offset: true }).optional(),
  }),
});

export const DeliveryFailedV1 = defineEvent({
  type: 'messenger.delivery-failed',
  version: 1,
  description:
    'The platform reports that an outgoing message it had accepted could not be delivered (e.g. a WhatsApp ' +
    'status "failed"). Final: the message moves from sent or delivered to failed, with the platform\'s reason.',
  schema: inboundBaseSchema.extend({
    platformMessageId: z.string().min(1),
    failure: z.object({
      code: failureCodeSchema,
      /** The platform's error code and title for people, e.g. "131026 Message undeliverable". */
      message: z.string().min(1),
    }),
  }),
});

export const MessageEchoedV1 = defineEvent({
  type: 'messenger.message-echoed',
  version: 1,
  description:
    'The business sent a message to the customer outside the inbox (the Page inbox, the phone app, another tool), ' +
    'reported by the platform as an echo. Mirrored into the chat as an outgoing message that is already sent; ' +
    "connectors leave out echoes of the inbox's own sends. Natural key: connection + chat + platformMessageId.",
  schema: inboundBaseSchema.extend({
    platformMessageId: z.string().min(1),
    content: messageContentSchema,
    replyToPlatformMessageId: z.string().min(1).optional(),
  }),
});

export const CommentReceivedV1 = defineEvent({
  type: 'messenger.comment-received',
  version: 1,
  description: "A customer commented under one of the company's posts; each post thread per customer is a chat.",
  schema: inboundBaseSchema.extend({
    platformMessageId: z.string().min(1),
    customer: customerProfileSchema,
    content: messageContentSchema,
    post: z.object({ id: z.string().min(1), url: z.url().optional(), caption: z.string().optional() }),
    parentCommentId: z.string().min(1).optional(),
  }),
});

export const INBOUND_EVENTS = [
  MessageReceivedV1,
  MessageEditedV1,
  MessageDeletedV1,
  ReactionChangedV1,
  ReceiptReceivedV1,
  DeliveryFailedV1,
  CommentReceivedV1,
  MessageEchoedV1,
] as const;

export type MessageReceived = z.output<typeof MessageReceivedV1.schema>;
export type MessageEdited = z.output<typeof MessageEditedV1.schema>;
export type MessageDeleted = z.output<typeof MessageDeletedV1.schema>;
export type ReactionChanged = z.output<typeof ReactionChangedV1.schema>;
export type ReceiptReceived = z.output<typeof ReceiptReceivedV1.schema>;
export type DeliveryFailed = z.output<typeof DeliveryFailedV1.schema>;
export type CommentReceived = z.output<typeof CommentReceivedV1.schema>;
export type MessageEchoed = z.output<typeof MessageEchoedV1.schema>;

export const UnrecognisedPayloadV1 = defineEvent({
  type: 'messenger.unrecognised-payload',
  version: 1,
  description: 'A platform payload a connector acknowledged but could not normalise, kept whole for inspection.',
  schema: z.object({
    connection: inboundBaseSchema.shape.connection,
    reason: z.string().min(1),
    payload: z.unknown(),
  }),
});
