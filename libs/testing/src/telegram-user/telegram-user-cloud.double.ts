import { randomBytes } from 'node:crypto';
import { Api } from 'telegram';
import { returnBigInt } from 'telegram/Helpers';

/**
 * A test double of the Telegram user-account client port (services/channel-telegram-user's
 * TelegramUserClient), backed by a small in-memory "Telegram" that several clients share. Every update,
 * message, dialog and user it hands out is a real GramJS Api object (Api.UpdateNewMessage, Api.Message,
 * Api.User, ...), built with the library's own TL constructors, so the connector is tested against the
 * shapes GramJS produces. Errors have the port's shape: errorMessage, code and (for waits) seconds.
 *
 * What it models: login (sendCode -> signIn -> SESSION_PASSWORD_NEEDED -> checkPassword) bound to the auth
 * key that asked for the code; sessions as auth keys (AUTH_KEY_DUPLICATED when one key connects twice at
 * once, AUTH_KEY_UNREGISTERED once revoked); per-account message ids; updates pushed only to connected
 * clients (what arrives while none is connected is only in the history and the dialogs, like Telegram
 * without getDifference); access hashes checked on send; randomId dedupe; injected send failures; files
 * both ways (sent files become Api.MessageMediaPhoto/Document on the account's messages; a customer's
 * photo or document is downloadable by message id, as messages.getMessages + upload.getFile serve it).
 */
export class TelegramUserRpcErrorDouble extends Error {
  constructor(
    readonly errorMessage: string,
    readonly code: number,
    readonly seconds?: number,
  ) {
    super(seconds !== undefined ? `${errorMessage} (${seconds} s)` : errorMessage);
    this.name = 'TelegramUserRpcErrorDouble';
  }
}

export interface FakeAccountSpec {
  userId: string;
  phone: string;
  firstName: string;
  lastName?: string;
  username?: string;
  /** Two-step verification password; absent = none. */
  password?: string;
  passwordHint?: string;
}

export interface FakeCustomerSpec {
  userId: string;
  firstName: string;
  lastName?: string;
  username?: string;
  phone?: string;
  langCode?: string;
}

/** The update classes the connector handles (the GramJS adapter passes only these on). */
export type HandledUpdate =
  | Api.UpdateNewMessage
  | Api.UpdateEditMessage
  | Api.UpdateDeleteMessages
  | Api.UpdateReadHistoryOutbox
  | Api.UpdateUserTyping
  | Api.UpdateShortMessage;

export type DoubleClientEvent =
  | { kind: 'update'; update: HandledUpdate; users: Api.User[] }
  | { kind: 'connection'; state: 'connected' | 'disconnected' };

export interface SentByAccount {
  id: number;
  peerUserId: string;
  /** The text, or a file's caption ('' without one). */
  text: string;
  replyToMsgId?: number;
  randomId: string;
  /** Present when the account sent a file (messages.sendMedia). */
  file?: { fileName: string; mimeType: string; as: 'photo' | 'document'; bytes: Buffer };
}

/** A file as the port's sendFile takes it. */
export interface DoubleOutgoingFile {
  bytes: Buffer;
  fileName: string;
  mimeType: string;
  as: 'photo' | 'document';
}

interface AuthKey {
  id: string;
  accountUserId?: string;
  pendingPhone?: string;
  phoneCodeHash?: string;
  code?: string;
  passwordNeeded?: boolean;
  revoked?: boolean;
}

interface AccountState {
  spec: FakeAccountSpec;
  nextMessageId: number;
  messages: Api.Message[];
  readOutboxMaxId: Map<string, number>;
  sent: SentByAccount[];
  randomIds: Set<string>;
  sendFailures: TelegramUserRpcErrorDouble[];
  maxConcurrentClients: number;
  /** Bytes of the photos and documents in this account's chats, by the media's id. */
  mediaBytes: Map<string, Buffer>;
}

/** Telegram's largest upload for a user account: 2 GB (4 GB with Premium); the double refuses above it. */
const MAX_UPLOAD_BYTES = 2000 * 1024 * 1024;

