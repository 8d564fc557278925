import {
  DeliveryFailedV1,
  MessageReceivedV1,
  ReceiptReceivedV1,
  TOPICS,
  UnrecognisedPayloadV1,
  chatKeyOf,
  createEnvelope,
  type Attachment,
  type ConnectionRef,
  type CustomerProfile,
  type Envelope,
  type MessageContent,
} from '@switchboard/contracts';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CHANNEL_VIBER_SERVICE } from './channel-viber.config';
import {
  viberCallbackBaseSchema,
  viberConversationStartedCallbackSchema,
  viberMessageCallbackSchema,
  viberReceiptCallbackSchema,
  viberSubscribedCallbackSchema,
  viberUnsubscribedCallbackSchema,
  type ViberMessage,
  type ViberMessageCallback,
  type ViberUser,
} from './viber-callback.schema';
import { hostedMediaUrl, viberMediaFileId, type FetchedMedia } from './viber-media';

/** A change of a customer's subscription, applied only if newer than what is stored (Viber's clock). */
export interface SubscriptionChange {
  userId: string;
  name: string | undefined;
  subscribed: boolean;
  at: Date;
}

/** What one callback means: the row that deduplicates it, the events to publish, the state to change. */
export interface CallbackPlan {
  event: string;
  /** 'webhook' (set_webhook's check) is answered and not stored. */
  kind: 'message' | 'receipt' | 'subscription' | 'conversation_started' | 'webhook' | 'unrecognised';
  dedupeKey: string;
  messageToken: string | undefined;
  userId: string | undefined;
  occurredAt: Date;
  events: Array<{ topic: string; envelope: Envelope }>;
  subscription: SubscriptionChange | undefined;
  /** Only for unrecognised callbacks: why. */
  reason?: string;
  /** A message's file on Viber's servers, to download before its link expires. */
  mediaUrl?: string;
}

export interface PlanInput {
  /** The body after parseViberJson (64-bit tokens are decimal strings). */
  body: unknown;
  /** sha256 of the raw body: the dedupe key of callbacks we cannot name otherwise. */
  bodyDigest: string;
  connection: ConnectionRef;
  media?: FetchedMedia | undefined;
  now?: Date;
}

/** Message types of which the inbox shows a placeholder (the raw message travels along). */
const PLACEHOLDERS: Record<string, string> = { rich_media: '[rich media]', keyboard: '[keyboard]' };

/**
 * Maps a verified Viber callback to what the connector stores and publishes. Pure (apart from envelope
 * ids). Every callback yields a plan: what does not fit a known shape becomes UnrecognisedPayloadV1 with
 * the whole body, so nothing Viber was told we accepted is lost.
 */
