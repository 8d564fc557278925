import { Api, TelegramClient, errors } from 'telegram';
import { Raw } from 'telegram/events';
import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { returnBigInt } from 'telegram/Helpers';
import { UpdateConnectionState } from 'telegram/network';
import { computeCheck } from 'telegram/Password';
import { CustomFile } from 'telegram/client/uploads';
import { StringSession } from 'telegram/sessions';
import { TelegramRpcError } from './telegram-rpc-error';
import {
  HANDLED_UPDATES,
  type ClientEvent,
  type InputPeerUserRef,
  type MediaDownload,
  type OutgoingFile,
  type SentCodeInfo,
  type SentMessage,
  type TelegramUserClient,
  type TelegramUserClientFactory,
  type TlAnyMessage,
  type TlDialog,
  type TlUpdate,
  type TlUser,
} from './telegram-user-client.port';

export interface GramJsClientOptions {
  apiId: number;
  apiHash: string;
  /** Reconnect attempts GramJS makes on its own before reporting the connection lost. */
  connectionRetries?: number;
}

/** The one place that touches GramJS: implements the port over a TelegramClient. */
export function gramJsClientFactory(options: GramJsClientOptions): TelegramUserClientFactory {
  return (session) => new GramJsTelegramUserClient(session, options);
}

class GramJsTelegramUserClient implements TelegramUserClient {
  private readonly client: TelegramClient;
  private readonly session: StringSession;
  private readonly listeners = new Set<(event: ClientEvent) => void>();

  constructor(
    sessionString: string,
    private readonly options: GramJsClientOptions,
  ) {
    this.session = new StringSession(sessionString);
    this.client = new TelegramClient(this.session, options.apiId, options.apiHash, {
      connectionRetries: options.connectionRetries ?? 5,
      autoReconnect: true,
      // 0: GramJS must not sleep through flood waits by itself; the connector decides (bounded, reported).
      floodSleepThreshold: 0,
      // GramJS logs to the console by default; failures reach us as rejected promises instead.
      baseLogger: new Logger(LogLevel.NONE),
    });
    this.client.addEventHandler((update: unknown) => this.dispatch(update), new Raw({}));
  }

  async connect(): Promise<void> {
    await call(() => this.client.connect());
  }

  async disconnect(): Promise<void> {
    // destroy() also ends GramJS's update loop, which disconnect() alone leaves running.
    await this.client.destroy();
  }

  exportSession(): string {
    return this.session.save();
  }

  async sendCode(phone: string): Promise<SentCodeInfo> {
    const sent = await call(() =>
      this.client.invoke(new Api.auth.SendCode({ phoneNumber: phone, apiId: this.options.apiId, apiHash: this.options.apiHash, settings: new Api.CodeSettings({}) })),
    );
    if (sent instanceof Api.auth.SentCodeSuccess) throw new TelegramRpcError('AUTH_ALREADY_DONE', 400);
    const delivery = sent.type instanceof Api.auth.SentCodeTypeApp ? 'app' : sent.type instanceof Api.auth.SentCodeTypeSms ? 'sms' : 'other';
    return { phoneCodeHash: sent.phoneCodeHash, delivery };
  }

  async signIn(params: { phone: string; phoneCodeHash: string; code: string }): Promise<TlUser> {
    const result = await call(() =>
      this.client.invoke(new Api.auth.SignIn({ phoneNumber: params.phone, phoneCodeHash: params.phoneCodeHash, phoneCode: params.code })),
    );
    // Signing up new accounts is out of scope: an inbox connects existing accounts only.
    if (result instanceof Api.auth.AuthorizationSignUpRequired) throw new TelegramRpcError('PHONE_NUMBER_UNOCCUPIED', 400);
    return toUser(result.user);
  }

  async getPasswordHint(): Promise<string | undefined> {
    const password = await call(() => this.client.invoke(new Api.account.GetPassword()));
    return password.hint || undefined;
  }

  async checkPassword(password: string): Promise<TlUser> {
    const srpParams = await call(() => this.client.invoke(new Api.account.GetPassword()));
    const proof = await computeCheck(srpParams, password);
    const result = await call(() => this.client.invoke(new Api.auth.CheckPassword({ password: proof })));
    if (result instanceof Api.auth.AuthorizationSignUpRequired) throw new TelegramRpcError('PHONE_NUMBER_UNOCCUPIED', 400);
    return toUser(result.user);
  }

  async getMe(): Promise<TlUser> {
    return toUser(await call(() => this.client.getMe()));
  }