const CODE_LENGTH = 5;

export class TelegramUserCloudDouble {
  private readonly accounts = new Map<string, AccountState>();
  private readonly customers = new Map<string, { spec: FakeCustomerSpec; accessHash: string }>();
  private readonly authKeys = new Map<string, AuthKey>();
  private readonly clients = new Set<TelegramUserClientDouble>();
  private readonly codes = new Map<string, string>();
  private pts = 1;
  /** Failures the next sendCode/signIn/checkPassword calls throw (e.g. FLOOD_WAIT), first in first out. */
  readonly loginFailures: TelegramUserRpcErrorDouble[] = [];

  addAccount(spec: FakeAccountSpec): void {
    this.accounts.set(spec.userId, {
      spec,
      nextMessageId: 1,
      messages: [],
      readOutboxMaxId: new Map(),
      sent: [],
      randomIds: new Set(),
      sendFailures: [],
      maxConcurrentClients: 0,
      mediaBytes: new Map(),
    });
  }

  addCustomer(spec: FakeCustomerSpec): void {
    this.customers.set(spec.userId, { spec, accessHash: BigInt(`0x${randomBytes(7).toString('hex')}`).toString() });
  }

  /** The port's factory: `cloud.factory` is what the connector gets as clientFactory. */
  readonly factory = (session: string): TelegramUserClientDouble => {
    const client = new TelegramUserClientDouble(this, session);
    this.clients.add(client);
    return client;
  };

  /** The login code Telegram "sent" to the phone. */
  codeFor(phone: string): string {
    const code = this.codes.get(normalisePhone(phone));
    if (!code) throw new Error(`no code was sent to ${phone}`);
    return code;
  }

  /** Connected clients of the account now. */
  liveClients(accountUserId: string): number {
    return [...this.clients].filter((c) => c.connected && this.accountOfSession(c.sessionKeyId) === accountUserId).length;
  }

  /** The most clients of the account ever connected at the same time. */
  maxConcurrentClients(accountUserId: string): number {
    return this.account(accountUserId).maxConcurrentClients;
  }

  sentBy(accountUserId: string): readonly SentByAccount[] {
    return this.account(accountUserId).sent;
  }

  failNextSends(accountUserId: string, ...failures: TelegramUserRpcErrorDouble[]): void {
    this.account(accountUserId).sendFailures.push(...failures);
  }

  /** Logs every session of the account out (as "Terminate all sessions" does). */
  revokeSessions(accountUserId: string): void {
    for (const key of this.authKeys.values()) if (key.accountUserId === accountUserId) key.revoked = true;
  }

  /** The network drops: clients see the connection lost; nothing is pushed to them until reconnect(). */
  dropConnections(accountUserId: string): void {
    for (const client of [...this.clients].filter((c) => c.connected && this.ownerOfSession(c.sessionKeyId) === accountUserId)) client.drop();
  }

  reconnect(accountUserId: string): void {
    for (const client of [...this.clients].filter((c) => c.dropped && this.ownerOfSession(c.sessionKeyId) === accountUserId)) client.restore();
  }

  /** A customer writes to the account. `short` delivers it as UpdateShortMessage (no user entity), as Telegram does for plain texts. */
  customerWrites(
    accountUserId: string,
    customerUserId: string,
    content: { text?: string; media?: Api.TypeMessageMedia; replyTo?: number; short?: boolean },
  ): Api.Message {
    const account = this.account(accountUserId);
    const message = new Api.Message({
      id: account.nextMessageId++,
      out: false,
      peerId: new Api.PeerUser({ userId: returnBigInt(customerUserId) }),
      fromId: new Api.PeerUser({ userId: returnBigInt(customerUserId) }),
      date: nowSeconds(),
      message: content.text ?? '',
      ...(content.media ? { media: content.media } : {}),
      ...(content.replyTo !== undefined ? { replyTo: new Api.MessageReplyHeader({ replyToMsgId: content.replyTo }) } : {}),
    });
    account.messages.push(message);
    if (content.short && !content.media) {
      this.push(accountUserId, new Api.UpdateShortMessage({
        id: message.id,
        userId: returnBigInt(customerUserId),
        message: message.message,
        pts: this.pts++,
        ptsCount: 1,
        date: message.date,
        ...(content.replyTo !== undefined ? { replyTo: new Api.MessageReplyHeader({ replyToMsgId: content.replyTo }) } : {}),
      }), []);
    } else {
      this.push(accountUserId, new Api.UpdateNewMessage({ message, pts: this.pts++, ptsCount: 1 }), [this.user(customerUserId)]);
    }
    return message;
  }

