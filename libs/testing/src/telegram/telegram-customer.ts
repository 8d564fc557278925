import type {
  TgChat,
  TgMessage,
  TgMessageEntity,
  TgMessageReactionUpdated,
  TgReactionTypeEmoji,
  TgUpdate,
  TgUser,
} from './telegram-api.types';
import type { TelegramFileStore } from './telegram-file.store';
import { createDocument, createPhotoSizes, createSticker, createVoice, type StickerInput, type VoiceInput } from './telegram-media.factory';
import {
  asReplyTarget,
  buildPrivateChat,
  buildTelegramUser,
  detectEntities,
  type TelegramCustomerProfile,
} from './telegram-update.builders';

/** What a customer needs from the double; kept narrow so the customer cannot bypass bot state rules. */
export interface TelegramCustomerHost {
  readonly files: TelegramFileStore;
  readonly botUser: TgUser;
  nowSeconds(): number;
  nextMessageId(chatId: number): number;
  rememberMessage(message: TgMessage): void;
  findMessage(chatId: number, messageId: number): TgMessage | undefined;
  /** Allocates an update id and queues the update unless allowed_updates filters its kind out. */
  emit(kind: string, payload: unknown): { update: TgUpdate; queued: boolean };
  /** Allocates an update id without queueing (for tests that deliver the update themselves). */
  draft(kind: string, payload: unknown): TgUpdate;
  reactions(chatId: number, messageId: number, userId: number): TgReactionTypeEmoji[];
  setReactions(chatId: number, messageId: number, userId: number, reactions: TgReactionTypeEmoji[]): void;
  setBlocked(userId: number, blocked: boolean): void;
}

/**
 * `queued` is false when the bot's allowed_updates excludes the kind: Telegram then never creates
 * the update (no update_id is consumed, so `update.update_id` is 0).
 */
export interface CustomerMessageResult {
  update: TgUpdate;
  message: TgMessage;
  queued: boolean;
}

export interface CustomerReactionResult {
  update: TgUpdate;
  reaction: TgMessageReactionUpdated;
  queued: boolean;
}

export interface SendTextOptions {
  replyToMessageId?: number;
  entities?: TgMessageEntity[];
}

export interface CaptionOptions {
  caption?: string;
  replyToMessageId?: number;
  mediaGroupId?: string;
}

export class TelegramCustomer {
  readonly user: TgUser;
  readonly chat: TgChat;

  constructor(
    private readonly host: TelegramCustomerHost,
    readonly profile: TelegramCustomerProfile,
  ) {
    this.user = buildTelegramUser(profile);
    this.chat = buildPrivateChat(profile);
  }

  get id(): number {
    return this.profile.id;
  }

  sendText(text: string, options: SendTextOptions = {}): CustomerMessageResult {
    return this.sendMessage(this.textFields(text, options.entities), options.replyToMessageId);
  }

  /** Builds a text message and its update (ids allocated) without queueing it anywhere. */
  draftText(text: string, options: SendTextOptions = {}): { update: TgUpdate; message: TgMessage } {
    const message = this.newMessage(this.textFields(text, options.entities), options.replyToMessageId);
    return { update: this.host.draft('message', message), message };
  }

  /** Telegram recompresses photos to JPEG and reports no mime type, so `mimeType` is accepted but not shown. */
  sendPhoto(input: CaptionOptions & { bytes?: Buffer; mimeType?: string } = {}): CustomerMessageResult {
    const photo = createPhotoSizes(this.host.files, input.bytes);
    return this.sendMessage({ ...this.mediaGroup(input), photo, ...this.caption(input.caption) }, input.replyToMessageId);
  }

  /** An album is several messages sharing one media_group_id, each its own update. */
  sendAlbum(photos: Array<{ caption?: string; bytes?: Buffer }>): CustomerMessageResult[] {
    const mediaGroupId = String(Date.now() * 1000 + Math.floor(Math.random() * 1000));
    return photos.map((photo) => this.sendPhoto({ ...photo, mediaGroupId }));
  }

  sendDocument(input: CaptionOptions & { fileName: string; mimeType: string; bytes?: Buffer }): CustomerMessageResult {
    const document = createDocument(this.host.files, input);
    return this.sendMessage({ ...this.mediaGroup(input), document, ...this.caption(input.caption) }, input.replyToMessageId);
  }

  sendVoice(input: VoiceInput & { caption?: string } = {}): CustomerMessageResult {
    return this.sendMessage({ voice: createVoice(this.host.files, input), ...this.caption(input.caption) });
  }

  sendSticker(input: StickerInput = {}): CustomerMessageResult {
    return this.sendMessage({ sticker: createSticker(this.host.files, input) });
  }

  sendLocation(latitude: number, longitude: number): CustomerMessageResult {
    return this.sendMessage({ location: { latitude, longitude } });
  }

