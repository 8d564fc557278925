import { LosslessNumber, parse, stringify } from 'lossless-json';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeViberCallback, nextViberToken, signViberBody, viberCallbacks, type ViberCallbackBody } from './viber-callback.builders';

/** A bot the double knows: its auth token and account info. */
export interface ViberBotRegistration {
  token: string;
  id: string;
  name: string;
  uri?: string;
}

/** One accepted send_message, as the double received it. */
export interface ViberSentRecord {
  botId: string;
  receiver: string;
  messageToken: string;
  body: Record<string, unknown>;
  /**
   * For picture, video and file messages: what the double got from `media` (Viber downloads it for the
   * receiver), or why it could not (Viber still answers status 0; the receiver sees a broken file).
   */
  media?: { bytes: Buffer; contentType: string } | { error: string };
}

interface BotState {
  registration: ViberBotRegistration;
  webhook: string | undefined;
  eventTypes: string[];
  subscribers: Set<string>;
  sent: ViberSentRecord[];
  /** Statuses answered by the next send_message calls, in order (then normal behaviour resumes). */
  injected: Array<{ status: number; message: string }>;
}

/** Viber's status messages for the codes the double produces. */
const STATUS_MESSAGES: Record<number, string> = {
  1: 'invalidUrl',
  2: 'invalidAuthToken',
  3: 'badData',
  6: 'notSubscribed',
  10: 'webhookNotSet',
  11: 'receiverNoSuitableDevice',
  12: 'tooManyRequests',
};

const SENDER_NAME_MAX = 28;
const TEXT_MAX = 7000;

/**
 * In-process stand-in for https://chatapi.viber.com/pa speaking the documented REST wire format
 * (set_webhook with its signed verification callback, get_account_info, send_message with status codes),
 * plus hosted media and helpers to deliver signed callbacks. Point VIBER_API_BASE_URL at `baseUrl`.
 */
export class ViberApiDouble {
  /** Every API call in arrival order. */
  readonly requests: Array<{ method: string; body: unknown }> = [];
  private readonly bots = new Map<string, BotState>();
  private readonly media = new Map<string, { content: Buffer; contentType: string; expired: boolean }>();
  private server?: http.Server;

  constructor(private readonly options: { host?: string; bots?: ViberBotRegistration[] } = {}) {
    for (const bot of options.bots ?? []) this.registerBot(bot);
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, { status: 255, status_message: `double failed: ${String(error)}` });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  get origin(): string {
    if (!this.server) throw new Error('ViberApiDouble is not started');
    return `http://${this.options.host ?? '127.0.0.1'}:${(this.server.address() as AddressInfo).port}`;
  }

  /** The API root, like https://chatapi.viber.com/pa: requests go to `${baseUrl}/<method>`. */
  get baseUrl(): string {
    return `${this.origin}/pa`;
  }

  registerBot(registration: ViberBotRegistration): void {
    if (this.bots.has(registration.token)) throw new Error(`bot token already registered: ${registration.token}`);
    this.bots.set(registration.token, { registration, webhook: undefined, eventTypes: [], subscribers: new Set(), sent: [], injected: [] });
  }

  webhookOf(botToken: string): { url: string | undefined; eventTypes: string[] } {
    const bot = this.bot(botToken);
    return { url: bot.webhook, eventTypes: [...bot.eventTypes] };
  }

  /** Viber's own view of who may be messaged (the connector keeps its own from callbacks). */
  setSubscribed(botToken: string, userId: string, subscribed: boolean): void {
    const bot = this.bot(botToken);
    if (subscribed) bot.subscribers.add(userId);
    else bot.subscribers.delete(userId);
  }

  /** The next send_message calls of the bot answer these statuses, one each. */
  injectSendStatus(botToken: string, ...statuses: number[]): void {
    this.bot(botToken).injected.push(...statuses.map((status) => ({ status, message: STATUS_MESSAGES[status] ?? 'generalError' })));
  }

  sentMessages(botToken: string): ViberSentRecord[] {
    return [...this.bot(botToken).sent];
  }

  /** Hosts bytes like Viber's media CDN; the URL goes into a message callback's `media`. */
  hostMedia(content: Buffer, contentType: string): string {
    const id = randomUUID();
    this.media.set(id, { content, contentType, expired: false });
    return `${this.origin}/media/${id}`;
  }

  /** Makes a hosted media URL answer 403, as Viber's do once expired. */
  expireMedia(url: string): void {
    const entry = this.media.get(url.split('/').pop() ?? '');
    if (entry) entry.expired = true;
  }

