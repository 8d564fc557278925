import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local double of Meta's Graph API for the WhatsApp Cloud API, Messenger, Instagram and comments,
 * speaking the documented wire format over HTTP: GET /{phone-number-id}, GET /{waba-id}/phone_numbers,
 * POST /{phone-number-id}/messages, GET /{waba-id}/message_templates, POST /{phone-number-id}/media,
 * GET /{media-id} and the media download URL; Messenger/Instagram attachment CDN URLs (pre-signed, no token,
 * 403 once expired); GET /{page-id} (with instagram_business_account),
 * GET /{ig-id}, GET|POST /{page-id}/subscribed_apps, the Send API POST /{page-id|ig-id}/messages
 * (recipient id or comment_id for private replies: once per comment, within 7 days; sender_action typing_on,
 * typing_off, mark_seen), and public replies
 * POST /{comment-id}/comments (Page: message and/or one photo by attachment_url, which the double downloads like
 * Facebook does) and /{ig-comment-id}/replies (Instagram: message only). Errors use Meta's body: { error: { message, type, code,
 * error_subcode?, error_data: { messaging_product, details }, fbtrace_id } }.
 */
export interface WhatsAppNumberRegistration {
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  accessToken: string;
  /** When given, a request carrying appsecret_proof must carry the right one. */
  appSecret?: string;
}

/** A Facebook Page (Messenger, Page comments), optionally with its linked Instagram professional account. */
export interface PageRegistration {
  pageId: string;
  name: string;
  /** The Page access token. */
  accessToken: string;
  appSecret?: string;
  instagram?: { accountId: string; username: string };
}

/** A comment the double knows, so private replies can be checked (once per comment, within 7 days). */
export interface CommentRegistration {
  commentId: string;
  /** The Page or Instagram account the comment is on. */
  ownerId: string;
  createdAt: Date;
}

/** A Send API call or comment reply the double accepted, as it was posted. */
export interface PagePost {
  /** The node posted to: page id, Instagram account id or comment id. */
  nodeId: string;
  edge: 'messages' | 'comments' | 'replies';
  /** The id the double answered with (message_id or comment id). */
  id: string;
  body: Record<string, unknown>;
  at: Date;
  /**
   * An attachment's bytes as Meta got them: the multipart `filedata` of the send, or what the double fetched from
   * `payload.url` or a comment reply's `attachment_url` (Meta downloads the URL when the message is sent).
   */
  file?: { bytes: Buffer; mimeType: string; fileName?: string };
}

export interface WhatsAppTemplateRegistration {
  name: string;
  language: string;
  status?: 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED';
  category?: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  /** Body text with {{1}}, {{2}} ... placeholders. */
  body: string;
}

/** A message the double accepted, as it was posted. */
export interface SentWhatsAppMessage {
  phoneNumberId: string;
  wamid: string;
  body: Record<string, unknown>;
  at: Date;
}

export interface InjectedGraphError {
  code: number;
  message: string;
  httpStatus?: number;
  subcode?: number;
  details?: string;
  /** How many calls fail (default 1). */
  times?: number;
}

export interface GraphRequestLogEntry {
  method: string;
  path: string;
  status: number;
}

interface StoredMedia {
  id: string;
  phoneNumberId: string;
  mimeType: string;
  bytes: Buffer;
}

const MESSAGE_TYPES = new Set(['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'interactive', 'template', 'reaction']);
const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);
const COMMENT_PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif']);
const COMMENT_PHOTO_MAX_BYTES = 4 * 1024 * 1024;

class GraphError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
    readonly type = 'OAuthException',
    readonly details?: string,
    readonly subcode?: number,
  ) {
    super(message);
  }
}

export class MetaGraphApiDouble {
  readonly sent: SentWhatsAppMessage[] = [];
  readonly requests: GraphRequestLogEntry[] = [];
  private server?: Server;
  private port = 0;
  private readonly numbers = new Map<string, WhatsAppNumberRegistration>();
  private readonly templates = new Map<string, Array<WhatsAppTemplateRegistration & { id: string }>>();
  private readonly revoked = new Set<string>();
  private readonly media = new Map<string, StoredMedia>();
  private readonly cdn = new Map<string, { mimeType: string; bytes: Buffer; signature: string; expired: boolean }>();
  private readonly failures: Array<InjectedGraphError & { left: number }> = [];
  readonly pagePosts: PagePost[] = [];
  private readonly pages = new Map<string, PageRegistration>();
  private readonly comments = new Map<string, CommentRegistration & { privatelyRepliedAt?: Date }>();
  private readonly unsubscribed = new Set<string>();