  /**
   * A customer sends a photo or a document (with an optional caption); its bytes can then be downloaded by
   * the message's id, as Telegram serves them.
   */
  customerSendsFile(
    accountUserId: string,
    customerUserId: string,
    file: { as: 'photo' | 'document'; bytes: Buffer; fileName?: string; mimeType?: string; width?: number; height?: number; caption?: string },
  ): Api.Message {
    const media = this.storeMedia(this.account(accountUserId), {
      as: file.as,
      bytes: file.bytes,
      fileName: file.fileName ?? (file.as === 'photo' ? 'photo.jpg' : 'file.bin'),
      mimeType: file.mimeType ?? (file.as === 'photo' ? 'image/jpeg' : 'application/octet-stream'),
      ...(file.width && file.height ? { width: file.width, height: file.height } : {}),
    });
    return this.customerWrites(accountUserId, customerUserId, { media, ...(file.caption !== undefined ? { text: file.caption } : {}) });
  }

  /** The account's owner writes from their phone (not through the inbox). */
  ownerWritesFromPhone(accountUserId: string, customerUserId: string, text: string): Api.Message {
    const account = this.account(accountUserId);
    const message = new Api.Message({
      id: account.nextMessageId++,
      out: true,
      peerId: new Api.PeerUser({ userId: returnBigInt(customerUserId) }),
      date: nowSeconds(),
      message: text,
    });
    account.messages.push(message);
    this.push(accountUserId, new Api.UpdateNewMessage({ message, pts: this.pts++, ptsCount: 1 }), [this.user(customerUserId)]);
    return message;
  }

  customerEdits(accountUserId: string, messageId: number, text: string): void {
    const message = this.account(accountUserId).messages.find((m) => m.id === messageId);
    if (!message) throw new Error(`no message ${messageId}`);
    message.message = text;
    message.editDate = Math.max(nowSeconds(), (message.editDate ?? message.date) + 1);
    this.push(accountUserId, new Api.UpdateEditMessage({ message, pts: this.pts++, ptsCount: 1 }), []);
  }

  customerDeletes(accountUserId: string, messageIds: number[]): void {
    const account = this.account(accountUserId);
    account.messages = account.messages.filter((m) => !messageIds.includes(m.id));
    this.push(accountUserId, new Api.UpdateDeleteMessages({ messages: messageIds, pts: this.pts++, ptsCount: messageIds.length }), []);
  }

  customerReads(accountUserId: string, customerUserId: string, maxId: number): void {
    this.account(accountUserId).readOutboxMaxId.set(customerUserId, maxId);
    this.push(
      accountUserId,
      new Api.UpdateReadHistoryOutbox({ peer: new Api.PeerUser({ userId: returnBigInt(customerUserId) }), maxId, pts: this.pts++, ptsCount: 1 }),
      [],
    );
  }

  customerTypes(accountUserId: string, customerUserId: string, action: Api.TypeSendMessageAction = new Api.SendMessageTypingAction()): void {
    this.push(accountUserId, new Api.UpdateUserTyping({ userId: returnBigInt(customerUserId), action }), []);
  }

  // ---- used by the client double ----

  /** @internal */
  newAuthKey(): AuthKey {
    const key: AuthKey = { id: randomBytes(8).toString('hex') };
    this.authKeys.set(key.id, key);
    return key;
  }

  /** @internal */
  authKey(id: string): AuthKey | undefined {
    return this.authKeys.get(id);
  }

