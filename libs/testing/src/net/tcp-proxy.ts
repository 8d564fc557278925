import net from 'node:net';

// Fault injection for TCP dependencies (Kafka, Postgres, Redis): traffic flows through the proxy
// and a test can cut it to simulate an outage, then restore it to test recovery.
//
// Kafka caveat: clients connect to the bootstrap servers only to learn the brokers' advertised
// addresses from metadata and then connect to those directly, so a proxy in front of the bootstrap
// alone cuts nothing. Cut Kafka by proxying every broker with proxyAll(brokers) and make the client
// dial through the proxies, e.g. kafkajs `socketFactory: ({ host, port, ssl, onConnect }) =>
// net.connect(group.translate(host, port), onConnect)` (ssl ignored in tests).

export interface TcpProxyOptions {
  targetHost: string;
  targetPort: number;
  /** Interface to listen on (default 127.0.0.1). */
  listenHost?: string;
}

export class TcpProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private isCut = false;

  constructor(private readonly options: TcpProxyOptions) {}

  async start(listenPort = 0): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, this.options.listenHost ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  get port(): number {
    if (!this.server) throw new Error('TcpProxy is not started');
    return (this.server.address() as net.AddressInfo).port;
  }

  /** "host:port" clients should dial instead of the target. */
  get address(): string {
    return `${this.options.listenHost ?? '127.0.0.1'}:${this.port}`;
  }

  get target(): string {
    return `${this.options.targetHost}:${this.options.targetPort}`;
  }

  get cutOff(): boolean {
    return this.isCut;
  }

  /** Open client-side connections (each has an upstream twin). */
  get connectionCount(): number {
    return this.sockets.size / 2;
  }

  /**
   * Drops every live connection and, until restore(), accepts new ones only to destroy them: the
   * client sees a reset, like a dead broker, instead of hanging in the listen backlog.
   */
  cut(): void {
    this.isCut = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.isCut = false;
  }

  async stop(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.isCut) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: this.options.targetHost, port: this.options.targetPort });
    this.sockets.add(client);
    this.sockets.add(upstream);
    // Errors are expected here (resets during cut()); both sides simply go away together.
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

export interface TcpProxyGroup {
  proxies: TcpProxy[];
  /** Proxy addresses in the order of the targets (use as bootstrap list). */
  addresses: string[];
  /** Maps a target "host:port" (as advertised by the dependency) to its proxy's host and port. */
  translate(host: string, port: number): { host: string; port: number };
  cut(): void;
  restore(): void;
  stop(): Promise<void>;
}

/** Starts one proxy per "host:port" target; cut()/restore()/stop() act on all of them. */
export async function proxyAll(targets: string[]): Promise<TcpProxyGroup> {
  const proxies: TcpProxy[] = [];
  try {
    for (const target of targets) {
      const { host, port } = splitHostPort(target);
      const proxy = new TcpProxy({ targetHost: host, targetPort: port });
      await proxy.start();
      proxies.push(proxy);
    }
  } catch (error) {
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    throw error;
  }
  const byTarget = new Map(proxies.map((proxy) => [proxy.target, proxy]));
  return {
    proxies,
    addresses: proxies.map((proxy) => proxy.address),
    translate: (host, port) => {
      // Brokers may advertise "localhost" while we were given 127.0.0.1 (or the reverse).
      const proxy = byTarget.get(`${host}:${port}`) ?? byTarget.get(`${normaliseHost(host)}:${port}`);
      return proxy ? { host: '127.0.0.1', port: proxy.port } : { host, port };
    },
    cut: () => proxies.forEach((proxy) => proxy.cut()),
    restore: () => proxies.forEach((proxy) => proxy.restore()),
    stop: async () => {
      await Promise.all(proxies.map((proxy) => proxy.stop()));
    },
  };
}

function splitHostPort(target: string): { host: string; port: number } {
  const index = target.lastIndexOf(':');
  const port = Number(target.slice(index + 1));
  if (index <= 0 || !Number.isInteger(port)) throw new Error(`expected host:port, got "${target}"`);
  return { host: target.slice(0, index), port };
}

function normaliseHost(host: string): string {
  return host === 'localhost' ? '127.0.0.1' : host === '127.0.0.1' ? 'localhost' : host;
}