  async sendMessage(params: { peer: InputPeerUserRef; text: string; replyToMsgId?: number; randomId: string }): Promise<SentMessage> {
    const randomId = returnBigInt(params.randomId);
    const result = await call(() =>
      this.client.invoke(
        new Api.messages.SendMessage({
          peer: inputPeer(params.peer),
          message: params.text,
          randomId,
          ...(params.replyToMsgId !== undefined ? { replyTo: new Api.InputReplyToMessage({ replyToMsgId: params.replyToMsgId }) } : {}),
        }),
      ),
    );
    return sentMessageOf(result, randomId, 'messages.sendMessage');
  }

  /**
   * Upload, then messages.sendMedia, rather than GramJS's sendFile: sendFile draws its own randomId, and
   * the command's randomId is what lets Telegram drop a retried duplicate.
   */
  async sendFile(params: { peer: InputPeerUserRef; file: OutgoingFile; caption?: string; replyToMsgId?: number; randomId: string }): Promise<SentMessage> {
    const { file } = params;
    const uploaded = await call(() => this.client.uploadFile({ file: new CustomFile(file.fileName, file.bytes.length, '', file.bytes), workers: 1 }));
    const media =
      file.as === 'photo'
        ? new Api.InputMediaUploadedPhoto({ file: uploaded })
        : new Api.InputMediaUploadedDocument({ file: uploaded, mimeType: file.mimeType, attributes: [new Api.DocumentAttributeFilename({ fileName: file.fileName })] });
    const randomId = returnBigInt(params.randomId);
    const result = await call(() =>
      this.client.invoke(
        new Api.messages.SendMedia({
          peer: inputPeer(params.peer),
          media,
          message: params.caption ?? '',
          randomId,
          ...(params.replyToMsgId !== undefined ? { replyTo: new Api.InputReplyToMessage({ replyToMsgId: params.replyToMsgId }) } : {}),
        }),
      ),
    );
    return sentMessageOf(result, randomId, 'messages.sendMedia');
  }

  async downloadMedia(params: { messageId: number; maxBytes: number }): Promise<MediaDownload> {
    // A fresh copy of the message carries a fresh file reference (stored ones expire).
    const result = await call(() => this.client.invoke(new Api.messages.GetMessages({ id: [new Api.InputMessageID({ id: params.messageId })] })));
    if (result instanceof Api.messages.MessagesNotModified) return { state: 'gone' };
    const message = result.messages.find((m): m is Api.Message => m instanceof Api.Message && m.id === params.messageId);
    const described = message ? describeMedia(message.media) : undefined;
    if (!message || !described) return { state: 'gone' };
    if (described.sizeBytes > params.maxBytes) return { state: 'too-large', mediaId: described.mediaId, sizeBytes: described.sizeBytes };
    const bytes = await call(() => this.client.downloadMedia(message, {}));
    if (!Buffer.isBuffer(bytes)) throw new Error(`GramJS returned no bytes for the media of message ${params.messageId}`);
    return { state: 'ok', mediaId: described.mediaId, bytes, mimeType: described.mimeType, ...(described.fileName ? { fileName: described.fileName } : {}) };
  }

  async getDialogs(params: { limit: number }): Promise<{ dialogs: TlDialog[]; users: TlUser[] }> {
    const result = await call(() =>
      this.client.invoke(
        new Api.messages.GetDialogs({ offsetDate: 0, offsetId: 0, offsetPeer: new Api.InputPeerEmpty(), limit: params.limit, hash: returnBigInt(0) }),
      ),
    );
    if (result instanceof Api.messages.DialogsNotModified) return { dialogs: [], users: [] };
    const dialogs = result.dialogs.filter((d): d is Api.Dialog => d instanceof Api.Dialog);
    return { dialogs: dialogs.map((d) => ({ peer: asPort(d.peer), topMessage: d.topMessage, readOutboxMaxId: d.readOutboxMaxId })), users: users(result.users) };
  }

  async getHistory(params: { peer: InputPeerUserRef; minId: number; offsetId: number; limit: number }): Promise<{ messages: TlAnyMessage[]; users: TlUser[] }> {
    const result = await call(() =>
      this.client.invoke(
        new Api.messages.GetHistory({
          peer: inputPeer(params.peer),
          offsetId: params.offsetId,
          offsetDate: 0,
          addOffset: 0,
          limit: params.limit,
          maxId: 0,
          minId: params.minId,
          hash: returnBigInt(0),
        }),
      ),
    );
    if (result instanceof Api.messages.MessagesNotModified) return { messages: [], users: [] };
    return { messages: result.messages.map((m) => asPort<TlAnyMessage>(m)), users: users(result.users) };
  }

