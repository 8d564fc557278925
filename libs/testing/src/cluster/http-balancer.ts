import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny HTTP load balancer, the stand-in for a Kubernetes Service or an ingress in cluster tests: requests
 * go round-robin to the registered backends. A backend that refuses the connection (its process is gone)
 * is skipped for the next one, as ingress-nginx's proxy_next_upstream does on connect errors; a request
 * that fails after it was sent (the backend died while handling it) is answered 502 and never replayed,
 * because it may have had effects. The client (Telegram, the gateway) retries, as it would in production.
 * Streaming in both directions, so long polls and large bodies pass unchanged.
 */
export class HttpBalancer {
  private server?: http.Server;
  private backends: string[] = [];
  private next = 0;
  /**
   * A connection per request. With kept-alive upstream connections, a request sent on a connection the
   * backend was closing as idle (its keepAliveTimeout) fails with ECONNRESET; on a loaded machine that reset
   * came too late to tell from a backend dying mid-request, and the balancer answered 502 where the backend
   * would have answered (chaos suite, PostgreSQL cut). Connecting on localhost costs a fraction of a ms.
   */
  private readonly agent = new http.Agent({ keepAlive: false, maxSockets: 256 });
  /** Answers by status ("502", "503", ...) and "refused" (connect errors skipped over). */
  readonly counts = new Map<string, number>();

  constructor(readonly name: string) {}

  async start(): Promise<void> {
    const server = http.createServer((req, res) => this.forward(req, res));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  get url(): string {
    if (!this.server) throw new Error(`${this.name} balancer is not started`);
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Backends as "http://127.0.0.1:port". */
  setBackends(urls: string[]): void {
    this.backends = [...urls];
  }

  add(url: string): void {
    if (!this.backends.includes(url)) this.backends.push(url);
  }

  remove(url: string): void {
    this.backends = this.backends.filter((b) => b !== url);
  }

  get size(): number {
    return this.backends.length;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.agent.destroy();
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private count(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    // The body is buffered so a refused connection can be retried on the next backend.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => this.attempt(req, res, Buffer.concat(chunks), 0));
  }

  private attempt(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, tried: number): void {
    if (this.backends.length === 0 || tried >= this.backends.length) {
      this.count('503');
      res.writeHead(503, { 'content-type': 'text/plain' }).end('no live backend');
      return;
    }
    const backend = new URL(this.backends[this.next++ % this.backends.length] as string);
    const upstream = http.request(
      {
        host: backend.hostname,
        port: backend.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: backend.host, 'content-length': String(body.length) },
        agent: this.agent,
      },
      (answer) => {
        this.count(String(answer.statusCode));
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    let sent = false;
    const startedAt = Date.now();
    upstream.on('socket', (socket) => {
      const markSent = (): void => void (sent = true);
      if (socket.connecting) socket.once('connect', markSent);
      else markSent();
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) return void res.destroy();
      if (!sent && error.code === 'ECONNREFUSED') {
        this.count('refused');
        return this.attempt(req, res, body, tried + 1);
      }
      // A kept-alive connection the backend had just closed as idle: the request never reached it (the
      // retry Node's documentation recommends for reusedSocket).
      if (upstream.reusedSocket && error.code === 'ECONNRESET' && Date.now() - startedAt < 50) {
        this.count('stale');
        return this.attempt(req, res, body, tried);
      }
      this.count('502');
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`${this.name}: upstream failed (${error.code ?? error.message})`);
    });
    // The client went away (e.g. the gateway aborted a long poll): stop the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  }
}