  /** @internal The account a key logged in to, even after it was revoked (the network does not care). */
  ownerOfSession(keyId: string | undefined): string | undefined {
    return keyId ? this.authKeys.get(keyId)?.accountUserId : undefined;
  }

  /** @internal */
  accountOfSession(keyId: string | undefined): string | undefined {
    const key = keyId ? this.authKeys.get(keyId) : undefined;
    return key && !key.revoked ? key.accountUserId : undefined;
  }

  /** @internal */
  takeLoginFailure(): void {
    const failure = this.loginFailures.shift();
    if (failure) throw failure;
  }

  /** @internal */
  sendCode(key: AuthKey, phone: string): { phoneCodeHash: string } {
    const normalised = normalisePhone(phone);
    if (![...this.accounts.values()].some((a) => normalisePhone(a.spec.phone) === normalised)) throw new TelegramUserRpcErrorDouble('PHONE_NUMBER_UNOCCUPIED', 400);
    const code = Array.from({ length: CODE_LENGTH }, () => Math.floor(Math.random() * 10)).join('');
    key.pendingPhone = normalised;
    key.phoneCodeHash = randomBytes(9).toString('hex');
    key.code = code;
    this.codes.set(normalised, code);
    return { phoneCodeHash: key.phoneCodeHash };
  }

  /** @internal */
  signIn(key: AuthKey, params: { phone: string; phoneCodeHash: string; code: string }): Api.User {
    if (!key.phoneCodeHash || key.phoneCodeHash !== params.phoneCodeHash || key.pendingPhone !== normalisePhone(params.phone)) {
      throw new TelegramUserRpcErrorDouble('PHONE_CODE_HASH_EMPTY', 400);
    }
    if (key.code !== params.code) throw new TelegramUserRpcErrorDouble('PHONE_CODE_INVALID', 400);
    const account = this.accountByPhone(params.phone);
    if (account.spec.password) {
      key.passwordNeeded = true;
      key.accountUserId = undefined;
      throw new TelegramUserRpcErrorDouble('SESSION_PASSWORD_NEEDED', 401);
    }
    key.accountUserId = account.spec.userId;
    return this.self(account.spec.userId);
  }

  /** @internal */
  passwordHint(key: AuthKey): string | undefined {
    if (!key.passwordNeeded || !key.pendingPhone) throw new TelegramUserRpcErrorDouble('AUTH_KEY_UNREGISTERED', 401);
    return this.accountByPhone(key.pendingPhone).spec.passwordHint;
  }

  /** @internal */
  checkPassword(key: AuthKey, password: string): Api.User {
    if (!key.passwordNeeded || !key.pendingPhone) throw new TelegramUserRpcErrorDouble('AUTH_KEY_UNREGISTERED', 401);
    const account = this.accountByPhone(key.pendingPhone);
    if (account.spec.password !== password) throw new TelegramUserRpcErrorDouble('PASSWORD_HASH_INVALID', 400);
    key.passwordNeeded = false;
    key.accountUserId = account.spec.userId;
    return this.self(account.spec.userId);
  }

  /** @internal */
  connected(client: TelegramUserClientDouble): void {
    const accountUserId = this.accountOfSession(client.sessionKeyId);
    if (!accountUserId) return;
    const others = [...this.clients].filter((c) => c !== client && c.connected && c.sessionKeyId === client.sessionKeyId);
    if (others.length > 0) throw new TelegramUserRpcErrorDouble('AUTH_KEY_DUPLICATED', 406);
    const account = this.account(accountUserId);
    account.maxConcurrentClients = Math.max(account.maxConcurrentClients, this.liveClients(accountUserId) + 1);
  }

