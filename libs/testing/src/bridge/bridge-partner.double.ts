import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { partnerSignatureProblem } from './bridge-signature';

/** One request that reached the partner, whatever it was answered. */
export interface PartnerDelivery {
  at: number;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** The parsed JSON body; undefined when it was not JSON. */
  body: Record<string, unknown> | undefined;
  /** Why the signature was refused; undefined when it verified. */
  signatureProblem: string | undefined;
  /** What the double answered. */
  status: number;
}

/** A scripted answer for the next requests: an HTTP status, or a dropped connection. */
export type PartnerFailure = { status: number; body?: string } | { dropConnection: true };

/**
 * The partner side of a bridge (docs/bridge.md): an HTTP server that receives Switchboard's signed
 * replies, verifies each signature against the shared secret, and records what arrived. It answers 401 to
 * a bad signature, the scripted failures while any are left, and otherwise 200 {"messageId": "..."}.
 */
export class BridgePartnerDouble {
  private server?: Server;
  private secret?: string;
  private failures: PartnerFailure[] = [];
  private nextMessageNumber = 1;
  private readonly hostedFiles = new Map<string, { bytes: Buffer; mimeType: string; failure?: { status: number; times: number } }>();
  readonly deliveries: PartnerDelivery[] = [];
  /** Every GET of a hosted file (the partner's media URLs), in arrival order, with what was answered. */
  readonly fileRequests: { path: string; status: number }[] = [];
  url = '';

  constructor(private readonly options: { toleranceSeconds?: number; path?: string } = {}) {}

  /** Listens on 127.0.0.1 (a random port unless given); `url` is where Switchboard should POST. */
  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${address.port}${this.options.path ?? '/switchboard/replies'}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  }

  /**
   * Serves `bytes` at GET /media/<name> on the double's address, as a partner keeps its customers' files for
   * Switchboard to fetch (docs/bridge.md, `attachments[].url`). Returns the URL.
   */
  hostFile(name: string, bytes: Buffer, mimeType: string): string {
    this.hostedFiles.set(`/media/${encodeURIComponent(name)}`, { bytes, mimeType });
    return `${new URL(this.url).origin}/media/${encodeURIComponent(name)}`;
  }

  /** Makes a hosted file's URL answer `status` (e.g. 404 gone, 503 down) the next `times` requests (default: all). */
  failFile(url: string, status: number, times = Number.POSITIVE_INFINITY): void {
    const file = this.hostedFiles.get(new URL(url).pathname);
    if (file) file.failure = { status, times };
  }

  /** The secret Switchboard gave for this bridge (connectBridge / rotateBridgeSecret). */
  useSecret(secret: string): void {
    this.secret = secret;
  }

  /** The next `times` requests get `failure` instead of being accepted. */
  failNext(times: number, failure: PartnerFailure = { status: 503, body: 'partner is down' }): void {
    for (let i = 0; i < times; i++) this.failures.push(failure);
  }

  /** Every further request fails this way until clearFailures(). */
  failAlways(failure: PartnerFailure = { status: 503, body: 'partner is down' }): void {
    this.failures = new Array<PartnerFailure>(1_000_000).fill(failure);
  }

  clearFailures(): void {
    this.failures = [];
  }

  /** Deliveries that verified and were accepted (2xx), in arrival order. */
  accepted(): PartnerDelivery[] {
    return this.deliveries.filter((d) => d.status >= 200 && d.status < 300);
  }

  /** Every request for one deliveryId (attempts of one reply), in arrival order. */
  attemptsOf(deliveryId: string): PartnerDelivery[] {
    return this.deliveries.filter((d) => d.body?.['deliveryId'] === deliveryId);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://double').pathname;
    if (req.method === 'GET' && path.startsWith('/media/')) return this.serveFile(path, res);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const signatureProblem = this.secret
      ? partnerSignatureProblem({
          secret: this.secret,
          rawBody,
          timestamp: header(req.headers, 'x-switchboard-timestamp'),
          signature: header(req.headers, 'x-switchboard-signature'),
          toleranceSeconds: this.options.toleranceSeconds ?? 300,
        })
      : 'the double was given no secret (useSecret)';
    const record: PartnerDelivery = { at: Date.now(), headers: req.headers, rawBody, body: parseJson(rawBody), signatureProblem, status: 0 };
    this.deliveries.push(record);
    if (req.method !== 'POST') return this.answer(res, record, 405, { error: 'POST only' });
    if (signatureProblem) return this.answer(res, record, 401, { error: signatureProblem });
    const failure = this.failures.shift();
    if (failure && 'dropConnection' in failure) {
      record.status = -1;
      req.socket.destroy();
      return;
    }
    if (failure) return this.answer(res, record, failure.status, failure.body ?? '');
    return this.answer(res, record, 200, { messageId: `partner-${this.nextMessageNumber++}` });
  }

  private serveFile(path: string, res: ServerResponse): void {
    const file = this.hostedFiles.get(path);
    let status = file ? 200 : 404;
    if (file?.failure && file.failure.times > 0) {
      status = file.failure.status;
      file.failure.times -= 1;
    }
    this.fileRequests.push({ path, status });
    if (!file || status !== 200) {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 404 ? 'not found' : 'unavailable');
      return;
    }
    res.writeHead(200, { 'content-type': file.mimeType, 'content-length': String(file.bytes.length) });
    res.end(file.bytes);
  }

  private answer(res: ServerResponse, record: PartnerDelivery, status: number, body: unknown): void {
    record.status = status;
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    // Not JSON: recorded as undefined, and the test looks at rawBody.
    return undefined;
  }
}
