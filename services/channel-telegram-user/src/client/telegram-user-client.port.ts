/**
 * The narrow port the connector uses to drive one Telegram user account over MTProto. The GramJS adapter
 * (gramjs-telegram-user.client.ts) is the only implementation that touches the library; tests use a double
 * of this interface. Update and message shapes mirror the TL schema (the fields GramJS's Api classes carry,
 * by their TL names), so real Api objects satisfy them and the double can be built from real Api objects.
 */

/** A TL `long` as GramJS gives it (a big-integer BigInteger): only ever read as its decimal text. */
export interface TlLong {
  toString(): string;
}

export interface TlPeerUser {
  className: 'PeerUser';
  userId: TlLong;
}
export interface TlPeerOther {
  className: 'PeerChat' | 'PeerChannel';
}
export type TlPeer = TlPeerUser | TlPeerOther;

export interface TlUser {
  className: 'User';
  id: TlLong;
  accessHash?: TlLong;
  self?: boolean;
  bot?: boolean;
  firstName?: string;
  lastName?: string;
  username?: string;
  phone?: string;
  langCode?: string;
}

export interface TlDocumentAttribute {
  className: string;
  fileName?: string;
  w?: number;
  h?: number;
  duration?: number;
  voice?: boolean;
  roundMessage?: boolean;
}

export interface TlDocument {
  className: 'Document';
  id: TlLong;
  mimeType: string;
  size: TlLong;
  attributes: TlDocumentAttribute[];
}

export interface TlPhotoSize {
  className: string;
  w?: number;
  h?: number;
  size?: number;
}

export interface TlPhoto {
  className: 'Photo';
  id: TlLong;
  sizes: TlPhotoSize[];
}

/** The media kinds a private chat carries that the inbox shows; others become a placeholder. */
export type TlMessageMedia =
  | { className: 'MessageMediaPhoto'; photo?: TlPhoto | { className: 'PhotoEmpty' } }
  | { className: 'MessageMediaDocument'; document?: TlDocument | { className: 'DocumentEmpty' }; voice?: boolean; round?: boolean; video?: boolean }
  | { className: 'MessageMediaGeo'; geo: { className: 'GeoPoint'; lat: number; long: number } | { className: 'GeoPointEmpty' } }
  | { className: 'MessageMediaContact'; phoneNumber: string; firstName: string; lastName: string; userId: TlLong }
  | { className: string };

export interface TlMessage {
  className: 'Message';
  id: number;
  out?: boolean;
  peerId: TlPeer;
  fromId?: TlPeer;
  date: number;
  message: string;
  media?: TlMessageMedia;
  replyTo?: { className: 'MessageReplyHeader'; replyToMsgId?: number } | { className: string };
  editDate?: number;
  groupedId?: TlLong;
}

/** Service messages (calls, screenshots, joined...) and empty slots; the connector skips them. */
export interface TlOtherMessage {
  className: 'MessageService' | 'MessageEmpty';
  id: number;
}

export type TlAnyMessage = TlMessage | TlOtherMessage;

export interface TlUpdateNewMessage {
  className: 'UpdateNewMessage';
  message: TlAnyMessage;
}
export interface TlUpdateEditMessage {
  className: 'UpdateEditMessage';
  message: TlAnyMessage;
}
/** Private chats and basic groups only: ids without a peer (ids are unique per account there). */
export interface TlUpdateDeleteMessages {
  className: 'UpdateDeleteMessages';
  messages: number[];
}
/** The customer read our messages up to maxId. */
export interface TlUpdateReadHistoryOutbox {
  className: 'UpdateReadHistoryOutbox';
  peer: TlPeer;
  maxId: number;
}
export interface TlUpdateUserTyping {
  className: 'UpdateUserTyping';
  userId: TlLong;
  action: { className: string };
}
/** Telegram's compact form of a new private text message (no user entity travels with it). */
export interface TlUpdateShortMessage {
  className: 'UpdateShortMessage';
  id: number;
  out?: boolean;
  userId: TlLong;
  message: string;
  date: number;
  replyTo?: { className: 'MessageReplyHeader'; replyToMsgId?: number } | { className: string };
}

export type TlUpdate =
  | TlUpdateNewMessage
  | TlUpdateEditMessage
  | TlUpdateDeleteMessages
  | TlUpdateReadHistoryOutbox
  | TlUpdateUserTyping
  | TlUpdateShortMessage;