export function planViberCallback(input: PlanInput): CallbackPlan {
  const base = viberCallbackBaseSchema.safeParse(input.body);
  if (!base.success) return unrecognised(input, 'unknown', `not a Viber callback: ${z.prettifyError(base.error)}`);
  const event = base.data.event;
  switch (event) {
    case 'message':
      return parsed(input, event, viberMessageCallbackSchema, (cb) => planMessage(input, cb));
    case 'delivered':
    case 'seen':
      return parsed(input, event, viberReceiptCallbackSchema, (cb) => {
        const chat = scope(input, cb.user_id);
        const envelope = createEnvelope(
          ReceiptReceivedV1,
          { ...chat, occurredAt: iso(cb.timestamp), receipt: cb.event === 'seen' ? 'read' : 'delivered', platformMessageId: cb.message_token },
          origin(input, chat.chatKey),
        );
        return {
          ...common(event, 'receipt', `${cb.event}:${cb.message_token}:${cb.user_id}`, cb.timestamp),
          messageToken: cb.message_token,
          userId: cb.user_id,
          events: [{ topic: TOPICS.inbound, envelope }],
        };
      });
    case 'failed':
      // A failure after Viber accepted the message (the command's DeliveryResultV1 already said "sent").
      return parsed(input, event, viberReceiptCallbackSchema, (cb) => {
        const chat = scope(input, cb.user_id);
        const envelope = createEnvelope(
          DeliveryFailedV1,
          {
            ...chat,
            occurredAt: iso(cb.timestamp),
            platformMessageId: cb.message_token,
            // Viber gives a free-text reason only, no code to classify by.
            failure: { code: 'platform_error', message: `Viber could not deliver the message: ${cb.desc?.trim() || 'no reason given'}` },
          },
          origin(input, chat.chatKey),
        );
        return {
          ...common(event, 'receipt', `failed:${cb.message_token}:${cb.user_id}`, cb.timestamp),
          messageToken: cb.message_token,
          userId: cb.user_id,
          events: [{ topic: TOPICS.inbound, envelope }],
        };
      });
    case 'subscribed':
      return parsed(input, event, viberSubscribedCallbackSchema, (cb) => ({
        ...common(event, 'subscription', `subscribed:${cb.user.id}:${cb.timestamp}`, cb.timestamp),
        userId: cb.user.id,
        subscription: { userId: cb.user.id, name: cb.user.name, subscribed: true, at: new Date(cb.timestamp) },
      }));
    case 'unsubscribed':
      return parsed(input, event, viberUnsubscribedCallbackSchema, (cb) => ({
        ...common(event, 'subscription', `unsubscribed:${cb.user_id}:${cb.timestamp}`, cb.timestamp),
        userId: cb.user_id,
        subscription: { userId: cb.user_id, name: undefined, subscribed: false, at: new Date(cb.timestamp) },
      }));
    case 'conversation_started':
      return parsed(input, event, viberConversationStartedCallbackSchema, (cb) => ({
        ...common(event, 'conversation_started', `conversation_started:${cb.message_token}`, cb.timestamp),
        messageToken: cb.message_token,
        userId: cb.user.id,
        // Opening the chat does not subscribe; the flag tells whether the user already is.
        subscription: { userId: cb.user.id, name: cb.user.name, subscribed: cb.subscribed === true, at: new Date(cb.timestamp) },
      }));
    case 'webhook':
      return { ...common(event, 'webhook', `webhook:${input.bodyDigest}`, base.data.timestamp) };
    default:
      return unrecognised(input, event, `unsupported Viber event: ${event}`);
  }
}

function planMessage(input: PlanInput, cb: ViberMessageCallback): CallbackPlan {
  const chat = scope(input, cb.sender.id);
  const envelope = createEnvelope(
    MessageReceivedV1,
    {
      ...chat,
      occurredAt: iso(cb.timestamp),
      platformMessageId: cb.message_token,
      customer: customerOf(cb.sender),
      content: contentOf(cb.message, cb.message_token, input.media),
    },
    origin(input, chat.chatKey),
  );
  return {
    ...common('message', 'message', `message:${cb.message_token}`, cb.timestamp),
    messageToken: cb.message_token,
    userId: cb.sender.id,
    events: [{ topic: TOPICS.inbound, envelope }],
    ...(hostedMediaUrl(cb.message) ? { mediaUrl: hostedMediaUrl(cb.message) } : {}),
    // Writing to a bot subscribes the user, without a separate subscribed callback.
    subscription: { userId: cb.sender.id, name: cb.sender.name, subscribed: true, at: new Date(cb.timestamp) },
  };
}

function contentOf(message: ViberMessage, messageToken: string, media: FetchedMedia | undefined): MessageContent {
  const text = message.text !== undefined && message.text !== '' ? message.text : undefined;
  switch (message.type) {
    case 'text':
      return { text: message.text ?? '', attachments: [] };
    case 'picture':
      return withText(text, [attachment('image', message, messageToken, media, 'image/jpeg')]);
    case 'video':
      return withText(text, [attachment('video', message, messageToken, media, 'video/mp4')]);
    case 'file':
      return withText(text, [attachment('document', message, messageToken, media, undefined)]);
    case 'sticker':
      return { attachments: [attachment('sticker', message, messageToken, media, 'image/png')], raw: { sticker_id: message.sticker_id } };
    case 'url':
      // The customer shared a link: the link is the message.
      return { text: message.media ?? text ?? '', attachments: [] };
    case 'location':
      if (message.location) {
        return { attachments: [], location: { latitude: message.location.lat, longitude: message.location.lon } };
      }
      break;
    case 'contact':
      if (message.contact?.phone_number) {
        return {
          attachments: [],
          contact: { phone: message.contact.phone_number, firstName: message.contact.name?.trim() || message.contact.phone_number },
        };
      }
      break;
  }
  return { attachments: [], placeholder: PLACEHOLDERS[message.type] ?? `[${message.type}]`, raw: { ...message }, ...(text ? { text } : {}) };
}