  onEvent(listener: (event: ClientEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private dispatch(update: unknown): void {
    const event = toClientEvent(update);
    if (!event) return;
    // Listeners never throw (the connector queues the event); GramJS would only print an error.
    for (const listener of this.listeners) listener(event);
  }
}

/** The message id Telegram gave the message sent with randomId (Updates carry it in UpdateMessageID). */
function sentMessageOf(result: Api.TypeUpdates, randomId: ReturnType<typeof returnBigInt>, method: string): SentMessage {
  if (result instanceof Api.UpdateShortSentMessage) return { id: result.id, date: result.date };
  if (result instanceof Api.Updates || result instanceof Api.UpdatesCombined) {
    const idUpdate = result.updates.find((u): u is Api.UpdateMessageID => u instanceof Api.UpdateMessageID && u.randomId?.equals(randomId) === true);
    const newMessage = result.updates.find((u): u is Api.UpdateNewMessage => u instanceof Api.UpdateNewMessage && u.message.id === idUpdate?.id);
    if (idUpdate) return { id: idUpdate.id, date: newMessage && newMessage.message instanceof Api.Message ? newMessage.message.date : Math.floor(Date.now() / 1000) };
  }
  throw new Error(`Telegram answered ${method} with ${result.className}, which carries no message id`);
}

/** Id, size, type and name of a message's downloadable media: photos (served as JPEG, largest size) and documents. */
function describeMedia(media: Api.TypeMessageMedia | undefined): { mediaId: string; sizeBytes: number; mimeType: string; fileName?: string } | undefined {
  if (media instanceof Api.MessageMediaPhoto && media.photo instanceof Api.Photo) {
    const sizes = media.photo.sizes.map((s) => (s instanceof Api.PhotoSize ? s.size : s instanceof Api.PhotoSizeProgressive ? Math.max(0, ...s.sizes) : 0));
    return { mediaId: media.photo.id.toString(), sizeBytes: Math.max(0, ...sizes), mimeType: 'image/jpeg' };
  }
  if (media instanceof Api.MessageMediaDocument && media.document instanceof Api.Document) {
    const name = media.document.attributes.find((a): a is Api.DocumentAttributeFilename => a instanceof Api.DocumentAttributeFilename)?.fileName;
    return {
      mediaId: media.document.id.toString(),
      sizeBytes: Number(media.document.size.toString()),
      mimeType: media.document.mimeType || 'application/octet-stream',
      ...(name ? { fileName: name } : {}),
    };
  }
  return undefined;
}

/** What GramJS hands a Raw handler, as the port's event; undefined for updates the connector does not use. */
export function toClientEvent(update: unknown): ClientEvent | undefined {
  if (update instanceof UpdateConnectionState) {
    return { kind: 'connection', state: update.state === UpdateConnectionState.connected ? 'connected' : 'disconnected' };
  }
  if (!isHandled(update)) return undefined;
  // GramJS attaches the users and chats that came in the same Updates container as _entities.
  const entities = (update as { _entities?: Map<string, unknown> })._entities;
  return { kind: 'update', update, users: users([...(entities?.values() ?? [])]) };
}

function isHandled(update: unknown): update is TlUpdate {
  // Api classes carry their TL name as className (there is no common runtime base class to test against).
  const className = typeof update === 'object' && update !== null ? (update as { className?: unknown }).className : undefined;
  return typeof className === 'string' && HANDLED_UPDATES.has(className as TlUpdate['className']);
}

function users(entities: readonly unknown[]): TlUser[] {
  return entities.filter((e): e is Api.User => e instanceof Api.User).map(toUser);
}

function toUser(user: Api.TypeUser): TlUser {
  if (!(user instanceof Api.User)) throw new TelegramRpcError('USER_EMPTY', 400);
  return asPort<TlUser>(user);
}

/**
 * The port's TL shapes are the Api classes' own fields (by TL name), a subset of them: the objects pass
 * through unchanged. The double builds the same Api classes, so the shapes are checked by the tests.
 */
function asPort<T>(value: unknown): T {
  return value as T;
}

function inputPeer(peer: InputPeerUserRef): Api.InputPeerUser {
  return new Api.InputPeerUser({ userId: returnBigInt(peer.userId), accessHash: returnBigInt(peer.accessHash) });
}

/** Runs a GramJS call and converts the library's errors into the port's TelegramRpcError. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toRpcError(error);
  }
}

/** GramJS's errors as the port's TelegramRpcError (FloodWaitError's errorMessage is just "FLOOD"). */
export function toRpcError(error: unknown): unknown {
  if (error instanceof errors.FloodWaitError) return new TelegramRpcError('FLOOD_WAIT', 420, error.seconds);
  if (error instanceof errors.SlowModeWaitError) return new TelegramRpcError('SLOWMODE_WAIT', 420, error.seconds);
  if (error instanceof errors.RPCError) {
    // Errors such as FLOOD_PREMIUM_WAIT_12 carry their wait in the name.
    const wait = /^([A-Z_]+_WAIT)_(\d+)$/.exec(error.errorMessage);
    if (wait) return new TelegramRpcError(wait[1]!, error.code ?? 420, Number(wait[2]));
    return new TelegramRpcError(error.errorMessage, error.code ?? 400);
  }
  return error;
}