  /** @internal */
  send(accountUserId: string, params: { peer: { userId: string; accessHash: string }; text: string; replyToMsgId?: number; randomId: string }): Api.UpdateShortSentMessage {
    const account = this.account(accountUserId);
    const failure = account.sendFailures.shift();
    if (failure) throw failure;
    const customer = this.customers.get(params.peer.userId);
    if (!customer || customer.accessHash !== params.peer.accessHash) throw new TelegramUserRpcErrorDouble('PEER_ID_INVALID', 400);
    if (account.randomIds.has(params.randomId)) throw new TelegramUserRpcErrorDouble('RANDOM_ID_DUPLICATE', 500);
    if (params.text.length > 4096) throw new TelegramUserRpcErrorDouble('MESSAGE_TOO_LONG', 400);
    account.randomIds.add(params.randomId);
    const message = new Api.Message({
      id: account.nextMessageId++,
      out: true,
      peerId: new Api.PeerUser({ userId: returnBigInt(params.peer.userId) }),
      date: nowSeconds(),
      message: params.text,
      ...(params.replyToMsgId !== undefined ? { replyTo: new Api.MessageReplyHeader({ replyToMsgId: params.replyToMsgId }) } : {}),
    });
    account.messages.push(message);
    account.sent.push({ id: message.id, peerUserId: params.peer.userId, text: params.text, randomId: params.randomId, ...(params.replyToMsgId !== undefined ? { replyToMsgId: params.replyToMsgId } : {}) });
    return new Api.UpdateShortSentMessage({ out: true, id: message.id, pts: this.pts++, ptsCount: 1, date: message.date });
  }

  /** @internal messages.sendMedia with an uploaded photo or document. */
  sendFile(
    accountUserId: string,
    params: { peer: { userId: string; accessHash: string }; file: DoubleOutgoingFile; caption?: string; replyToMsgId?: number; randomId: string },
  ): Api.Updates {
    const account = this.account(accountUserId);
    const failure = account.sendFailures.shift();
    if (failure) throw failure;
    const customer = this.customers.get(params.peer.userId);
    if (!customer || customer.accessHash !== params.peer.accessHash) throw new TelegramUserRpcErrorDouble('PEER_ID_INVALID', 400);
    if (account.randomIds.has(params.randomId)) throw new TelegramUserRpcErrorDouble('RANDOM_ID_DUPLICATE', 500);
    if (params.file.bytes.length === 0) throw new TelegramUserRpcErrorDouble('FILE_PARTS_INVALID', 400);
    if (params.file.bytes.length > MAX_UPLOAD_BYTES) throw new TelegramUserRpcErrorDouble('FILE_PARTS_INVALID', 400);
    // Captions of non-Premium accounts: at most 1024 characters.
    if ((params.caption ?? '').length > 1024) throw new TelegramUserRpcErrorDouble('MEDIA_CAPTION_TOO_LONG', 400);
    account.randomIds.add(params.randomId);
    const media = this.storeMedia(account, params.file);
    const message = new Api.Message({
      id: account.nextMessageId++,
      out: true,
      peerId: new Api.PeerUser({ userId: returnBigInt(params.peer.userId) }),
      date: nowSeconds(),
      message: params.caption ?? '',
      media,
      ...(params.replyToMsgId !== undefined ? { replyTo: new Api.MessageReplyHeader({ replyToMsgId: params.replyToMsgId }) } : {}),
    });
    account.messages.push(message);
    account.sent.push({
      id: message.id,
      peerUserId: params.peer.userId,
      text: params.caption ?? '',
      randomId: params.randomId,
      file: { fileName: params.file.fileName, mimeType: params.file.mimeType, as: params.file.as, bytes: Buffer.from(params.file.bytes) },
      ...(params.replyToMsgId !== undefined ? { replyToMsgId: params.replyToMsgId } : {}),
    });
    // What Telegram answers messages.sendMedia with: the new message's id tied to the randomId, and the message.
    return new Api.Updates({
      updates: [
        new Api.UpdateMessageID({ id: message.id, randomId: returnBigInt(params.randomId) }),
        new Api.UpdateNewMessage({ message, pts: this.pts++, ptsCount: 1 }),
      ],
      users: [this.user(params.peer.userId)],
      chats: [],
      date: message.date,
      seq: 0,
    });
  }

