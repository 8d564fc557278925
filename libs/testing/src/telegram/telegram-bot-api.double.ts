import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TgApiResponse, TgMessage, TgReactionTypeEmoji, TgUpdate, TgWebhookInfo } from './telegram-api.types';
import {
  TelegramApiError,
  badRequest,
  isAllowed,
  type BotState,
  type ChatState,
  type InjectedFailure,
  type RequestLogEntry,
  type SentRecord,
  type TelegramBotRegistration,
  type WebhookDeliveryRecord,
} from './telegram-bot.state';
import { TelegramCustomer, type TelegramCustomerHost } from './telegram-customer';
import { TelegramFileStore } from './telegram-file.store';
import {
  ParamsError,
  boolParam,
  intParam,
  jsonParam,
  parseParams,
  readBody,
  stringParam,
  type ApiParams,
} from './telegram-request-params';
import { TelegramSendMethods } from './telegram-send.methods';
import type { TelegramCustomerProfile } from './telegram-update.builders';
import { postWebhook, type WebhookPost } from './telegram-webhook.client';

export interface TelegramBotApiDoubleOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Pause after a failed webhook delivery before the next attempt (default 200 ms). */
  webhookRetryDelayMs?: number;
  /** How long a webhook POST may take before it counts as failed (default 10 s). */
  webhookTimeoutMs?: number;
  /**
   * Deliver a chat's updates to the webhook one at a time, in order, as the real Bot API server does
   * (its WebhookActor keeps one queue per chat and sends a chat's next update only after the previous
   * one was answered 2xx). Default false: any pending update may be in flight, up to max_connections,
   * so a chat's updates can overtake each other.
   */
  webhookOrderPerChat?: boolean;
  /** Clock in ms; inject to control message dates. */
  now?: () => number;
  /**
   * Telegram answers "chat not found" for chats that never talked to the bot (a bot cannot write
   * first). Default true; set false to let tests send to arbitrary chat ids.
   */
  requireKnownChat?: boolean;
  bots?: TelegramBotRegistration[];
}

const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;
const DEFAULT_MAX_CONNECTIONS = 40;
const GETUPDATES_CONFLICT = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
const POLL_TERMINATED = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';

/**
 * In-process stand-in for https://api.telegram.org speaking the documented wire format, plus a
 * control surface for tests (customers, error injection, logs). Point a connector's API base URL at
 * `baseUrl` and it cannot tell the difference for the covered methods.
 */
export class TelegramBotApiDouble {
  /** Every API call in arrival order (file downloads are logged with method "file"). */
  readonly requests: RequestLogEntry[] = [];
  readonly webhookDeliveries: WebhookDeliveryRecord[] = [];

  private readonly bots = new Map<string, BotState>();
  private readonly blocked = new Set<string>();
  private readonly files = new TelegramFileStore();
  private readonly events = new EventEmitter();
  private readonly methods: TelegramSendMethods;
  private readonly inFlightPosts = new Set<WebhookPost>();
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  private readonly now: () => number;
  private server?: http.Server;
  private running = false;