  constructor(private readonly version = 'v21.0') {}

  get baseUrl(): string {
    if (!this.server) throw new Error('MetaGraphApiDouble is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: String(error), type: 'InternalError', code: 1 } }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  }

  registerWhatsAppNumber(registration: WhatsAppNumberRegistration): void {
    this.numbers.set(registration.phoneNumberId, registration);
  }

  addTemplate(wabaId: string, template: WhatsAppTemplateRegistration): void {
    const list = this.templates.get(wabaId) ?? [];
    list.push({ ...template, id: String(1_000_000 + list.length + Math.floor(Math.random() * 1000)) });
    this.templates.set(wabaId, list);
  }

  /** Meta invalidates the token (password change, revoked system user): every call answers 190. */
  revokeToken(token: string): void {
    this.revoked.add(token);
  }

  /** The next `times` calls to POST /{phone-number-id}/messages fail with this Graph error. */
  failNextSends(error: InjectedGraphError): void {
    this.failures.push({ ...error, left: error.times ?? 1 });
  }

  /** Stores bytes as media of a number (as if uploaded) and returns the media id. */
  addMedia(phoneNumberId: string, mimeType: string, bytes: Buffer): string {
    const id = String(BigInt(`0x${randomBytes(6).toString('hex')}`));
    this.media.set(id, { id, phoneNumberId, mimeType, bytes });
    return id;
  }

  /**
   * Hosts bytes like Meta's CDN does a customer's Messenger/Instagram attachment; the URL goes into a
   * webhook's attachment payload.url. Like the real ones it is pre-signed (oh=, oe=) and needs no token.
   */
  hostCdnMedia(bytes: Buffer, mimeType: string): string {
    const id = randomBytes(9).toString('hex');
    const signature = randomBytes(16).toString('hex');
    this.cdn.set(id, { mimeType, bytes, signature, expired: false });
    const expiry = Math.floor(Date.now() / 1000 + 3 * 24 * 3600).toString(16).toUpperCase();
    return `${this.baseUrl}/cdn/v/t1.15752-9/${id}_n.${mimeType.split('/')[1] ?? 'bin'}?_nc_cat=1&_nc_sid=fc17b8&oh=03_${signature}&oe=${expiry}`;
  }

  /** Makes a CDN URL answer 403 "URL signature expired", as Meta's do once past oe=. */
  expireCdnMedia(url: string): void {
    const entry = this.cdn.get(cdnIdOf(new URL(url).pathname));
    if (entry) entry.expired = true;
  }

  registerPage(registration: PageRegistration): void {
    this.pages.set(registration.pageId, registration);
  }

  registerComment(registration: CommentRegistration): void {
    this.comments.set(registration.commentId, { ...registration });
  }

  /** The app stops being subscribed to the Page's webhooks (Meta unsubscribes after ~1 hour of failed deliveries). */
  unsubscribePage(pageId: string): void {
    this.unsubscribed.add(pageId);
  }

  postsTo(nodeId: string, edge?: PagePost['edge']): PagePost[] {
    return this.pagePosts.filter((p) => p.nodeId === nodeId && (edge === undefined || p.edge === edge));
  }

  /** A media object of a number (uploaded through POST /{phone-number-id}/media or added), by id. */
  mediaById(id: string): { phoneNumberId: string; mimeType: string; bytes: Buffer } | undefined {
    const stored = this.media.get(id);
    return stored ? { phoneNumberId: stored.phoneNumberId, mimeType: stored.mimeType, bytes: stored.bytes } : undefined;
  }

  sentBy(phoneNumberId: string): SentWhatsAppMessage[] {
    return this.sent.filter((s) => s.phoneNumberId === phoneNumberId);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req);
    let status = 200;
    try {
      if (url.pathname.startsWith('/cdn/')) {
        this.serveCdn(url, res);
        return;
      }
      if (url.pathname.startsWith('/media-download/')) {
        const stored = this.media.get(url.pathname.slice('/media-download/'.length));
        if (!stored) throw new GraphError(404, 100, 'Unsupported get request. Object does not exist');
        this.authorise(req, url, this.numbers.get(stored.phoneNumberId));
        res.writeHead(200, { 'content-type': stored.mimeType });
        res.end(stored.bytes);
        return;
      }
      const match = /^\/(v\d+\.\d+)\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
      if (!match) throw new GraphError(400, 100, `Unknown path ${url.pathname}`);
      const [, version, id, edge] = match as unknown as [string, string, string, string | undefined];
      if (version !== this.version) throw new GraphError(400, 2635, `The double serves ${this.version}, not ${version}`);
      const result = await this.route(req, url, id!, edge, body);
      respondJson(res, 200, result);
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      status = error.httpStatus;
      respondJson(res, error.httpStatus, {
        error: {
          message: error.message,
          type: error.type,
          code: error.code,
          ...(error.subcode !== undefined ? { error_subcode: error.subcode } : {}),
          error_data: { messaging_product: 'whatsapp', details: error.details ?? error.message },
          fbtrace_id: randomBytes(8).toString('base64url'),
        },
      });
    } finally {
      this.requests.push({ method: req.method ?? 'GET', path: url.pathname, status });
    }
  }

  private async route(req: IncomingMessage, url: URL, id: string, edge: string | undefined, body: Buffer): Promise<unknown> {
    const method = req.method ?? 'GET';
    const number = this.numbers.get(id);
    const wabaNumbers = [...this.numbers.values()].filter((n) => n.wabaId === id);
    if (method === 'GET' && edge === undefined && number) {
      this.authorise(req, url, number);
      return { id: number.phoneNumberId, display_phone_number: number.displayPhoneNumber, verified_name: number.verifiedName };
    }
    if (method === 'GET' && edge === undefined && this.media.has(id)) {
      const stored = this.media.get(id)!;
      this.authorise(req, url, this.numbers.get(stored.phoneNumberId));
      return {
        messaging_product: 'whatsapp',
        id,
        url: `${this.baseUrl}/media-download/${id}`,
        mime_type: stored.mimeType,
        sha256: createHash('sha256').update(stored.bytes).digest('hex'),
        file_size: stored.bytes.length,
      };
    }
    if (method === 'GET' && edge === 'phone_numbers' && wabaNumbers.length > 0) {
      this.authoriseAny(req, url, wabaNumbers);
      return { data: wabaNumbers.map((n) => ({ id: n.phoneNumberId, display_phone_number: n.displayPhoneNumber, verified_name: n.verifiedName })) };
    }
    if (method === 'GET' && edge === 'message_templates' && wabaNumbers.length > 0) {
      this.authoriseAny(req, url, wabaNumbers);
      return this.templatePage(id, url);
    }
    if (method === 'POST' && edge === 'messages' && number) {
      this.authorise(req, url, number);
      return this.acceptMessage(number, parseJson(body));
    }
    if (method === 'POST' && edge === 'media' && number) {
      this.authorise(req, url, number);
      return this.acceptUpload(req, number, body);
    }
    const page = this.pageOf(id);
    if (page) return await this.routePage(req, url, method, id, edge, body, page);
    const comment = this.comments.get(id);
    if (comment && method === 'POST' && (edge === 'comments' || edge === 'replies')) {
      const owner = this.pageOf(comment.ownerId)!;
      this.authorisePage(req, url, owner);
      const instagram = owner.instagram?.accountId === comment.ownerId;
      if (instagram !== (edge === 'replies')) throw invalidParameter(instagram ? 'Instagram comments take replies on /replies' : 'Page comments take replies on /comments');
      return { id: await this.acceptCommentReply(req, id, edge, body) };
    }
    throw new GraphError(400, 100, `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`, 'GraphMethodException', undefined, 33);
  }

  /**
   * A public reply under a comment, its parameters as a JSON or form (x-www-form-urlencoded) body, as Graph takes
   * either. Facebook's /comments takes `message` and/or one photo by `attachment_url`, which Facebook downloads
   * when the reply is posted (JPEG, PNG or GIF up to 4 MB); `attachment_id` and `attachment_share_url` are other
   * ways the double does not model. Instagram's /replies takes `message` only.
   */
  private async acceptCommentReply(req: IncomingMessage, commentId: string, edge: 'comments' | 'replies', raw: Buffer): Promise<string> {
    const params = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')
      ? Object.fromEntries(new URLSearchParams(raw.toString('utf8')))
      : parseJson(raw);
    const message = params['message'];
    const attachmentUrl = params['attachment_url'];
    if (message !== undefined && (typeof message !== 'string' || message.length === 0 || message.length > 8000)) throw invalidParameter('message must be 1-8000 characters');
    const attachmentParams = ['attachment_url', 'attachment_id', 'attachment_share_url'].filter((name) => params[name] !== undefined);
    if (edge === 'replies') {
      if (attachmentParams.length > 0) throw invalidParameter(`Instagram comment replies take message only, not ${attachmentParams.join(', ')}`);
      if (message === undefined) throw invalidParameter('message must be 1-8000 characters');
      return this.recordPagePost(commentId, edge, params);
    }
    if (attachmentParams.length > 1) throw invalidParameter('a comment takes one attachment: attachment_url, attachment_id or attachment_share_url');
    if (attachmentParams[0] !== undefined && attachmentParams[0] !== 'attachment_url') throw invalidParameter(`the double takes comment photos by attachment_url, not ${attachmentParams[0]}`);
    if (message === undefined && attachmentUrl === undefined) throw invalidParameter('a comment needs message or an attachment');
    let file: PagePost['file'];
    if (attachmentUrl !== undefined) {
      if (typeof attachmentUrl !== 'string' || !/^https?:\/\//.test(attachmentUrl)) throw invalidParameter('attachment_url must be an http(s) URL');
      file = await fetchAttachment(attachmentUrl);
      const type = file.mimeType.split(';')[0]!.trim().toLowerCase();
      if (!COMMENT_PHOTO_TYPES.has(type)) throw invalidParameter(`attachment_url must be a JPEG, PNG or GIF image, not ${type}`);
      if (file.bytes.length > COMMENT_PHOTO_MAX_BYTES) throw invalidParameter(`the photo at attachment_url is ${file.bytes.length} bytes; at most 4 MB`);
    }
    return this.recordPagePost(commentId, edge, params, undefined, file);
  }

  /** The Page a node id belongs to: the Page itself or its Instagram account. */
  private pageOf(id: string): PageRegistration | undefined {
    return this.pages.get(id) ?? [...this.pages.values()].find((p) => p.instagram?.accountId === id);
  }

  private async routePage(req: IncomingMessage, url: URL, method: string, id: string, edge: string | undefined, body: Buffer, page: PageRegistration): Promise<unknown> {
    this.authorisePage(req, url, page);
    const isInstagram = page.instagram?.accountId === id;
    if (method === 'GET' && edge === undefined) {
      if (isInstagram) return { id, username: page.instagram!.username };
      return { id: page.pageId, name: page.name, ...(page.instagram ? { instagram_business_account: { id: page.instagram.accountId } } : {}) };
    }
    if (!isInstagram && edge === 'subscribed_apps') {
      if (method === 'POST') {
        this.unsubscribed.delete(page.pageId);
        return { success: true };
      }
      if (method === 'GET') {
        return { data: this.unsubscribed.has(page.pageId) ? [] : [{ id: '1517776481860111', name: 'Switchboard', subscribed_fields: ['messages', 'feed'] }] };
      }
    }
    if (method === 'POST' && edge === 'messages') {
      if ((req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) return this.acceptSendWithFile(req, id, body);
      return this.acceptSend(id, parseJson(body));
    }
    throw new GraphError(400, 100, `Unsupported ${method} request on ${id}/${edge ?? ''}`, 'GraphMethodException', undefined, 33);
  }

  /**
   * The Send API "upload from file": multipart with recipient, message (JSON), messaging_type, tag and the bytes
   * as `filedata`; the attachment's payload then has no url. Messenger only (Instagram takes attachments by URL).
   */
  private async acceptSendWithFile(req: IncomingMessage, nodeId: string, raw: Buffer): Promise<unknown> {
    const page = this.pageOf(nodeId);
    if (page?.instagram?.accountId === nodeId) throw invalidParameter('Instagram attachments are sent by payload.url, not uploaded');
    const form = await new Request('http://localhost/send', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: raw })
      .formData()
      .catch(() => {
        throw invalidParameter('body must be multipart/form-data');
      });
    const body: Record<string, unknown> = {};
    for (const [name, value] of form.entries()) {
      if (name === 'filedata' || typeof value !== 'string') continue;
      body[name] = name === 'recipient' || name === 'message' ? parseJson(Buffer.from(value)) : value;
    }
    const filedata = form.get('filedata');
    if (!(filedata instanceof Blob)) throw invalidParameter('filedata is required when the attachment is uploaded');
    const file = { bytes: Buffer.from(await filedata.arrayBuffer()), mimeType: filedata.type, ...(filedata instanceof File ? { fileName: filedata.name } : {}) };
    return this.acceptSend(nodeId, body, file);
  }

  /** The Send API (Messenger and Instagram): recipient {id} or {comment_id} (private reply), messaging_type, tag, message. */
  private async acceptSend(nodeId: string, body: Record<string, unknown>, upload?: PagePost['file']): Promise<unknown> {
    const injected = this.failures[0];
    if (injected) {
      if (--injected.left <= 0) this.failures.shift();
      throw new GraphError(injected.httpStatus ?? 400, injected.code, injected.message, 'OAuthException', injected.details, injected.subcode);
    }
    const recipient = body['recipient'] as Record<string, unknown> | undefined;
    const message = body['message'] as Record<string, unknown> | undefined;
    if (!recipient || typeof recipient !== 'object') throw new GraphError(400, 100, 'The parameter recipient is required');
    if (body['sender_action'] !== undefined) return this.acceptSenderAction(nodeId, body, recipient, message);
    if (!message || typeof message !== 'object') throw new GraphError(400, 100, 'The parameter message is required');
    const type = body['messaging_type'];
    if (type !== undefined && type !== 'RESPONSE' && type !== 'UPDATE' && type !== 'MESSAGE_TAG') throw invalidParameter('messaging_type must be RESPONSE, UPDATE or MESSAGE_TAG');
    if (type === 'MESSAGE_TAG' && body['tag'] !== 'HUMAN_AGENT') throw invalidParameter('tag must be HUMAN_AGENT with messaging_type MESSAGE_TAG');
    const text = message['text'];
    const attachment = message['attachment'] as Record<string, unknown> | undefined;
    if ((text === undefined) === (attachment === undefined)) throw invalidParameter('message needs exactly one of text or attachment');
    if (text !== undefined && (typeof text !== 'string' || text.length === 0 || text.length > 2000)) throw invalidParameter('message.text must be 1-2000 characters');
    let file = upload;
    if (attachment !== undefined) {
      const payload = attachment['payload'] as Record<string, unknown> | undefined;
      if (!['image', 'video', 'audio', 'file'].includes(String(attachment['type'])) || (typeof payload?.['url'] !== 'string') === (upload === undefined)) {
        throw invalidParameter('attachment needs type image|video|audio|file and either payload.url or an uploaded filedata');
      }
      if (typeof payload?.['url'] === 'string') file = await fetchAttachment(payload['url']);
    } else if (upload) {
      throw invalidParameter('filedata needs a message.attachment');
    }
    let recipientId = recipient['id'];
    if (typeof recipient['comment_id'] === 'string') {
      const comment = this.comments.get(recipient['comment_id']);
      if (!comment || this.pageOf(comment.ownerId) !== this.pageOf(nodeId)) throw new GraphError(400, 100, 'Invalid comment_id');
      if (comment.privatelyRepliedAt) throw new GraphError(400, 10900, 'Activity already replied to');
      if (Date.now() - comment.createdAt.getTime() >= 7 * 24 * 3_600_000) throw new GraphError(400, 10903, 'This activity can not be replied to');
      comment.privatelyRepliedAt = new Date();
      recipientId = `${recipient['comment_id']}-psid`;
    } else if (typeof recipientId !== 'string' || recipientId.length === 0) {
      throw new GraphError(400, 100, 'No matching user found', 'OAuthException', undefined, 2018001);
    }
    const messageId = `m_${randomBytes(16).toString('base64url')}`;
    this.recordPagePost(nodeId, 'messages', body, messageId, file);
    return { recipient_id: recipientId, message_id: messageId };
  }

  /**
   * A sender action (typing_on, typing_off, mark_seen): recipient {id} only, never with a message. Meta answers
   * { recipient_id } without a message id; the double records it as a post with an empty id.
   */
  private acceptSenderAction(nodeId: string, body: Record<string, unknown>, recipient: Record<string, unknown>, message: unknown): unknown {
    const action = body['sender_action'];
    if (action !== 'typing_on' && action !== 'typing_off' && action !== 'mark_seen') throw invalidParameter('sender_action must be typing_on, typing_off or mark_seen');
    if (message !== undefined) throw invalidParameter('sender_action cannot be sent with message');
    const recipientId = recipient['id'];
    if (typeof recipientId !== 'string' || recipientId.length === 0) throw new GraphError(400, 100, 'No matching user found', 'OAuthException', undefined, 2018001);
    this.recordPagePost(nodeId, 'messages', body, '');
    return { recipient_id: recipientId };
  }

  private recordPagePost(nodeId: string, edge: PagePost['edge'], body: Record<string, unknown>, id = `${nodeId}_${randomBytes(6).toString('hex')}`, file?: PagePost['file']): string {
    this.pagePosts.push({ nodeId, edge, id, body, at: new Date(), ...(file ? { file } : {}) });
    return id;
  }

  private authorisePage(req: IncomingMessage, url: URL, page: PageRegistration): void {
    this.authorise(req, url, { phoneNumberId: page.pageId, wabaId: '', displayPhoneNumber: '', verifiedName: '', accessToken: page.accessToken, ...(page.appSecret ? { appSecret: page.appSecret } : {}) });
  }

  private templatePage(wabaId: string, url: URL): unknown {
    const all = this.templates.get(wabaId) ?? [];
    const limit = Math.min(Number(url.searchParams.get('limit') ?? '25') || 25, 100);
    const start = Number(url.searchParams.get('after') ?? '0') || 0;
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : undefined;
    return {
      data: page.map((t) => ({
        id: t.id,
        name: t.name,
        language: t.language,
        status: t.status ?? 'APPROVED',
        category: t.category ?? 'UTILITY',
        components: [{ type: 'BODY', text: t.body }],
      })),
      paging: { cursors: { before: String(start), after: next ?? String(start + page.length) }, ...(next ? { next: `${url.pathname}?after=${next}` } : {}) },
    };
  }

  private acceptMessage(number: WhatsAppNumberRegistration, body: Record<string, unknown>): unknown {
    const injected = this.failures[0];
    if (injected) {
      if (--injected.left <= 0) this.failures.shift();
      throw new GraphError(injected.httpStatus ?? 400, injected.code, injected.message, 'OAuthException', injected.details, injected.subcode);
    }
    if (body['messaging_product'] !== 'whatsapp') throw invalidParameter('messaging_product must be "whatsapp"');
    const to = body['to'];
    if (typeof to !== 'string' || !/^\+?\d{5,20}$/.test(to)) throw invalidParameter('to must be a phone number / wa_id');
    const type = typeof body['type'] === 'string' ? body['type'] : 'text';
    if (!MESSAGE_TYPES.has(type)) throw new GraphError(400, 131051, 'Unsupported message type');
    const payload = body[type];
    if (typeof payload !== 'object' || payload === null) throw new GraphError(400, 131008, 'Required parameter is missing', 'OAuthException', `${type} is required`);
    const fields = payload as Record<string, unknown>;
    if (type === 'text') {
      if (typeof fields['body'] !== 'string' || fields['body'].length === 0 || fields['body'].length > 4096) throw invalidParameter('text.body must be 1-4096 characters');
    }
    if (MEDIA_TYPES.has(type)) {
      const hasId = typeof fields['id'] === 'string';
      const hasLink = typeof fields['link'] === 'string';
      if (hasId === hasLink) throw invalidParameter(`${type} needs exactly one of id or link`);
      if (hasId && !this.media.has(fields['id'] as string)) throw invalidParameter(`${type}.id is not a media id of this number`);
      if (typeof fields['caption'] === 'string' && fields['caption'].length > 1024) throw invalidParameter('caption is longer than 1024 characters');
    }
    if (type === 'template') this.checkTemplate(number.wabaId, fields);
    const context = body['context'];
    if (context !== undefined && (typeof context !== 'object' || context === null || typeof (context as Record<string, unknown>)['message_id'] !== 'string')) {
      throw invalidParameter('context.message_id must be a message id');
    }
    const wamid = `wamid.${Buffer.from(`${number.phoneNumberId}:${to}:${randomBytes(9).toString('hex')}`).toString('base64')}`;
    this.sent.push({ phoneNumberId: number.phoneNumberId, wamid, body, at: new Date() });
    const waId = to.replace(/^\+/, '');
    return { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: waId }], messages: [{ id: wamid }] };
  }