  /** @internal messages.getMessages by id, then the media's bytes (upload.getFile); undefined when gone. */
  download(accountUserId: string, messageId: number): { bytes: Buffer; media: Api.TypeMessageMedia } | undefined {
    const account = this.account(accountUserId);
    const message = account.messages.find((m) => m.id === messageId);
    const media = message?.media;
    const id = media instanceof Api.MessageMediaPhoto && media.photo instanceof Api.Photo ? media.photo.id : media instanceof Api.MessageMediaDocument && media.document instanceof Api.Document ? media.document.id : undefined;
    if (!media || id === undefined) return undefined;
    const bytes = account.mediaBytes.get(id.toString());
    if (!bytes) throw new Error(`the double has no bytes for message ${messageId}'s media: send it with customerSendsFile`);
    return { bytes, media };
  }

  /** @internal */
  dialogs(accountUserId: string, limit: number): Api.messages.Dialogs {
    const account = this.account(accountUserId);
    const top = new Map<string, number>();
    for (const message of account.messages) {
      const peer = (message.peerId as Api.PeerUser).userId.toString();
      top.set(peer, Math.max(top.get(peer) ?? 0, message.id));
    }
    const ordered = [...top.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit);
    return new Api.messages.Dialogs({
      dialogs: ordered.map(
        ([peer, topMessage]) =>
          new Api.Dialog({
            peer: new Api.PeerUser({ userId: returnBigInt(peer) }),
            topMessage,
            readInboxMaxId: 0,
            readOutboxMaxId: account.readOutboxMaxId.get(peer) ?? 0,
            unreadCount: 0,
            unreadMentionsCount: 0,
            unreadReactionsCount: 0,
            notifySettings: new Api.PeerNotifySettings({}),
          }),
      ),
      messages: ordered.map(([, id]) => account.messages.find((m) => m.id === id)!),
      chats: [],
      users: ordered.map(([peer]) => this.user(peer)),
    });
  }

  /** @internal */
  history(accountUserId: string, params: { peer: { userId: string; accessHash: string }; minId: number; offsetId: number; limit: number }): Api.messages.Messages {
    const customer = this.customers.get(params.peer.userId);
    if (!customer || customer.accessHash !== params.peer.accessHash) throw new TelegramUserRpcErrorDouble('PEER_ID_INVALID', 400);
    const messages = this.account(accountUserId)
      .messages.filter((m) => (m.peerId as Api.PeerUser).userId.toString() === params.peer.userId)
      .filter((m) => m.id > params.minId && (params.offsetId === 0 || m.id < params.offsetId))
      .sort((a, b) => b.id - a.id)
      .slice(0, Math.min(params.limit, 100));
    return new Api.messages.Messages({ messages, chats: [], users: [this.user(params.peer.userId)] });
  }

  /** @internal */
  self(accountUserId: string): Api.User {
    const { spec } = this.account(accountUserId);
    return new Api.User({
      self: true,
      id: returnBigInt(spec.userId),
      accessHash: returnBigInt(0),
      firstName: spec.firstName,
      ...(spec.lastName ? { lastName: spec.lastName } : {}),
      ...(spec.username ? { username: spec.username } : {}),
      phone: normalisePhone(spec.phone).replace(/^\+/, ''),
    });
  }

  private user(customerUserId: string): Api.User {
    const customer = this.customers.get(customerUserId);
    if (!customer) throw new Error(`no customer ${customerUserId}: addCustomer first`);
    const { spec } = customer;
    return new Api.User({
      id: returnBigInt(spec.userId),
      accessHash: returnBigInt(customer.accessHash),
      firstName: spec.firstName,
      ...(spec.lastName ? { lastName: spec.lastName } : {}),
      ...(spec.username ? { username: spec.username } : {}),
      ...(spec.phone ? { phone: spec.phone.replace(/^\+/, '') } : {}),
      ...(spec.langCode ? { langCode: spec.langCode } : {}),
    });
  }

