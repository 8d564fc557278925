import {
  ContractViolationError,
  MessageEditedV1,
  MessageReceivedV1,
  ReactionChangedV1,
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
import { z } from 'zod';
import { CHANNEL_TELEGRAM_SERVICE } from './channel-telegram.config';
import {
  tgMediaSchemas,
  tgMessageReactionSchema,
  tgMessageSchema,
  type TgChat,
  type TgMessage,
  type TgUpdate,
  type TgUser,
} from './telegram-update.schema';

/** What one Telegram update becomes: an inbound event, or the raw update parked as unrecognised. */
export type NormalisedUpdate =
  | { outcome: 'event'; kind: InboundKind; topic: string; envelope: Envelope }
  | { outcome: 'unrecognised'; kind: 'unrecognised'; reason: string; topic: string; envelope: Envelope };

export type InboundKind = 'message' | 'edited_message' | 'message_reaction' | 'business_message';

export interface NormaliseInput {
  update: TgUpdate;
  connection: ConnectionRef;
  /** Envelope time (when the connector saw the update); the platform's time goes into occurredAt. */
  now?: Date;
}

/** Message kinds the inbox cannot show; they still arrive, as a placeholder plus the raw message. */
const PLACEHOLDER_KINDS = [
  'poll',
  'dice',
  'game',
  'invoice',
  'story',
  'giveaway',
  'giveaway_winners',
  'successful_payment',
  'paid_media',
  'checklist',
  'web_app_data',
  'passport_data',
] as const;

/**
 * Turns a Telegram update into the platform-neutral inbound contract. Pure: same input, same event
 * (apart from envelope id and time). Anything it cannot map becomes UnrecognisedPayloadV1 with the
 * whole update, so nothing acknowledged to Telegram is ever lost.
 */
export function normaliseTelegramUpdate(input: NormaliseInput): NormalisedUpdate {
  const { update } = input;
  try {
    if (update['message'] !== undefined) return normaliseMessage(input, 'message', update['message']);
    if (update['business_message'] !== undefined) return normaliseMessage(input, 'business_message', update['business_message']);
    if (update['edited_message'] !== undefined) return normaliseEdit(input, update['edited_message']);
    if (update['message_reaction'] !== undefined) return normaliseReaction(input, update['message_reaction']);
    return unrecognised(input, `unsupported update kind: ${updateKind(update) ?? '(none)'}`);
  } catch (error) {
    // A payload that breaks our own contract (e.g. an out-of-range coordinate) is kept, not retried forever.
    if (error instanceof z.ZodError || error instanceof ContractViolationError) {
      return unrecognised(input, `payload does not fit the inbound contract: ${error.message.slice(0, 500)}`);
    }
    throw error;
  }
}

export function updateKind(update: TgUpdate): string | undefined {
  return Object.keys(update).find((key) => key !== 'update_id');
}

function normaliseMessage(input: NormaliseInput, kind: 'message' | 'business_message', raw: unknown): NormalisedUpdate {
  const parsed = tgMessageSchema.safeParse(raw);
  if (!parsed.success) return unrecognised(input, `malformed ${kind}: ${z.prettifyError(parsed.error)}`);
  const message = parsed.data;
  const scope = privateChatScope(input, message.chat, kind);
  if ('outcome' in scope) return scope;
  const customer = customerOf(message.from, message.chat);
  if (!customer) return unrecognised(input, `${kind} without a sender`);
  // In a business chat the owner's own messages come as business_message too; they are not the customer's.
  if (kind === 'business_message' && message.from && message.from.id !== message.chat.id) {
    return unrecognised(input, 'business_message written by the business account itself');
  }
  const envelope = createEnvelope(
    MessageReceivedV1,
    {
      ...scope,
      occurredAt: fromUnix(message.date),
      platformMessageId: String(message.message_id),
      customer,
      content: contentOf(message),
      ...(message.reply_to_message ? { replyToPlatformMessageId: String(message.reply_to_message.message_id) } : {}),
      ...(message.media_group_id ? { mediaGroupId: message.media_group_id } : {}),
    },
    origin(input, scope.chatKey),
  );
  return { outcome: 'event', kind, topic: TOPICS.inbound, envelope };
}

function normaliseEdit(input: NormaliseInput, raw: unknown): NormalisedUpdate {
  const parsed = tgMessageSchema.safeParse(raw);
  if (!parsed.success) return unrecognised(input, `malformed edited_message: ${z.prettifyError(parsed.error)}`);
  const message = parsed.data;
  const scope = privateChatScope(input, message.chat, 'edited_message');
  if ('outcome' in scope) return scope;
  const customer = customerOf(message.from, message.chat);
  if (!customer) return unrecognised(input, 'edited_message without a sender');
  const envelope = createEnvelope(
    MessageEditedV1,
    {
      ...scope,
      occurredAt: fromUnix(message.date),
      platformMessageId: String(message.message_id),
      customer,
      content: contentOf(message),
      editedAt: fromUnix(message.edit_date ?? message.date),
    },
    origin(input, scope.chatKey),
  );
  return { outcome: 'event', kind: 'edited_message', topic: TOPICS.inbound, envelope };
}

function normaliseReaction(input: NormaliseInput, raw: unknown): NormalisedUpdate {
  const parsed = tgMessageReactionSchema.safeParse(raw);
  if (!parsed.success) return unrecognised(input, `malformed message_reaction: ${z.prettifyError(parsed.error)}`);
  const reaction = parsed.data;
  const scope = privateChatScope(input, reaction.chat, 'message_reaction');
  if ('outcome' in scope) return scope;
  // Anonymous reactions (actor_chat instead of user) have no customer to attribute them to.
  const customer = customerOf(reaction.user, undefined);
  if (!customer) return unrecognised(input, 'message_reaction without a user');
  const reactions = reaction.new_reaction.flatMap((r) => {
    if (r.type === 'emoji' && r.emoji) return [r.emoji];
    if (r.type === 'custom_emoji' && r.custom_emoji_id) return [`custom:${r.custom_emoji_id}`];
    if (r.type === 'paid') return ['paid'];
    return [];
  });
  const envelope = createEnvelope(
    ReactionChangedV1,
    {
      ...scope,
      occurredAt: fromUnix(reaction.date),
      platformMessageId: String(reaction.message_id),
      customer,
      reactions,
    },
    origin(input, scope.chatKey),
  );
  return { outcome: 'event', kind: 'message_reaction', topic: TOPICS.inbound, envelope };
}

interface ChatScope {
  connection: ConnectionRef;
  chatKey: string;
  externalChatId: string;
}

/** Only private chats are conversations with one customer; groups and channels are kept as unrecognised for now. */
function privateChatScope(input: NormaliseInput, chat: TgChat, kind: string): ChatScope | NormalisedUpdate {
  if (chat.type !== 'private') return unrecognised(input, `${kind} in a ${chat.type} chat (only private chats are supported)`);
  const externalChatId = String(chat.id);
  return { connection: input.connection, externalChatId, chatKey: chatKeyOf({ connectionId: input.connection.id, externalChatId }) };
}

/** The customer is the sender (`from`); the private chat describes the same person when `from` is absent. */
function customerOf(user: TgUser | undefined, chat: TgChat | undefined): CustomerProfile | undefined {
  const source = user ?? chat;
  if (!source) return undefined;
  const id = source.id;
  const name = [source.first_name, source.last_name].filter((part) => part && part.trim() !== '').join(' ').trim();
  return {
    externalId: String(id),
    // Telegram requires a first name, but it can be blank-looking; fall back to something an operator can read.
    displayName: name || (source.username ? `@${source.username}` : `Telegram user ${id}`),
    ...(source.username ? { username: source.username, profileUrl: `https://t.me/${source.username}` } : {}),
    ...(user?.language_code ? { languageCode: user.language_code } : {}),
  };
}

function contentOf(message: TgMessage): MessageContent {
  const text = message.text ?? message.caption;
  const attachments = attachmentsOf(message);
  // A venue also carries `location`; the venue adds its name and address.
  const location = message.venue
    ? {
        latitude: message.venue.location.latitude,
        longitude: message.venue.location.longitude,
        title: message.venue.title,
        address: message.venue.address,
      }
    : message.location
      ? { latitude: message.location.latitude, longitude: message.location.longitude }
      : undefined;
  const contact = message.contact
    ? {
        phone: message.contact.phone_number,
        firstName: message.contact.first_name,
        ...(message.contact.last_name ? { lastName: message.contact.last_name } : {}),
        ...(message.contact.user_id !== undefined ? { platformUserId: String(message.contact.user_id) } : {}),
      }
    : undefined;
  const content: MessageContent = {
    attachments,
    ...(text !== undefined ? { text } : {}),
    ...(location ? { location } : {}),
    ...(contact ? { contact } : {}),
  };
  if (text === undefined && attachments.length === 0 && !location && !contact) {
    content.placeholder = placeholderOf(message);
    content.raw = message;
  }
  return content;
}

function placeholderOf(message: TgMessage): string {
  const known = PLACEHOLDER_KINDS.find((kind) => message[kind] !== undefined);
  return known ? `[${known}]` : '[unsupported message]';
}

function attachmentsOf(message: TgMessage): Attachment[] {
  const out: Attachment[] = [];
  const largest = message.photo?.at(-1);
  if (largest) {
    out.push(withMeta({ kind: 'image', platformFileId: largest.file_id, mimeType: 'image/jpeg' }, largest));
  }
  // Animations also carry a `document` copy for old clients; report the animation only.
  if (message.document && !message.animation) out.push(fileAttachment('document', message.document));
  if (message.voice) out.push(fileAttachment('voice', message.voice));
  if (message.audio) out.push(fileAttachment('audio', message.audio));
  if (message.video) out.push(fileAttachment('video', message.video));
  if (message.animation) out.push(fileAttachment('animation', message.animation));
  if (message.video_note) {
    const note = message.video_note;
    out.push(
      withMeta(
        { kind: 'video_note', platformFileId: note.file_id, mimeType: 'video/mp4' },
        { width: note.length, height: note.length, duration: note.duration, file_size: note.file_size },
      ),
    );
  }
  if (message.sticker) {
    const sticker = message.sticker;
    const mimeType = sticker.is_animated ? 'application/x-tgsticker' : sticker.is_video ? 'video/webm' : 'image/webp';
    out.push(withMeta({ kind: 'sticker', platformFileId: sticker.file_id, mimeType }, sticker));
  }
  return out;
}

type FileLike = z.infer<(typeof tgMediaSchemas)['document']> & { width?: number; height?: number; duration?: number };

function fileAttachment(kind: Attachment['kind'], file: FileLike): Attachment {
  return withMeta(
    {
      kind,
      platformFileId: file.file_id,
      ...(file.mime_type ? { mimeType: file.mime_type } : {}),
      ...(file.file_name ? { fileName: file.file_name } : {}),
    },
    file,
  );
}

/** Copies size, dimensions and duration when Telegram gave usable values (0 means unknown). */
function withMeta(
  base: Attachment,
  meta: { file_size?: number | undefined; width?: number | undefined; height?: number | undefined; duration?: number | undefined },
): Attachment {
  return {
    ...base,
    ...(meta.file_size !== undefined ? { sizeBytes: meta.file_size } : {}),
    ...(meta.width ? { width: meta.width } : {}),
    ...(meta.height ? { height: meta.height } : {}),
    ...(meta.duration !== undefined ? { durationSeconds: meta.duration } : {}),
  };
}

function unrecognised(input: NormaliseInput, reason: string): NormalisedUpdate {
  const envelope = createEnvelope(
    UnrecognisedPayloadV1,
    { connection: input.connection, reason, payload: input.update },
    // Keyed by connection (see TOPIC_CATALOG): these have no trustworthy chat.
    origin(input, input.connection.id),
  );
  return { outcome: 'unrecognised', kind: 'unrecognised', reason, topic: TOPICS.unrecognised, envelope };
}

function origin(input: NormaliseInput, key: string) {
  return { producer: CHANNEL_TELEGRAM_SERVICE, key, ...(input.now ? { time: input.now } : {}) };
}

function fromUnix(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** The ConnectionRef every event of a bot carries. */
export function telegramConnectionRef(connection: { id: string; botUsername: string }): ConnectionRef {
  return { id: connection.id, channel: 'telegram', displayName: `@${connection.botUsername}` };
}