  sendContact(input: { phoneNumber: string; firstName: string; lastName?: string; userId?: number }): CustomerMessageResult {
    const contact: TgMessage['contact'] = { phone_number: input.phoneNumber, first_name: input.firstName };
    if (input.lastName !== undefined) contact.last_name = input.lastName;
    if (input.userId !== undefined) contact.user_id = input.userId;
    return this.sendMessage({ contact });
  }

  /** Escape hatch for kinds without a helper (audio, video, venue, ...): fields are merged as given. */
  sendCustom(fields: Partial<TgMessage>, replyToMessageId?: number): CustomerMessageResult {
    return this.sendMessage(fields, replyToMessageId);
  }

  /** edited_message carries the full message with the original date plus edit_date. */
  editText(messageId: number, newText: string): CustomerMessageResult {
    const original = this.ownMessage(messageId);
    if (original.text === undefined) throw new Error(`message ${messageId} has no text to edit`);
    const edited: TgMessage = { ...original, edit_date: Math.max(this.host.nowSeconds(), original.date), text: newText };
    delete edited.entities;
    const entities = detectEntities(newText);
    if (entities) edited.entities = entities;
    this.host.rememberMessage(edited);
    const { update, queued } = this.host.emit('edited_message', edited);
    return { update, message: edited, queued };
  }

  /** `emoji = null` removes the customer's reaction (new_reaction becomes empty). */
  react(messageId: number, emoji: string | null): CustomerReactionResult {
    const oldReaction = this.host.reactions(this.chat.id, messageId, this.user.id);
    const newReaction: TgReactionTypeEmoji[] = emoji === null ? [] : [{ type: 'emoji', emoji }];
    this.host.setReactions(this.chat.id, messageId, this.user.id, newReaction);
    const reaction: TgMessageReactionUpdated = {
      chat: { ...this.chat },
      message_id: messageId,
      user: { ...this.user },
      date: this.host.nowSeconds(),
      old_reaction: oldReaction,
      new_reaction: newReaction,
    };
    const { update, queued } = this.host.emit('message_reaction', reaction);
    return { update, reaction, queued };
  }

  /** Blocking produces a my_chat_member update (member -> kicked) and makes sends answer 403. */
  blockBot(): { update: TgUpdate; queued: boolean } {
    this.host.setBlocked(this.user.id, true);
    return this.host.emit('my_chat_member', this.memberChange('member', 'kicked'));
  }

  unblockBot(): { update: TgUpdate; queued: boolean } {
    this.host.setBlocked(this.user.id, false);
    return this.host.emit('my_chat_member', this.memberChange('kicked', 'member'));
  }

  private sendMessage(fields: Partial<TgMessage>, replyToMessageId?: number): CustomerMessageResult {
    const message = this.newMessage(fields, replyToMessageId);
    const { update, queued } = this.host.emit('message', message);
    return { update, message, queued };
  }

  private newMessage(fields: Partial<TgMessage>, replyToMessageId?: number): TgMessage {
    const message: TgMessage = {
      message_id: this.host.nextMessageId(this.chat.id),
      from: { ...this.user },
      chat: { ...this.chat },
      date: this.host.nowSeconds(),
    };
    if (replyToMessageId !== undefined) {
      const target = this.host.findMessage(this.chat.id, replyToMessageId);
      if (!target) throw new Error(`message ${replyToMessageId} does not exist in chat ${this.chat.id}`);
      message.reply_to_message = asReplyTarget(target);
    }
    Object.assign(message, fields);
    this.host.rememberMessage(message);
    return message;
  }

  private textFields(text: string, entities?: TgMessageEntity[]): Partial<TgMessage> {
    const detected = entities ?? detectEntities(text);
    return detected ? { text, entities: detected } : { text };
  }

  private caption(caption: string | undefined): Partial<TgMessage> {
    return caption === undefined ? {} : { caption };
  }

  private mediaGroup(input: CaptionOptions): Partial<TgMessage> {
    return input.mediaGroupId === undefined ? {} : { media_group_id: input.mediaGroupId };
  }

  private ownMessage(messageId: number): TgMessage {
    const message = this.host.findMessage(this.chat.id, messageId);
    if (!message || message.from?.id !== this.user.id) {
      throw new Error(`customer ${this.user.id} has no message ${messageId} to edit`);
    }
    return message;
  }

  private memberChange(from: string, to: string): unknown {
    return {
      chat: { ...this.chat },
      from: { ...this.user },
      date: this.host.nowSeconds(),
      old_chat_member: { status: from, user: { ...this.host.botUser } },
      new_chat_member: { status: to, user: { ...this.host.botUser }, ...(to === 'kicked' ? { until_date: 0 } : {}) },
    };
  }
}