  /** The TL objects Telegram stores for an uploaded photo or document; the bytes are kept by the media's id. */
  private storeMedia(account: AccountState, file: DoubleOutgoingFile & { width?: number; height?: number }): Api.MessageMediaPhoto | Api.MessageMediaDocument {
    const id = returnBigInt(BigInt(`0x${randomBytes(7).toString('hex')}`).toString());
    account.mediaBytes.set(id.toString(), Buffer.from(file.bytes));
    const common = { id, accessHash: returnBigInt(BigInt(`0x${randomBytes(7).toString('hex')}`).toString()), fileReference: randomBytes(8), date: nowSeconds(), dcId: 2 };
    if (file.as === 'photo') {
      const w = file.width ?? 1280;
      const h = file.height ?? 960;
      return new Api.MessageMediaPhoto({
        photo: new Api.Photo({ ...common, sizes: [new Api.PhotoSize({ type: 's', w: 90, h: 68, size: 1200 }), new Api.PhotoSize({ type: 'y', w, h, size: file.bytes.length })] }),
      });
    }
    return new Api.MessageMediaDocument({
      document: new Api.Document({
        ...common,
        mimeType: file.mimeType,
        size: returnBigInt(file.bytes.length),
        attributes: [new Api.DocumentAttributeFilename({ fileName: file.fileName })],
      }),
    });
  }

  private push(accountUserId: string, update: HandledUpdate, users: Api.User[]): void {
    for (const client of this.clientsOf(accountUserId)) if (!client.dropped) client.emit({ kind: 'update', update, users });
  }

  private clientsOf(accountUserId: string): TelegramUserClientDouble[] {
    return [...this.clients].filter((c) => c.connected && this.accountOfSession(c.sessionKeyId) === accountUserId);
  }

  private account(userId: string): AccountState {
    const account = this.accounts.get(userId);
    if (!account) throw new Error(`no account ${userId}: addAccount first`);
    return account;
  }

  private accountByPhone(phone: string): AccountState {
    const account = [...this.accounts.values()].find((a) => normalisePhone(a.spec.phone) === normalisePhone(phone));
    if (!account) throw new TelegramUserRpcErrorDouble('PHONE_NUMBER_UNOCCUPIED', 400);
    return account;
  }
}

const SESSION_PREFIX = 'double-session:';

/** One client: the port's methods over the shared cloud. */
export class TelegramUserClientDouble {
  connected = false;
  dropped = false;
  sessionKeyId: string | undefined;
  private readonly listeners = new Set<(event: DoubleClientEvent) => void>();

  constructor(
    private readonly cloud: TelegramUserCloudDouble,
    session: string,
  ) {
    if (session) {
      if (!session.startsWith(SESSION_PREFIX)) throw new Error('not a session of this double');
      this.sessionKeyId = session.slice(SESSION_PREFIX.length);
    }
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    this.cloud.connected(this);
    this.connected = true;
    this.emit({ kind: 'connection', state: 'connected' });
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    this.listeners.clear();
  }

  exportSession(): string {
    return this.sessionKeyId ? `${SESSION_PREFIX}${this.sessionKeyId}` : '';
  }

  async sendCode(phone: string): Promise<{ phoneCodeHash: string; delivery: 'app' | 'sms' | 'other' }> {
    this.cloud.takeLoginFailure();
    const key = this.key(true);
    return { ...this.cloud.sendCode(key, phone), delivery: 'app' };
  }

  async signIn(params: { phone: string; phoneCodeHash: string; code: string }): Promise<Api.User> {
    this.cloud.takeLoginFailure();
    return this.cloud.signIn(this.key(false), params);
  }

  async getPasswordHint(): Promise<string | undefined> {
    return this.cloud.passwordHint(this.key(false));
  }

  async checkPassword(password: string): Promise<Api.User> {
    this.cloud.takeLoginFailure();
    return this.cloud.checkPassword(this.key(false), password);
  }

  async getMe(): Promise<Api.User> {
    return this.cloud.self(this.authorised());
  }

  async sendMessage(params: { peer: { userId: string; accessHash: string }; text: string; replyToMsgId?: number; randomId: string }): Promise<{ id: number; date: number }> {
    const sent = this.cloud.send(this.authorised(), params);
    return { id: sent.id, date: sent.date };
  }