export const HANDLED_UPDATES: ReadonlySet<TlUpdate['className']> = new Set([
  'UpdateNewMessage',
  'UpdateEditMessage',
  'UpdateDeleteMessages',
  'UpdateReadHistoryOutbox',
  'UpdateUserTyping',
  'UpdateShortMessage',
]);

/** What the client reports: an update (with the user entities that came with it) or a change of connection. */
export type ClientEvent =
  | { kind: 'update'; update: TlUpdate; users: TlUser[] }
  | { kind: 'connection'; state: 'connected' | 'disconnected' };

export interface TlDialog {
  peer: TlPeer;
  topMessage: number;
  readOutboxMaxId: number;
}

export interface InputPeerUserRef {
  userId: string;
  accessHash: string;
}

export interface SentCodeInfo {
  phoneCodeHash: string;
  /** How Telegram delivered the code: in the Telegram app or by SMS (for the admin's prompt). */
  delivery: 'app' | 'sms' | 'other';
}

export interface SentMessage {
  id: number;
  date: number;
}

/**
 * A file to send, with its bytes read: `photo` goes as a compressed picture (inputMediaUploadedPhoto),
 * `document` as the file itself with its name and type (inputMediaUploadedDocument).
 */
export interface OutgoingFile {
  bytes: Buffer;
  fileName: string;
  mimeType: string;
  as: 'photo' | 'document';
}

/**
 * A message's photo or document as Telegram serves it (upload.getFile, through the library); `mediaId` is
 * the photo's or document's id, so a caller can tell the media it asked for from one an edit put in its place.
 */
export type MediaDownload =
  | { state: 'ok'; mediaId: string; bytes: Buffer; mimeType: string; fileName?: string }
  | { state: 'too-large'; mediaId: string; sizeBytes: number }
  | { state: 'gone' };

/**
 * One MTProto client. A client holds one auth key (session); the same key must never be live in two
 * processes at once (Telegram answers AUTH_KEY_DUPLICATED and may revoke it): the account lease decides who connects.
 * Failures from Telegram reject with a TelegramRpcError-shaped error (see telegram-rpc-error.ts).
 */
export interface TelegramUserClient {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** The session (auth key and data centre) to store, encrypted, and to resume with. */
  exportSession(): string;
  sendCode(phone: string): Promise<SentCodeInfo>;
  /** Rejects with SESSION_PASSWORD_NEEDED when the account has two-step verification. */
  signIn(params: { phone: string; phoneCodeHash: string; code: string }): Promise<TlUser>;
  /** The account's 2FA password hint, if any (shown to the admin before they type the password). */
  getPasswordHint(): Promise<string | undefined>;
  /** Two-step verification: the SRP proof is computed from the password by the library. */
  checkPassword(password: string): Promise<TlUser>;
  getMe(): Promise<TlUser>;
  sendMessage(params: { peer: InputPeerUserRef; text: string; replyToMsgId?: number; randomId: string }): Promise<SentMessage>;
  /**
   * Uploads the file and sends it (messages.sendMedia) with an optional caption. The randomId is the
   * command's, as for texts, so Telegram drops a retried duplicate.
   */
  sendFile(params: { peer: InputPeerUserRef; file: OutgoingFile; caption?: string; replyToMsgId?: number; randomId: string }): Promise<SentMessage>;
  /**
   * The photo (largest size) or document of one message of a private chat (messages.getMessages by id: ids
   * are unique per account there); not downloaded when larger than maxBytes; gone when the message or its
   * media is.
   */
  downloadMedia(params: { messageId: number; maxBytes: number }): Promise<MediaDownload>;
  /** The most recent dialogs, with their users (access hashes included). */
  getDialogs(params: { limit: number }): Promise<{ dialogs: TlDialog[]; users: TlUser[] }>;
  /**
   * Messages of one private chat with minId < id < offsetId (0: no upper bound), newest first (Telegram's
   * order), at most limit (Telegram serves up to 100 per call).
   */
  getHistory(params: { peer: InputPeerUserRef; minId: number; offsetId: number; limit: number }): Promise<{ messages: TlAnyMessage[]; users: TlUser[] }>;
  /** Subscribes to updates and connection changes; returns the unsubscribe function. */
  onEvent(listener: (event: ClientEvent) => void): () => void;
}

/** Creates a client resuming `session` ('' for a new one, as a login starts). */
export type TelegramUserClientFactory = (session: string) => TelegramUserClient;