  private checkTemplate(wabaId: string, fields: Record<string, unknown>): void {
    const language = (fields['language'] as Record<string, unknown> | undefined)?.['code'];
    const template = (this.templates.get(wabaId) ?? []).find((t) => t.name === fields['name'] && t.language === language);
    if (!template || (template.status ?? 'APPROVED') !== 'APPROVED') {
      throw new GraphError(404, 132001, 'Template name does not exist in the translation', 'OAuthException', `template name (${String(fields['name'])}) does not exist in ${String(language)}`);
    }
    const expected = new Set([...template.body.matchAll(/\{\{(\d+)\}\}/g)].map((m) => m[1])).size;
    const components = Array.isArray(fields['components']) ? (fields['components'] as Array<Record<string, unknown>>) : [];
    const bodyParams = components.find((c) => c['type'] === 'body')?.['parameters'];
    const given = Array.isArray(bodyParams) ? bodyParams.length : 0;
    if (given !== expected) {
      throw new GraphError(400, 132000, 'Number of parameters does not match the expected number of params', 'OAuthException', `body: number of localizable_params (${given}) does not match the expected number of params (${expected})`);
    }
  }

  /** Multipart upload (messaging_product, type, file), parsed with the platform's own FormData reader. */
  private async acceptUpload(req: IncomingMessage, number: WhatsAppNumberRegistration, body: Buffer): Promise<unknown> {
    const form = await new Request('http://localhost/upload', {
      method: 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? '' },
      body,
    })
      .formData()
      .catch(() => {
        throw invalidParameter('body must be multipart/form-data');
      });
    if (form.get('messaging_product') !== 'whatsapp') throw invalidParameter('messaging_product must be "whatsapp"');
    const file = form.get('file');
    if (!(file instanceof Blob)) throw new GraphError(400, 131008, 'Required parameter is missing', 'OAuthException', 'file is required');
    const type = String(form.get('type') ?? file.type);
    return { id: this.addMedia(number.phoneNumberId, type, Buffer.from(await file.arrayBuffer())) };
  }

  /** The CDN answers plain text errors, not Graph API JSON; a wrong or missing signature is 403 like an expired one. */
  private serveCdn(url: URL, res: ServerResponse): void {
    const entry = this.cdn.get(cdnIdOf(url.pathname));
    if (!entry) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    if (entry.expired || url.searchParams.get('oh') !== `03_${entry.signature}`) {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end(entry.expired ? 'URL signature expired' : 'Bad URL hash');
      return;
    }
    res.writeHead(200, { 'content-type': entry.mimeType, 'content-length': String(entry.bytes.length) });
    res.end(entry.bytes);
  }

  private authoriseAny(req: IncomingMessage, url: URL, numbers: WhatsAppNumberRegistration[]): void {
    const token = bearer(req);
    const match = numbers.find((n) => n.accessToken === token);
    this.authorise(req, url, match ?? numbers[0]);
  }

  private authorise(req: IncomingMessage, url: URL, number: WhatsAppNumberRegistration | undefined): void {
    const token = bearer(req);
    if (!token || !number || token !== number.accessToken || this.revoked.has(token)) {
      throw new GraphError(401, 190, 'Invalid OAuth access token - Cannot parse access token');
    }
    const proof = url.searchParams.get('appsecret_proof');
    if (proof !== null && number.appSecret && proof !== createHmac('sha256', number.appSecret).update(token).digest('hex')) {
      throw new GraphError(400, 100, 'Invalid appsecret_proof provided in the API argument');
    }
  }
}

/** The id in a CDN path /cdn/v/t1.15752-9/{id}_n.{ext}. */
function cdnIdOf(pathname: string): string {
  return /\/([0-9a-f]+)_n\.[^/]+$/.exec(pathname)?.[1] ?? '';
}

/** Meta downloads an attachment URL when the message is sent; one it cannot fetch fails the send (2018047). */
async function fetchAttachment(url: string): Promise<{ bytes: Buffer; mimeType: string }> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new GraphError(400, 100, 'Upload attachment failure.', 'OAuthException', `could not fetch ${url}: ${(error as Error).message}`, 2018047);
  }
  if (!response.ok) throw new GraphError(400, 100, 'Upload attachment failure.', 'OAuthException', `fetching ${url} answered ${response.status}`, 2018047);
  return { bytes: Buffer.from(await response.arrayBuffer()), mimeType: response.headers.get('content-type') ?? 'application/octet-stream' };
}

/** Meta's "Invalid parameter" answer (code 100). */
function invalidParameter(details: string): GraphError {
  return new GraphError(400, 100, 'Invalid parameter', 'OAuthException', details);
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to Meta's answer for an unreadable body.
  }
  throw invalidParameter('request body must be a JSON object');
}

function respondJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