  async sendFile(params: {
    peer: { userId: string; accessHash: string };
    file: DoubleOutgoingFile;
    caption?: string;
    replyToMsgId?: number;
    randomId: string;
  }): Promise<{ id: number; date: number }> {
    const updates = this.cloud.sendFile(this.authorised(), params);
    const idUpdate = updates.updates.find((u): u is Api.UpdateMessageID => u instanceof Api.UpdateMessageID && u.randomId?.toString() === params.randomId);
    if (!idUpdate) throw new Error('messages.sendMedia answered without the message id');
    return { id: idUpdate.id, date: updates.date };
  }

  async downloadMedia(params: {
    messageId: number;
    maxBytes: number;
  }): Promise<{ state: 'ok'; mediaId: string; bytes: Buffer; mimeType: string; fileName?: string } | { state: 'too-large'; mediaId: string; sizeBytes: number } | { state: 'gone' }> {
    const found = this.cloud.download(this.authorised(), params.messageId);
    if (!found) return { state: 'gone' };
    const { media, bytes } = found;
    if (media instanceof Api.MessageMediaDocument && media.document instanceof Api.Document) {
      const mediaId = media.document.id.toString();
      if (bytes.length > params.maxBytes) return { state: 'too-large', mediaId, sizeBytes: bytes.length };
      const name = media.document.attributes.find((a): a is Api.DocumentAttributeFilename => a instanceof Api.DocumentAttributeFilename)?.fileName;
      return { state: 'ok', mediaId, bytes: Buffer.from(bytes), mimeType: media.document.mimeType, ...(name ? { fileName: name } : {}) };
    }
    const mediaId = ((media as Api.MessageMediaPhoto).photo as Api.Photo).id.toString();
    if (bytes.length > params.maxBytes) return { state: 'too-large', mediaId, sizeBytes: bytes.length };
    // Telegram serves photos as JPEG, whatever was uploaded.
    return { state: 'ok', mediaId, bytes: Buffer.from(bytes), mimeType: 'image/jpeg' };
  }

  async getDialogs(params: { limit: number }): Promise<{ dialogs: Api.Dialog[]; users: Api.User[] }> {
    const result = this.cloud.dialogs(this.authorised(), params.limit);
    return { dialogs: result.dialogs.filter((d): d is Api.Dialog => d instanceof Api.Dialog), users: result.users.filter((u): u is Api.User => u instanceof Api.User) };
  }

  async getHistory(params: { peer: { userId: string; accessHash: string }; minId: number; offsetId: number; limit: number }): Promise<{ messages: Api.TypeMessage[]; users: Api.User[] }> {
    const result = this.cloud.history(this.authorised(), params);
    return { messages: result.messages, users: result.users.filter((u): u is Api.User => u instanceof Api.User) };
  }

  onEvent(listener: (event: DoubleClientEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @internal */
  emit(event: DoubleClientEvent): void {
    if (!this.connected) return;
    for (const listener of this.listeners) listener(event);
  }

  /** @internal */
  drop(): void {
    this.emit({ kind: 'connection', state: 'disconnected' });
    this.dropped = true;
  }

  /** @internal */
  restore(): void {
    this.dropped = false;
    this.emit({ kind: 'connection', state: 'connected' });
  }

  private key(create: boolean): AuthKey {
    let key = this.sessionKeyId ? this.cloud.authKey(this.sessionKeyId) : undefined;
    if (!key && create) {
      key = this.cloud.newAuthKey();
      this.sessionKeyId = key.id;
    }
    if (!key) throw new TelegramUserRpcErrorDouble('AUTH_KEY_UNREGISTERED', 401);
    return key;
  }

  private authorised(): string {
    if (!this.connected) throw new Error('the client is not connected');
    if (this.dropped) throw new Error('connection lost (the double dropped it)');
    const account = this.cloud.accountOfSession(this.sessionKeyId);
    if (!account) throw new TelegramUserRpcErrorDouble('AUTH_KEY_UNREGISTERED', 401);
    return account;
  }
}

function normalisePhone(phone: string): string {
  const digits = phone.replace(/[^0-9]/g, '');
  return `+${digits}`;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
