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
  readonly deliveries: PartnerDelivery[] = [];
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