  constructor(private readonly options: TelegramBotApiDoubleOptions = {}) {
    this.now = options.now ?? Date.now;
    // Many tests may wait on the same double at once; the default limit of 10 would only warn.
    this.events.setMaxListeners(0);
    const requireKnownChat = options.requireKnownChat ?? true;
    this.methods = new TelegramSendMethods({
      files: this.files,
      requireKnownChat,
      nowMs: () => this.now(),
      isBlocked: (bot, chatId) => this.isBlocked(bot, chatId),
      chatState: (bot, chatId, create) => this.chatState(bot, chatId, create),
      recordSent: (bot, record) => {
        bot.sent.push(record);
        this.events.emit('sent', record);
      },
    });
    for (const bot of options.bots ?? []) this.registerBot(bot);
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.reply(res, { ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const bot of this.bots.values()) {
      if (bot.retryTimer) clearTimeout(bot.retryTimer);
      bot.retryTimer = undefined;
      bot.poller?.wake('stop');
    }
    for (const post of this.inFlightPosts) post.abort();
    this.inFlightPosts.clear();
    this.events.emit('stop');
    this.agents.http.destroy();
    this.agents.https.destroy();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    // Let woken long polls flush their answers before connections are cut.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  get port(): number {
    if (!this.server) throw new Error('TelegramBotApiDouble is not started');
    return (this.server.address() as AddressInfo).port;
  }

  /** Use as the API root: requests go to `${baseUrl}/bot<token>/<method>`. */
  get baseUrl(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  // ---- bots and customers ----------------------------------------------------------------------

  registerBot(registration: TelegramBotRegistration): void {
    if (this.bots.has(registration.token)) throw new Error(`bot token already registered: ${registration.token}`);
    this.bots.set(registration.token, {
      registration,
      user: { id: registration.id, is_bot: true, first_name: registration.firstName, username: registration.username },
      nextUpdateId: registration.firstUpdateId ?? 100_000_000 + Math.floor(Math.random() * 800_000_000),
      pending: [],
      webhookGeneration: 0,
      inFlight: new Set(),
      chats: new Map(),
      sent: [],
      failures: [],
    });
  }

  /**
   * A private-chat customer of the bot (token or username). Creating it is the customer pressing
   * Start: from now on the bot may write to the chat.
   */
  customer(bot: string, profile: TelegramCustomerProfile): TelegramCustomer {
    const state = this.bot(bot);
    const customer = new TelegramCustomer(this.customerHost(state), profile);
    const chat = this.chatState(state, profile.id, true) as ChatState;
    chat.chat = { ...customer.chat };
    return customer;
  }

  /**
   * Queues any update as given (no allowed_updates filter). Keeps update_id when present, so the
   * same update can be redelivered to test deduplication; otherwise assigns the next id.
   */
  enqueueRawUpdate(bot: string, update: Omit<TgUpdate, 'update_id'> & { update_id?: number }): TgUpdate {
    const state = this.bot(bot);
    const complete = { ...update, update_id: update.update_id ?? state.nextUpdateId } as TgUpdate;
    state.nextUpdateId = Math.max(state.nextUpdateId, complete.update_id + 1);
    this.enqueue(state, complete);
    return complete;
  }

  // ---- test controls ---------------------------------------------------------------------------

  sentMessages(bot: string): SentRecord[] {
    return [...this.bot(bot).sent];
  }

  /** Resolves with the first sent record (already sent or future, any bot) matching the predicate. */
  waitForSent(predicate: (record: SentRecord) => boolean, timeoutMs = 5000): Promise<SentRecord> {
    for (const bot of this.bots.values()) {
      const found = bot.sent.find(predicate);
      if (found) return Promise.resolve(found);
    }
    return this.waitForEvent<SentRecord>('sent', predicate, timeoutMs, 'no matching message was sent');
  }

  /** The next `times` (default 1) calls of `method` ('*' = any) answer with the given failure. */
  failNext(bot: string, method: string, failure: InjectedFailure): void {
    this.bot(bot).failures.push({ method: method.toLowerCase(), failure, remaining: failure.times ?? 1 });
  }

  /** Every send to this user's chat answers 403 (for one bot, or all bots when omitted). */
  blockBy(userId: number, bot?: string): void {
    this.blocked.add(this.blockKey(userId, bot));
  }

  unblockBy(userId: number, bot?: string): void {
    this.blocked.delete(this.blockKey(userId, bot));
  }

  webhookInfo(bot: string): TgWebhookInfo {
    const state = this.bot(bot);
    const info: TgWebhookInfo = { url: state.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: state.pending.length };
    if (state.lastErrorDate !== undefined) info.last_error_date = state.lastErrorDate;
    if (state.lastErrorMessage !== undefined) info.last_error_message = state.lastErrorMessage;
    if (state.webhook) info.max_connections = state.webhook.maxConnections;
    if (state.allowedUpdates) info.allowed_updates = [...state.allowedUpdates];
    return info;
  }

  /** Updates not yet confirmed (getUpdates offset) or acknowledged (webhook 2xx). */
  pendingUpdates(bot: string): TgUpdate[] {
    return [...this.bot(bot).pending];
  }

  /** Resolves once nothing is pending or in flight for the bot. */
  async waitUntilDrained(bot: string, timeoutMs = 5000): Promise<void> {
    const state = this.bot(bot);
    const drained = (): boolean => state.pending.length === 0 && state.inFlight.size === 0;
    if (drained()) return;
    await this.waitForEvent('drain', () => drained(), timeoutMs, `updates still pending for ${state.registration.username}`);
  }

  requestsFor(bot: string, method?: string): RequestLogEntry[] {
    const token = this.bot(bot).registration.token;
    return this.requests.filter((entry) => entry.token === token && (!method || entry.method.toLowerCase() === method.toLowerCase()));
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double.invalid');
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (download) return this.serveFile(req, res, decodeURIComponent(download[1] as string), decodeURIComponent(download[2] as string));

    const call = /^\/bot([^/]+)\/([A-Za-z0-9_]+)\/?$/.exec(url.pathname);
    if (!call) return this.reply(res, { ok: false, error_code: 404, description: 'Not Found' });
    const token = decodeURIComponent(call[1] as string);
    const method = call[2] as string;
    const bot = this.bots.get(token);
    const entry: RequestLogEntry = { at: this.now(), token, method, httpMethod: req.method ?? 'GET', params: {} };
    this.requests.push(entry);

    let response: TgApiResponse;
    if (!bot) {
      req.resume();
      response = { ok: false, error_code: 401, description: 'Unauthorized' };
    } else {
      try {
        entry.params = parseParams(url, req.headers['content-type'], await readBody(req));
        const failure = this.takeFailure(bot, method);
        if (failure?.dropConnection) {
          Object.assign(entry, { finishedAt: this.now(), description: 'connection dropped' });
          req.socket.destroy();
          return;
        }
        if (failure) throw this.failureError(failure);
        response = await this.dispatch(bot, method, entry.params, res);
      } catch (error) {
        response = this.errorResponse(error);
      }
    }
    Object.assign(entry, { finishedAt: this.now(), ok: response.ok, status: response.ok ? 200 : response.error_code });
    if (!response.ok) Object.assign(entry, { errorCode: response.error_code, description: response.description });
    if (!res.destroyed) this.reply(res, response);
  }

  private async dispatch(bot: BotState, method: string, params: ApiParams, res: http.ServerResponse): Promise<TgApiResponse> {
    // Method names are case-insensitive on the real API.
    switch (method.toLowerCase()) {
      case 'getme':
        return ok({ ...bot.user, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false });
      case 'setwebhook':
        return this.setWebhook(bot, params);
      case 'deletewebhook':
        return this.deleteWebhook(bot, params);
      case 'getwebhookinfo':
        return ok(this.webhookInfo(bot.registration.token));
      case 'getupdates':
        return ok(await this.getUpdates(bot, params, res));
      case 'sendmessage':
        return ok(this.methods.sendMessage(bot, params));
      case 'sendphoto':
        return ok(this.methods.sendPhoto(bot, params));
      case 'senddocument':
        return ok(this.methods.sendDocument(bot, params));
      case 'sendchataction':
        return ok(this.methods.sendChatAction(bot, params));
      case 'editmessagetext':
        return ok(this.methods.editMessageText(bot, params));
      case 'deletemessage':
        return ok(this.methods.deleteMessage(bot, params));
      case 'answercallbackquery':
        return ok(true);
      case 'getfile':
        return ok(this.methods.getFile(params));
      default:
        return { ok: false, error_code: 404, description: 'Not Found' };
    }
  }

  private serveFile(req: http.IncomingMessage, res: http.ServerResponse, token: string, filePath: string): void {
    req.resume();
    const entry: RequestLogEntry = { at: this.now(), token, method: 'file', httpMethod: req.method ?? 'GET', params: { file_path: filePath } };
    this.requests.push(entry);
    const file = this.bots.has(token) ? this.files.getByPath(filePath) : undefined;
    if (!file) {
      Object.assign(entry, { finishedAt: this.now(), ok: false, status: 404, errorCode: 404, description: 'Not Found' });
      return this.reply(res, { ok: false, error_code: 404, description: 'Not Found' });
    }
    Object.assign(entry, { finishedAt: this.now(), ok: true, status: 200 });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length });
    res.end(req.method === 'HEAD' ? undefined : file.bytes);
  }