function withText(text: string | undefined, attachments: Attachment[]): MessageContent {
  return { attachments, ...(text !== undefined ? { text } : {}) };
}

function attachment(
  kind: Attachment['kind'],
  message: ViberMessage,
  messageToken: string,
  media: FetchedMedia | undefined,
  fallbackMime: string | undefined,
): Attachment {
  const downloaded = media?.state === 'stored' ? media : undefined;
  const mimeType = downloaded?.mimeType ?? fallbackMime;
  const sizeBytes = downloaded?.sizeBytes ?? message.size;
  return {
    kind,
    platformFileId: viberMediaFileId(messageToken),
    ...(mimeType ? { mimeType } : {}),
    ...(message.file_name ? { fileName: message.file_name } : {}),
    ...(sizeBytes !== undefined ? { sizeBytes } : {}),
    ...(message.duration !== undefined ? { durationSeconds: message.duration } : {}),
  };
}

function customerOf(user: ViberUser): CustomerProfile {
  const name = user.name?.trim();
  return {
    externalId: user.id,
    // send_name can be off for a bot, and names can be blank: give operators something readable.
    displayName: name || `Viber user ${user.id.slice(0, 8)}`,
    ...(user.language ? { languageCode: user.language } : {}),
  };
}

/** One Viber user talks to one bot in one conversation: chat = customer = the user id. */
function scope(input: PlanInput, userId: string): { connection: ConnectionRef; externalChatId: string; chatKey: string } {
  return { connection: input.connection, externalChatId: userId, chatKey: chatKeyOf({ connectionId: input.connection.id, externalChatId: userId }) };
}

function parsed<S extends z.ZodType>(input: PlanInput, event: string, schema: S, plan: (callback: z.output<S>) => CallbackPlan): CallbackPlan {
  const result = schema.safeParse(input.body);
  if (!result.success) return unrecognised(input, event, `malformed ${event} callback: ${z.prettifyError(result.error)}`);
  try {
    return plan(result.data);
  } catch (error) {
    // Content that breaks our own contract (e.g. an out-of-range coordinate) is kept, not retried forever.
    if (error instanceof z.ZodError) return unrecognised(input, event, `${event} does not fit the inbound contract: ${error.message.slice(0, 500)}`);
    throw error;
  }
}

function common(event: string, kind: CallbackPlan['kind'], dedupeKey: string, timestamp: number): CallbackPlan {
  return { event, kind, dedupeKey, messageToken: undefined, userId: undefined, occurredAt: new Date(timestamp), events: [], subscription: undefined };
}

function unrecognised(input: PlanInput, event: string, reason: string): CallbackPlan {
  const envelope = createEnvelope(
    UnrecognisedPayloadV1,
    { connection: input.connection, reason, payload: input.body },
    // Keyed by connection (see TOPIC_CATALOG): these have no trustworthy chat.
    origin(input, input.connection.id),
  );
  const timestamp = viberCallbackBaseSchema.safeParse(input.body);
  return {
    ...common(event, 'unrecognised', `unrecognised:${input.bodyDigest}`, timestamp.success ? timestamp.data.timestamp : (input.now ?? new Date()).getTime()),
    events: [{ topic: TOPICS.unrecognised, envelope }],
    reason,
  };
}

function origin(input: PlanInput, key: string) {
  return { producer: CHANNEL_VIBER_SERVICE, key, ...(input.now ? { time: input.now } : {}) };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** sha256 of the raw body, hex. */
export function bodyDigest(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** The ConnectionRef every event of a bot carries. */
export function viberConnectionRef(connection: { id: string; displayName: string }): ConnectionRef {
  return { id: connection.id, channel: 'viber', displayName: connection.displayName };
}
