import type {
  TgChat,
  TgMessage,
  TgMessageEntity,
  TgMessageReactionUpdated,
  TgUpdate,
  TgUser,
} from './telegram-api.types';

// Pure builders: a test can build an update once and POST the identical bytes several times to
// prove that a connector deduplicates redeliveries (Telegram redelivers on any non-2xx).

export interface TelegramCustomerProfile {
  id: number;
  firstName: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
}

export function unixSeconds(ms: number = Date.now()): number {
  return Math.floor(ms / 1000);
}

export function buildTelegramUser(profile: TelegramCustomerProfile): TgUser {
  const user: TgUser = { id: profile.id, is_bot: false, first_name: profile.firstName };
  if (profile.lastName !== undefined) user.last_name = profile.lastName;
  if (profile.username !== undefined) user.username = profile.username;
  if (profile.languageCode !== undefined) user.language_code = profile.languageCode;
  return user;
}

/** In a private chat Telegram uses the user's id as chat.id. */
export function buildPrivateChat(profile: TelegramCustomerProfile): TgChat {
  const chat: TgChat = { id: profile.id, type: 'private', first_name: profile.firstName };
  if (profile.lastName !== undefined) chat.last_name = profile.lastName;
  if (profile.username !== undefined) chat.username = profile.username;
  return chat;
}

/**
 * Telegram marks a leading "/command" (optionally "/command@botname") as a bot_command entity; a
 * connector that routes commands relies on it, so the double produces it too.
 */
export function detectEntities(text: string): TgMessageEntity[] | undefined {
  const match = /^\/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,64})?/.exec(text);
  if (!match) return undefined;
  return [{ type: 'bot_command', offset: 0, length: match[0].length }];
}

/** reply_to_message is one level deep on the wire: the quoted message carries no reply of its own. */
export function asReplyTarget(message: TgMessage): TgMessage {
  const copy: TgMessage = { ...message };
  delete copy.reply_to_message;
  return copy;
}

export interface BuildTextMessageInput {
  messageId: number;
  from: TelegramCustomerProfile;
  text: string;
  date?: number;
  replyTo?: TgMessage;
  entities?: TgMessageEntity[];
}

export function buildTextMessage(input: BuildTextMessageInput): TgMessage {
  const message: TgMessage = {
    message_id: input.messageId,
    from: buildTelegramUser(input.from),
    chat: buildPrivateChat(input.from),
    date: input.date ?? unixSeconds(),
  };
  if (input.replyTo) message.reply_to_message = asReplyTarget(input.replyTo);
  message.text = input.text;
  const entities = input.entities ?? detectEntities(input.text);
  if (entities) message.entities = entities;
  return message;
}

/** Generic form: `buildUpdate(7, 'callback_query', {...})` for kinds the double has no helper for. */
export function buildUpdate(updateId: number, kind: string, payload: unknown): TgUpdate {
  return { update_id: updateId, [kind]: payload };
}

export function buildMessageUpdate(updateId: number, message: TgMessage): TgUpdate {
  return { update_id: updateId, message };
}

export function buildEditedMessageUpdate(updateId: number, message: TgMessage): TgUpdate {
  return { update_id: updateId, edited_message: message };
}

export function buildReactionUpdate(updateId: number, reaction: TgMessageReactionUpdated): TgUpdate {
  return { update_id: updateId, message_reaction: reaction };
}

/** The single key of an update besides update_id, e.g. 'message' or 'message_reaction'. */
export function updateKind(update: TgUpdate): string | undefined {
  return Object.keys(update).find((key) => key !== 'update_id');
}