  private reply(res: http.ServerResponse, body: TgApiResponse): void {
    const payload = JSON.stringify(body);
    res.writeHead(body.ok ? 200 : body.error_code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  }

  private errorResponse(error: unknown): TgApiResponse {
    if (error instanceof TelegramApiError) {
      return { ok: false, error_code: error.errorCode, description: error.description, ...(error.parameters ? { parameters: error.parameters } : {}) };
    }
    if (error instanceof ParamsError) return { ok: false, error_code: 400, description: error.message };
    return { ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` };
  }

  private takeFailure(bot: BotState, method: string): InjectedFailure | undefined {
    const lower = method.toLowerCase();
    const slot = bot.failures.find((f) => f.remaining > 0 && (f.method === '*' || f.method === lower));
    if (!slot) return undefined;
    slot.remaining -= 1;
    bot.failures = bot.failures.filter((f) => f.remaining > 0);
    return slot.failure;
  }

  private failureError(failure: InjectedFailure): TelegramApiError {
    const code = failure.errorCode ?? 500;
    if (code === 429) {
      const retryAfter = failure.retryAfter ?? 1;
      return new TelegramApiError(429, failure.description ?? `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
    }
    const defaults: Record<number, string> = {
      400: 'Bad Request',
      403: 'Forbidden: bot was blocked by the user',
      404: 'Not Found',
      409: 'Conflict',
      500: 'Internal Server Error',
      502: 'Bad Gateway',
    };
    return new TelegramApiError(code, failure.description ?? defaults[code] ?? 'Error');
  }

  // ---- updates: webhook ------------------------------------------------------------------------

  private setWebhook(bot: BotState, params: ApiParams): TgApiResponse {
    const url = stringParam(params, 'url') ?? '';
    // An empty url is the documented way to remove the webhook through setWebhook.
    if (url === '') return this.deleteWebhook(bot, params);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest('invalid webhook URL specified');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw badRequest('bad webhook: HTTPS url must be provided for webhook');
    const secretToken = stringParam(params, 'secret_token');
    if (secretToken !== undefined && secretToken !== '' && !SECRET_TOKEN.test(secretToken)) {
      throw badRequest('secret token contains unallowed characters');
    }
    const maxConnections = intParam(params, 'max_connections') ?? DEFAULT_MAX_CONNECTIONS;
    if (maxConnections < 1 || maxConnections > 100) throw badRequest('bad webhook: max_connections must be between 1 and 100');
    this.applyAllowedUpdates(bot, params);
    if (boolParam(params, 'drop_pending_updates')) bot.pending = [];
    bot.webhookGeneration += 1;
    bot.webhook = { url, maxConnections, generation: bot.webhookGeneration, ...(secretToken ? { secretToken } : {}) };
    bot.lastErrorDate = undefined;
    bot.lastErrorMessage = undefined;
    if (bot.retryTimer) clearTimeout(bot.retryTimer);
    bot.retryTimer = undefined;
    bot.poller?.wake('webhook');
    this.pump(bot);
    return { ok: true, result: true, description: 'Webhook was set' };
  }

  private deleteWebhook(bot: BotState, params: ApiParams): TgApiResponse {
    if (boolParam(params, 'drop_pending_updates')) bot.pending = [];
    const had = bot.webhook !== undefined;
    bot.webhook = undefined;
    bot.webhookGeneration += 1;
    if (bot.retryTimer) clearTimeout(bot.retryTimer);
    bot.retryTimer = undefined;
    this.notifyDrain();
    return { ok: true, result: true, description: had ? 'Webhook was deleted' : 'Webhook is already deleted' };
  }

  /** Starts deliveries up to max_connections; a failure pauses the whole bot, as on Telegram. */
  private pump(bot: BotState): void {
    const webhook = bot.webhook;
    if (!this.running || !webhook || bot.retryTimer) return;
    // With webhookOrderPerChat, only the oldest pending update of each chat may be in flight.
    const busyChats = new Set<number>();
    for (const update of bot.pending) {
      if (bot.inFlight.size >= webhook.maxConnections) break;
      const chatId = this.options.webhookOrderPerChat ? updateChatId(update) : undefined;
      if (chatId !== undefined) {
        if (busyChats.has(chatId)) continue;
        busyChats.add(chatId);
      }
      if (!bot.inFlight.has(update)) this.deliver(bot, webhook.url, webhook.secretToken, webhook.generation, update);
    }
  }

  private deliver(bot: BotState, url: string, secretToken: string | undefined, generation: number, update: TgUpdate): void {
    bot.inFlight.add(update);
    const post = postWebhook(url, JSON.stringify(update), secretToken, this.agents, this.options.webhookTimeoutMs ?? 10_000);
    this.inFlightPosts.add(post);
    void post.done.then((result) => {
      this.inFlightPosts.delete(post);
      bot.inFlight.delete(update);
      if (!this.running) return;
      const record: WebhookDeliveryRecord = { at: this.now(), token: bot.registration.token, updateId: update.update_id, url, ok: result.ok };
      if (result.status !== undefined) record.status = result.status;
      if (result.error !== undefined) record.error = result.error;
      this.webhookDeliveries.push(record);
      if (result.ok) {
        bot.pending = bot.pending.filter((candidate) => candidate !== update);
      } else {
        bot.lastErrorDate = Math.floor(this.now() / 1000);
        bot.lastErrorMessage = result.error;
        // Telegram keeps retrying for up to 24 h; the double retries until stop().
        if (bot.webhook?.generation === generation && !bot.retryTimer) {
          bot.retryTimer = setTimeout(() => {
            bot.retryTimer = undefined;
            this.pump(bot);
          }, this.options.webhookRetryDelayMs ?? 200);
        }
      }
      this.notifyDrain();
      this.pump(bot);
    });
  }

  // ---- updates: long polling -------------------------------------------------------------------

  private async getUpdates(bot: BotState, params: ApiParams, res: http.ServerResponse): Promise<TgUpdate[]> {
    if (bot.webhook) throw new TelegramApiError(409, GETUPDATES_CONFLICT);
    this.confirm(bot, intParam(params, 'offset'));
    this.applyAllowedUpdates(bot, params);
    const limit = Math.min(100, Math.max(1, intParam(params, 'limit') ?? 100));
    const timeoutSeconds = Math.max(0, intParam(params, 'timeout') ?? 0);
    // Only one getUpdates may wait per bot; Telegram ends the older one with 409.
    bot.poller?.wake('conflict');
    bot.poller = undefined;
    if (bot.pending.length > 0 || timeoutSeconds === 0) return bot.pending.slice(0, limit);

    const reason = await new Promise<'update' | 'conflict' | 'webhook' | 'stop' | 'timeout' | 'closed'>((resolve) => {
      const finish = (why: 'update' | 'conflict' | 'webhook' | 'stop' | 'timeout' | 'closed'): void => {
        clearTimeout(timer);
        res.off('close', onClose);
        if (bot.poller === waiter) bot.poller = undefined;
        resolve(why);
      };
      const waiter = { wake: finish };
      const timer = setTimeout(() => finish('timeout'), timeoutSeconds * 1000);
      const onClose = (): void => finish('closed');
      res.on('close', onClose);
      bot.poller = waiter;
    });
    if (reason === 'conflict') throw new TelegramApiError(409, POLL_TERMINATED);
    if (reason === 'webhook') throw new TelegramApiError(409, GETUPDATES_CONFLICT);
    if (reason === 'stop' || reason === 'closed') return [];
    return bot.pending.slice(0, limit);
  }

  /** offset confirms every update below it; a negative offset keeps only the last -offset. */
  private confirm(bot: BotState, offset: number | undefined): void {
    if (offset === undefined || offset === 0) return;
    if (offset < 0) bot.pending = bot.pending.slice(Math.max(0, bot.pending.length + offset));
    else bot.pending = bot.pending.filter((update) => update.update_id >= offset);
    this.notifyDrain();
  }

  private applyAllowedUpdates(bot: BotState, params: ApiParams): void {
    const allowed = jsonParam<string[]>(params, 'allowed_updates');
    if (allowed === undefined) return; // "If not specified, the previous setting will be used."
    if (!Array.isArray(allowed)) throw badRequest("can't parse allowed updates");
    bot.allowedUpdates = allowed.length > 0 ? [...allowed] : undefined;
  }

  private enqueue(bot: BotState, update: TgUpdate): void {
    bot.pending.push(update);
    bot.poller?.wake('update');
    this.pump(bot);
  }

  // ---- internals shared with customers ---------------------------------------------------------

  private customerHost(bot: BotState): TelegramCustomerHost {
    const chatOf = (chatId: number): ChatState => this.chatState(bot, chatId, true) as ChatState;
    return {
      files: this.files,
      botUser: bot.user,
      nowSeconds: () => Math.floor(this.now() / 1000),
      nextMessageId: (chatId) => chatOf(chatId).nextMessageId++,
      rememberMessage: (message: TgMessage) => chatOf(message.chat.id).messages.set(message.message_id, message),
      findMessage: (chatId, messageId) => chatOf(chatId).messages.get(messageId),
      emit: (kind, payload) => {
        if (!isAllowed(bot, kind)) return { update: { update_id: 0, [kind]: payload }, queued: false };
        const update: TgUpdate = { update_id: bot.nextUpdateId++, [kind]: payload };
        this.enqueue(bot, update);
        return { update, queued: true };
      },
      draft: (kind, payload) => ({ update_id: bot.nextUpdateId++, [kind]: payload }),
      reactions: (chatId, messageId, userId) => [...(chatOf(chatId).reactions.get(`${messageId}:${userId}`) ?? [])],
      setReactions: (chatId, messageId, userId, reactions: TgReactionTypeEmoji[]) => {
        chatOf(chatId).reactions.set(`${messageId}:${userId}`, reactions);
      },
      setBlocked: (userId, blocked) => (blocked ? this.blockBy(userId, bot.registration.token) : this.unblockBy(userId, bot.registration.token)),
    };
  }

  private chatState(bot: BotState, chatId: number, createIfMissing: boolean): ChatState | undefined {
    let chat = bot.chats.get(chatId);
    if (!chat && createIfMissing) {
      chat = { chat: { id: chatId, type: 'private', first_name: `User ${chatId}` }, nextMessageId: 1, messages: new Map(), reactions: new Map() };
      bot.chats.set(chatId, chat);
    }
    return chat;
  }

  private isBlocked(bot: BotState, chatId: number): boolean {
    return this.blocked.has(this.blockKey(chatId)) || this.blocked.has(this.blockKey(chatId, bot.registration.token));
  }

  private blockKey(userId: number, bot?: string): string {
    return `${bot === undefined ? '*' : this.bot(bot).registration.token}:${userId}`;
  }

  private bot(tokenOrUsername: string): BotState {
    const byToken = this.bots.get(tokenOrUsername);
    if (byToken) return byToken;
    const username = tokenOrUsername.replace(/^@/, '').toLowerCase();
    for (const bot of this.bots.values()) if (bot.registration.username.toLowerCase() === username) return bot;
    throw new Error(`unknown bot: ${tokenOrUsername}`);
  }

  private notifyDrain(): void {
    this.events.emit('drain');
  }

  private waitForEvent<T>(event: string, predicate: (value: T) => boolean, timeoutMs: number, message: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off(event, onEvent);
        this.events.off('stop', onStop);
      };
      const onEvent = (value: T): void => {
        if (!predicate(value)) return;
        cleanup();
        resolve(value);
      };
      const onStop = (): void => {
        cleanup();
        reject(new Error(`${message}: double stopped`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${message} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on(event, onEvent);
      this.events.on('stop', onStop);
    });
  }
}

/** The chat an update belongs to (the Bot API's per-chat delivery queue); undefined when it has none. */
function updateChatId(update: TgUpdate): number | undefined {
  for (const [kind, payload] of Object.entries(update)) {
    if (kind === 'update_id' || typeof payload !== 'object' || payload === null) continue;
    const fields = payload as { chat?: { id?: unknown }; message?: { chat?: { id?: unknown } } };
    const id = fields.chat?.id ?? fields.message?.chat?.id;
    if (typeof id === 'number') return id;
  }
  return undefined;
}

function ok<T>(result: T): TgApiResponse<T> {
  return { ok: true, result };
}
