import type { TgDocument, TgFile, TgMessage, TgMessageEntity, TgPhotoSize } from './telegram-api.types';
import { badRequest, TelegramApiError, type BotState, type ChatState, type SentRecord } from './telegram-bot.state';
import { MAX_DOWNLOAD_BYTES, fakeBytes, mimeTypeFor, type TelegramFileStore } from './telegram-file.store';
import { createDocument, createPhotoSizes } from './telegram-media.factory';
import { intParam, isUpload, jsonParam, stringParam, boolParam, type ApiParams } from './telegram-request-params';
import { asReplyTarget } from './telegram-update.builders';

// Bot-initiated methods that touch chats and files. Error texts are Telegram's own, because
// connectors branch on them (e.g. "bot was blocked by the user" -> mark the chat unreachable).

const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
/** Multipart upload limits of the Bot API: photos 10 MB, other files 50 MB. */
const MAX_PHOTO_UPLOAD = 10 * 1024 * 1024;
const MAX_FILE_UPLOAD = 50 * 1024 * 1024;

export interface SendMethodsContext {
  readonly files: TelegramFileStore;
  readonly requireKnownChat: boolean;
  nowMs(): number;
  isBlocked(bot: BotState, chatId: number): boolean;
  chatState(bot: BotState, chatId: number, createIfMissing: boolean): ChatState | undefined;
  recordSent(bot: BotState, record: SentRecord): void;
}

/** The actions sendChatAction takes (core.telegram.org/bots/api#sendchataction). */
const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

export class TelegramSendMethods {
  constructor(private readonly ctx: SendMethodsContext) {}

  sendMessage(bot: BotState, params: ApiParams): TgMessage {
    const chat = this.targetChat(bot, params);
    const text = stringParam(params, 'text') ?? '';
    if (text.trim() === '') throw badRequest('message text is empty');
    if (text.length > MAX_TEXT) throw badRequest('message is too long');
    const message = this.botMessage(bot, chat, params);
    message.text = text;
    const entities = jsonParam<TgMessageEntity[]>(params, 'entities');
    if (entities && entities.length > 0) message.entities = entities;
    return this.deliver(bot, 'sendMessage', chat, params, message);
  }

  sendPhoto(bot: BotState, params: ApiParams): TgMessage {
    const chat = this.targetChat(bot, params);
    const photo = this.resolvePhoto(params['photo']);
    const message = this.botMessage(bot, chat, params);
    message.photo = photo;
    this.applyCaption(message, params);
    return this.deliver(bot, 'sendPhoto', chat, params, message);
  }

  sendDocument(bot: BotState, params: ApiParams): TgMessage {
    const chat = this.targetChat(bot, params);
    const document = this.resolveDocument(params['document']);
    const message = this.botMessage(bot, chat, params);
    message.document = document;
    this.applyCaption(message, params);
    return this.deliver(bot, 'sendDocument', chat, params, message);
  }