  /**
   * POSTs a callback to the bot's webhook, signed as Viber signs it (or with `signature` to forge one).
   * Returns the HTTP status and the response text (the welcome message for conversation_started).
   */
  async deliver(botToken: string, body: ViberCallbackBody | string, options: { signature?: string } = {}): Promise<{ status: number; text: string }> {
    const bot = this.bot(botToken);
    if (!bot.webhook) throw new Error(`bot ${bot.registration.name} has no webhook`);
    const raw = typeof body === 'string' ? body : encodeViberCallback(body);
    const response = await fetch(bot.webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-viber-content-signature': options.signature ?? signViberBody(raw, botToken) },
      body: raw,
    });
    return { status: response.status, text: await response.text() };
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://double').pathname;
    if (req.method === 'GET' && path.startsWith('/media/')) return this.serveMedia(path.slice('/media/'.length), res);
    const method = path.startsWith('/pa/') ? path.slice('/pa/'.length) : undefined;
    if (req.method !== 'POST' || !method) return send(res, 404, { status: 255, status_message: 'not found' });
    const raw = await readBody(req);
    let body: Record<string, unknown>;
    try {
      body = parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      return send(res, 200, status(3));
    }
    this.requests.push({ method, body });
    const token = req.headers['x-viber-auth-token'];
    const bot = typeof token === 'string' ? this.bots.get(token) : undefined;
    if (!bot) return send(res, 200, status(2));
    switch (method) {
      case 'get_account_info':
        return send(res, 200, { ...status(0), ...this.accountInfo(bot) });
      case 'set_webhook':
        return send(res, 200, await this.setWebhook(bot, body));
      case 'send_message':
        return send(res, 200, await this.sendMessage(bot, body));
      default:
        return send(res, 200, { status: 255, status_message: `unknown method ${method}` });
    }
  }

  private accountInfo(bot: BotState): Record<string, unknown> {
    const { id, name, uri } = bot.registration;
    return { id, name, uri: uri ?? name.toLowerCase(), icon: `${this.origin}/icon.png`, category: 'Business', webhook: bot.webhook ?? '', event_types: bot.eventTypes, subscribers_count: bot.subscribers.size };
  }

  /** Like Viber: an empty url removes the webhook; otherwise the URL must answer a signed `webhook` callback with 200. */
  private async setWebhook(bot: BotState, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const url = body['url'];
    if (typeof url !== 'string') return status(4);
    if (url === '') {
      bot.webhook = undefined;
      bot.eventTypes = [];
      return status(0);
    }
    const raw = encodeViberCallback(viberCallbacks.webhook());
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-viber-content-signature': signViberBody(raw, bot.registration.token) },
        body: raw,
      });
      if (response.status !== 200) return { status: 1, status_message: `Result[HttpRequest failed, status ${response.status}]` };
    } catch (error) {
      return { status: 1, status_message: `Result[HttpRequest failed: ${(error as Error).message}]` };
    }
    bot.webhook = url;
    bot.eventTypes = Array.isArray(body['event_types']) ? body['event_types'].map(String) : [];
    return { ...status(0), event_types: bot.eventTypes };
  }

  private async sendMessage(bot: BotState, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const receiver = body['receiver'];
    const sender = body['sender'] as { name?: unknown } | undefined;
    const type = body['type'];
    if (typeof receiver !== 'string' || typeof type !== 'string' || typeof sender?.name !== 'string') return status(4);
    if (sender.name.length > SENDER_NAME_MAX) return { status: 3, status_message: 'sender name too long' };
    if (!bot.webhook) return status(10);
    const injected = bot.injected.shift();
    if (injected) return { status: injected.status, status_message: injected.message };
    if (!bot.subscribers.has(receiver)) return status(6);
    if (type === 'text' && (typeof body['text'] !== 'string' || body['text'].length > TEXT_MAX || body['text'] === '')) return status(3);
    const withMedia = type === 'picture' || type === 'video' || type === 'file';
    if (withMedia && typeof body['media'] !== 'string') return status(4);
    if ((type === 'file' || type === 'video') && (typeof body['size'] !== 'number' && !(body['size'] instanceof LosslessNumber))) return status(4);
    if (type === 'file' && (typeof body['file_name'] !== 'string' || body['file_name'] === '')) return status(4);
    const messageToken = nextViberToken();
    const media = withMedia ? await fetchMedia(body['media'] as string) : undefined;
    bot.sent.push({ botId: bot.registration.id, receiver, messageToken, body, ...(media ? { media } : {}) });
    return { ...status(0), message_token: new LosslessNumber(messageToken), chat_hostname: 'SN-CHAT-01_', billing_status: 1 };
  }

  private serveMedia(id: string, res: http.ServerResponse): void {
    const entry = this.media.get(id);
    if (!entry || entry.expired) {
      res.writeHead(403).end('expired');
      return;
    }
    res.writeHead(200, { 'content-type': entry.contentType, 'content-length': String(entry.content.length) }).end(entry.content);
  }

  private bot(token: string): BotState {
    const bot = this.bots.get(token);
    if (!bot) throw new Error(`unknown Viber bot token ${token}`);
    return bot;
  }
}

function status(code: number): Record<string, unknown> {
  return { status: code, status_message: code === 0 ? 'ok' : (STATUS_MESSAGES[code] ?? 'generalError') };
}

/** Answers like Viber: JSON, with 64-bit tokens as bare integers. */
function send(res: http.ServerResponse, httpStatus: number, body: Record<string, unknown>): void {
  res.writeHead(httpStatus, { 'content-type': 'application/json' }).end(stringify(body));
}

async function fetchMedia(url: string): Promise<{ bytes: Buffer; contentType: string } | { error: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return { error: `GET ${url} answered ${response.status}` };
    return { bytes: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? 'application/octet-stream' };
  } catch (error) {
    return { error: `GET ${url} failed: ${(error as Error).message}` };
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
