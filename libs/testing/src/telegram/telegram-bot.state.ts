import type { TgChat, TgMessage, TgReactionTypeEmoji, TgUpdate, TgUser } from './telegram-api.types';
import type { ApiParams } from './telegram-request-params';

export interface TelegramBotRegistration {
  token: string;
  id: number;
  username: string;
  firstName: string;
  /**
   * First update_id handed out. Defaults to a random 9-digit number because Telegram's ids do not
   * start at 1 and a connector must not assume they do.
   */
  firstUpdateId?: number;
}

/** An error exactly as the Bot API reports it; error_code doubles as the HTTP status. */
export class TelegramApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }
}

export const badRequest = (description: string): TelegramApiError => new TelegramApiError(400, `Bad Request: ${description}`);

export interface InjectedFailure {
  errorCode?: number;
  description?: string;
  /** For 429: seconds reported in parameters.retry_after (default 1). */
  retryAfter?: number;
  /** Destroy the TCP connection instead of answering (network failure as seen by the client). */
  dropConnection?: boolean;
  /** How many matching calls fail (default 1). */
  times?: number;
}

export interface SentRecord {
  token: string;
  method: string;
  chatId: number;
  text?: string;
  caption?: string;
  replyToMessageId?: number;
  params: ApiParams;
  message: TgMessage;
  /** Clock time (ms) when the double answered. */
  at: number;
}

export interface RequestLogEntry {
  /** Clock time (ms) when the request arrived; long polls answer later (see finishedAt). */
  at: number;
  finishedAt?: number;
  token: string;
  method: string;
  httpMethod: string;
  params: ApiParams;
  status?: number;
  ok?: boolean;
  errorCode?: number;
  description?: string;
}

export interface WebhookDeliveryRecord {
  at: number;
  token: string;
  updateId: number;
  url: string;
  ok: boolean;
  status?: number;
  error?: string;
}

export interface WebhookState {
  url: string;
  secretToken?: string;
  maxConnections: number;
  /** Bumped on every set/delete so late results of an old webhook do not schedule retries. */
  generation: number;
}

export interface ChatState {
  chat: TgChat;
  nextMessageId: number;
  messages: Map<number, TgMessage>;
  reactions: Map<string, TgReactionTypeEmoji[]>;
}

export interface LongPollWaiter {
  wake(reason: 'update' | 'conflict' | 'webhook' | 'stop'): void;
}

export interface BotState {
  registration: TelegramBotRegistration;
  user: TgUser;
  nextUpdateId: number;
  pending: TgUpdate[];
  /** undefined = Telegram's default (everything except chat_member and reactions). */
  allowedUpdates?: string[];
  webhook?: WebhookState;
  webhookGeneration: number;
  lastErrorDate?: number;
  lastErrorMessage?: string;
  inFlight: Set<TgUpdate>;
  retryTimer?: NodeJS.Timeout;
  poller?: LongPollWaiter;
  chats: Map<number, ChatState>;
  sent: SentRecord[];
  failures: Array<{ method: string; failure: InjectedFailure; remaining: number }>;
}

/** Telegram's documented default when allowed_updates is unset or empty. */
export const NOT_DELIVERED_BY_DEFAULT = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

export function isAllowed(bot: BotState, kind: string): boolean {
  if (bot.allowedUpdates && bot.allowedUpdates.length > 0) return bot.allowedUpdates.includes(kind);
  return !NOT_DELIVERED_BY_DEFAULT.has(kind);
}