  /** sendChatAction: the action must be one the Bot API documents; Telegram answers true. */
  sendChatAction(bot: BotState, params: ApiParams): true {
    this.targetChat(bot, params);
    const action = stringParam(params, 'action');
    if (!action) throw badRequest('action is empty');
    if (!CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
    return true;
  }

  editMessageText(bot: BotState, params: ApiParams): TgMessage {
    const chat = this.targetChat(bot, params);
    const messageId = intParam(params, 'message_id');
    const original = messageId === undefined ? undefined : chat.messages.get(messageId);
    if (!original) throw badRequest('message to edit not found');
    if (original.from?.id !== bot.user.id) throw badRequest("message can't be edited");
    const text = stringParam(params, 'text') ?? '';
    if (text.trim() === '') throw badRequest('message text is empty');
    if (text.length > MAX_TEXT) throw badRequest('message is too long');
    if (text === original.text) {
      throw badRequest(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    const edited: TgMessage = { ...original, text, edit_date: this.nowSeconds() };
    delete edited.entities;
    const entities = jsonParam<TgMessageEntity[]>(params, 'entities');
    if (entities && entities.length > 0) edited.entities = entities;
    chat.messages.set(edited.message_id, edited);
    return this.deliver(bot, 'editMessageText', chat, params, edited);
  }

  deleteMessage(bot: BotState, params: ApiParams): true {
    const chat = this.targetChat(bot, params);
    const messageId = intParam(params, 'message_id');
    if (messageId === undefined || !chat.messages.delete(messageId)) throw badRequest('message to delete not found');
    return true;
  }

  getFile(params: ApiParams): TgFile {
    const fileId = stringParam(params, 'file_id');
    if (!fileId) throw badRequest('file_id is empty');
    const file = this.ctx.files.get(fileId);
    if (!file) throw badRequest('invalid file_id');
    if (file.bytes.length > MAX_DOWNLOAD_BYTES) throw badRequest('file is too big');
    return { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.bytes.length, file_path: file.filePath };
  }

  private targetChat(bot: BotState, params: ApiParams): ChatState {
    const raw = stringParam(params, 'chat_id');
    if (raw === undefined || raw === '') throw badRequest('chat_id is empty');
    const chatId = Number(raw);
    // Private chats cannot be addressed by @username; only numeric ids reach a customer.
    if (!Number.isSafeInteger(chatId)) throw badRequest('chat not found');
    const chat = this.ctx.chatState(bot, chatId, !this.ctx.requireKnownChat);
    if (!chat) throw badRequest('chat not found');
    if (this.ctx.isBlocked(bot, chatId)) throw new TelegramApiError(403, 'Forbidden: bot was blocked by the user');
    return chat;
  }

  private botMessage(bot: BotState, chat: ChatState, params: ApiParams): TgMessage {
    const replyTo = this.replyTarget(chat, params);
    const message: TgMessage = {
      message_id: chat.nextMessageId++,
      from: { ...bot.user },
      chat: { ...chat.chat },
      date: this.nowSeconds(),
    };
    if (replyTo) message.reply_to_message = asReplyTarget(replyTo);
    return message;
  }

  /** reply_parameters (current API) wins over the deprecated reply_to_message_id. */
  private replyTarget(chat: ChatState, params: ApiParams): TgMessage | undefined {
    const replyParameters = jsonParam<{ message_id?: number; allow_sending_without_reply?: boolean }>(params, 'reply_parameters');
    const messageId = replyParameters?.message_id ?? intParam(params, 'reply_to_message_id');
    if (messageId === undefined) return undefined;
    const target = chat.messages.get(Number(messageId));
    if (target) return target;
    const allowWithout = replyParameters?.allow_sending_without_reply ?? boolParam(params, 'allow_sending_without_reply');
    if (allowWithout) return undefined;
    throw badRequest('message to be replied not found');
  }

  private applyCaption(message: TgMessage, params: ApiParams): void {
    const caption = stringParam(params, 'caption');
    if (caption === undefined || caption === '') return;
    if (caption.length > MAX_CAPTION) throw badRequest('message caption is too long');
    message.caption = caption;
    const entities = jsonParam<TgMessageEntity[]>(params, 'caption_entities');
    if (entities && entities.length > 0) message.caption_entities = entities;
  }

  private resolvePhoto(input: unknown): TgPhotoSize[] {
    if (isUpload(input)) {
      if (input.bytes.length > MAX_PHOTO_UPLOAD) throw new TelegramApiError(413, 'Request Entity Too Large');
      return createPhotoSizes(this.ctx.files, input.bytes);
    }
    if (typeof input !== 'string' || input === '') throw badRequest('there is no photo in the request');
    // Telegram downloads URLs itself; the double does not reach out and stores placeholder bytes.
    if (/^https?:\/\//i.test(input)) return createPhotoSizes(this.ctx.files);
    const known = this.ctx.files.photoSet(input);
    if (known) return known;
    if (this.ctx.files.get(input)) throw badRequest('type of file mismatch');
    throw badRequest('wrong file identifier/HTTP URL specified');
  }

  private resolveDocument(input: unknown): TgDocument {
    if (isUpload(input)) {
      if (input.bytes.length > MAX_FILE_UPLOAD) throw new TelegramApiError(413, 'Request Entity Too Large');
      const fileName = input.fileName ?? 'file';
      const mimeType = input.contentType ?? mimeTypeFor(fileName) ?? 'application/octet-stream';
      return createDocument(this.ctx.files, { fileName, mimeType, bytes: input.bytes });
    }
    if (typeof input !== 'string' || input === '') throw badRequest('there is no document in the request');
    if (/^https?:\/\//i.test(input)) {
      const fileName = decodeURIComponent(new URL(input).pathname.split('/').pop() || 'file');
      const mimeType = mimeTypeFor(fileName) ?? 'application/octet-stream';
      return createDocument(this.ctx.files, { fileName, mimeType, bytes: fakeBytes('binary', 4096) });
    }
    const known = this.ctx.files.get(input);
    if (!known) throw badRequest('wrong file identifier/HTTP URL specified');
    if (this.ctx.files.photoSet(input)) throw badRequest('type of file mismatch');
    const document: TgDocument = { file_id: known.fileId, file_unique_id: known.fileUniqueId };
    if (known.fileName !== undefined) document.file_name = known.fileName;
    if (known.mimeType !== undefined) document.mime_type = known.mimeType;
    document.file_size = known.bytes.length;
    return document;
  }

  private deliver(bot: BotState, method: string, chat: ChatState, params: ApiParams, message: TgMessage): TgMessage {
    chat.messages.set(message.message_id, message);
    const record: SentRecord = { token: bot.registration.token, method, chatId: chat.chat.id, params, message, at: this.ctx.nowMs() };
    if (message.text !== undefined) record.text = message.text;
    if (message.caption !== undefined) record.caption = message.caption;
    if (message.reply_to_message) record.replyToMessageId = message.reply_to_message.message_id;
    this.ctx.recordSent(bot, record);
    return message;
  }

  private nowSeconds(): number {
    return Math.floor(this.ctx.nowMs() / 1000);
  }
}
