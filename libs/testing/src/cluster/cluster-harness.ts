import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startKafkaMockCluster, type KafkaMockCluster } from '../kafka/kafka-mock-cluster';
import { freePort } from '../net/free-port';
import { TcpProxy, proxyAll, type TcpProxyGroup } from '../net/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '../postgres/test-database';
import { TelegramBotApiDouble } from '../telegram/telegram-bot-api.double';
import type { TelegramBotRegistration } from '../telegram/telegram-bot.state';
import { HttpBalancer } from './http-balancer';

/**
 * Cluster mode on one machine as a test harness: the building blocks of scripts/cluster.ts (every service its
 * own `node -r ./scripts/register.js services/<name>/src/main.ts` process, schemas migrated once by
 * scripts/migrate.ts, librdkafka's mock Kafka cluster, short Kafka fetch waits and session timeouts) plus
 * what a chaos test needs to break things the way production breaks:
 *
 * - PostgreSQL is reached through one TcpProxy (`pg`): cut() is a database outage for every service, while
 *   the test itself reads the database directly (`directDatabaseUrl`).
 * - Every Kafka broker is reached through a TcpProxy (`kafka`): each service process is started with
 *   net-routes.preload.js, which makes its Kafka client dial the proxies instead of the advertised brokers.
 *   The mock cluster keeps its data in memory, so outages cut the path to it and never stop it.
 * - Instances of a service sit behind an HttpBalancer, the stand-in for a Kubernetes Service: Telegram's
 *   webhook deliveries reach the channel-telegram instances through `ingress`, the gateway reaches the chat
 *   instances through another. Killing an instance removes it from its balancer; starting one adds it.
 * - The platform is the Telegram Bot API double, delivering webhooks one update per chat at a time and
 *   retrying failed deliveries, as Telegram does.
 *
 * Services not on the messaging path (crm, tasks, files, other channels) are not started (seven more
 * processes polling Kafka would cost the two cores more than the test itself): the gateway's URLs for them
 * point at a stub that is healthy, serves an empty live feed (the gateway polls the tasks feed for
 * reminders) and answers 503 to everything else, so only queries touching those subgraphs fail.
 */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
const PRELOAD = resolve(__dirname, 'net-routes.preload.js');
const OUTPUT_TAIL_CHARS = 30_000;

/** A test run that dies must not leave service processes behind. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => liveChildren.forEach((child) => child.kill('SIGKILL')));

export type ClusterService = 'identity' | 'chat' | 'channel-telegram' | 'gateway';

const ENTRY: Record<ClusterService, string> = {
  identity: 'services/identity/src/main.ts',
  chat: 'services/chat/src/main.ts',
  'channel-telegram': 'services/channel-telegram/src/main.ts',
  gateway: 'gateway/src/main.ts',
};
/** Schemas the started services own (scripts/migrate.ts arguments). */
const SCHEMAS = ['identity', 'chat', 'channel_telegram'];

/** Every service folder with an entry point (as scripts/cluster.ts finds them): the gateway wants a URL for each subgraph. */
function allServices(): string[] {
  const dir = join(REPO_ROOT, 'services');
  return readdirSync(dir).filter((name) => existsSync(join(dir, name, 'src', 'main.ts')));
}

export interface ClusterMember {
  /** "chat#2" */
  name: string;
  service: ClusterService;
  port: number;
  url: string;
  pid: number;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** When /ready first answered 200 (ms since the epoch). */
  readyAt?: number;
  output(): string;
}

export interface ClusterHarnessOptions {
  /** Instances to start per service (default: identity 1, chat 2, channel-telegram 2, gateway 1). */
  instances?: Partial<Record<ClusterService, number>>;
  admin?: { email: string; password: string };
  bot?: TelegramBotRegistration;
  /** Extra environment for every service (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
  /** Pause between failed webhook deliveries of the Telegram double (default 100 ms). */
  webhookRetryDelayMs?: number;
  /** Prints what the harness does (start, kill, cut) with timestamps. */
  log?: (line: string) => void;
}

export const DEFAULT_ADMIN = { email: 'admin@switchboard.test', password: 'correct-horse-battery' };
export const DEFAULT_BOT: TelegramBotRegistration = { token: '777001:CHAOS-token', id: 777001, username: 'switchboard_chaos_bot', firstName: 'Chaos' };

export class ClusterHarness {
  readonly members: ClusterMember[] = [];
  readonly telegram: TelegramBotApiDouble;
  readonly ingress = new HttpBalancer('channel-telegram');
  readonly chatService = new HttpBalancer('chat');
  readonly admin: { email: string; password: string };
  readonly bot: TelegramBotRegistration;
  pg!: TcpProxy;
  kafka!: TcpProxyGroup;
  private database!: TestDatabase;
  private kafkaCluster!: KafkaMockCluster;
  private readonly secrets = { jwt: randomBytes(32).toString('hex'), credentials: randomBytes(32).toString('base64') };
  private readonly counters = new Map<ClusterService, number>();
  private readonly cleanups: (() => Promise<void>)[] = [];
  private readonly started = Date.now();
  private absent?: { url: string; stop(): Promise<void> };

  private constructor(private readonly options: ClusterHarnessOptions) {
    this.admin = options.admin ?? DEFAULT_ADMIN;
    this.bot = options.bot ?? DEFAULT_BOT;
    this.telegram = new TelegramBotApiDouble({ webhookRetryDelayMs: options.webhookRetryDelayMs ?? 100, webhookOrderPerChat: true });
  }

  static async start(options: ClusterHarnessOptions = {}): Promise<ClusterHarness> {
    const harness = new ClusterHarness(options);
    try {
      await harness.boot();
    } catch (error) {
      await harness.stop().catch(() => undefined);
      throw error;
    }
    return harness;
  }

  /** The database as the test sees it: directly, not through the proxy the services use. */
  get directDatabaseUrl(): string {
    return this.database.url;
  }

  get jwtSecret(): string {
    return this.secrets.jwt;
  }

  get gateway(): ClusterMember {
    const gateway = this.live('gateway')[0];
    if (!gateway) throw new Error('no gateway is running');
    return gateway;
  }

  /** Running members of a service, oldest first. */
  live(service: ClusterService): ClusterMember[] {
    return this.members.filter((m) => m.service === service && m.child.exitCode === null && m.child.signalCode === null);
  }

  log(line: string): void {
    this.options.log?.(`[${((Date.now() - this.started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  }

  private async boot(): Promise<void> {
    this.database = await createTestDatabase('chaos');
    this.cleanups.push(() => this.database.drop());
    this.kafkaCluster = await startKafkaMockCluster({ brokers: 3 });
    this.cleanups.push(() => this.kafkaCluster.stop());
    this.kafka = await proxyAll(this.kafkaCluster.brokers);
    this.cleanups.push(() => this.kafka.stop());
    const db = new URL(this.database.url);
    this.pg = new TcpProxy({ targetHost: db.hostname, targetPort: Number(db.port || 5432) });
    await this.pg.start();
    this.cleanups.push(() => this.pg.stop());
    await this.telegram.start();
    this.cleanups.push(() => this.telegram.stop());
    this.telegram.registerBot(this.bot);
    await this.ingress.start();
    this.cleanups.push(() => this.ingress.stop());
    await this.chatService.start();
    this.cleanups.push(() => this.chatService.stop());
    this.absent = await startAbsentServices();
    const absent = this.absent;
    this.cleanups.push(() => absent.stop());
    // Processes are stopped before everything they are connected to.
    this.cleanups.push(() => this.killAll());

    const migrate = this.spawn('migrate', 'scripts/migrate.ts', this.commonEnv(), SCHEMAS);
    const migrated = await migrate.exited;
    if (migrated.code !== 0) throw new Error(`migrations failed (${JSON.stringify(migrated)}):\n${migrate.output()}`);
    this.log(`migrated ${SCHEMAS.join(', ')}; Kafka ${this.kafkaCluster.brokers.join(',')} via ${this.kafka.addresses.join(',')}; PostgreSQL via ${this.pg.address}`);

    const instances = { identity: 1, chat: 2, 'channel-telegram': 2, gateway: 1, ...this.options.instances };
    await this.startMany('identity', instances.identity);
    await this.startMany('chat', instances.chat);
    await this.startMany('channel-telegram', instances['channel-telegram']);
    await this.startMany('gateway', instances.gateway);
  }

  private async startMany(service: ClusterService, count: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => this.startInstance(service)));
  }

  private commonEnv(): Record<string, string> {
    const db = new URL(this.database.url);
    db.host = this.pg.address;
    return {
      DATABASE_URL: db.toString(),
      JWT_SECRET: this.secrets.jwt,
      CREDENTIALS_KEY: this.secrets.credentials,
      KAFKA_BROKERS: this.kafkaCluster.brokers.join(','),
      SWITCHBOARD_TEST_NET_ROUTES: this.kafkaCluster.brokers
        .map((broker, i) => `${broker}=${this.kafka.addresses[i] as string}`)
        .join(','),
      // The mock cluster does not wake a waiting fetch when data arrives (../shared/ARCHITECTURE.md): a hop
      // waits up to this for the next poll, and every idle consumer of the eight processes polls this often.
      KAFKA_MAX_WAIT_MS: '50',
      // A killed instance's partitions move after this.
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_COMMIT_INTERVAL_MS: '500',
      // A webhook whose update cannot reach Kafka answers 503 after this (Telegram retries).
      KAFKA_PUBLISH_TIMEOUT_MS: '2000',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...this.options.env,
    };
  }

  private serviceEnv(service: ClusterService, port: number): Record<string, string> {
    const env: Record<string, string> = { ...this.commonEnv(), PORT: String(port) };
    if (service === 'identity') Object.assign(env, { ADMIN_EMAIL: this.admin.email, ADMIN_PASSWORD: this.admin.password });
    if (service === 'chat') env.DATABASE_POOL_SIZE = '4';
    if (service === 'channel-telegram') Object.assign(env, { TELEGRAM_API_BASE_URL: this.telegram.baseUrl, PUBLIC_WEBHOOK_BASE_URL: this.ingress.url });
    if (service === 'gateway') {
      const identity = this.live('identity')[0];
      Object.assign(env, {
        IDENTITY_SUBGRAPH_URL: `${identity ? identity.url : 'http://127.0.0.1:1'}/graphql`,
        CHAT_SUBGRAPH_URL: `${this.chatService.url}/graphql`,
        CHANNEL_TELEGRAM_SUBGRAPH_URL: `${this.ingress.url}/graphql`,
      });
      for (const other of allServices().filter((name) => !(name in ENTRY))) {
        env[`${other.toUpperCase().replace(/-/g, '_')}_SUBGRAPH_URL`] = `${this.absent?.url as string}/graphql`;
      }
    }
    return env;
  }

  /** Starts one more instance of a service (on a new port) and waits until /ready answers 200. */
  async startInstance(service: ClusterService, options: { port?: number } = {}): Promise<ClusterMember> {
    const index = (this.counters.get(service) ?? 0) + 1;
    this.counters.set(service, index);
    const port = options.port ?? (await freePort());
    const member = this.spawn(`${service}#${index}`, ENTRY[service], this.serviceEnv(service, port), [], service, port);
    this.members.push(member);
    await this.waitReady(member);
    this.balancerOf(service)?.add(member.url);
    this.log(`${member.name} ready (pid ${member.pid}, port ${port})`);
    return member;
  }

  /** SIGKILL (crash) or SIGTERM (graceful stop, e.g. scale-in); the member leaves its balancer first. */
  async kill(member: ClusterMember, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.balancerOf(member.service)?.remove(member.url);
    if (member.child.exitCode === null && member.child.signalCode === null) member.child.kill(signal);
    const escalate = signal === 'SIGKILL' ? undefined : setTimeout(() => member.child.kill('SIGKILL'), 30_000);
    const result = await member.exited;
    if (escalate) clearTimeout(escalate);
    this.log(`${member.name} ${signal === 'SIGKILL' ? 'killed (SIGKILL)' : `stopped (${signal})`}: exit ${JSON.stringify(result)}`);
  }

  /** A crashed process comes back the way an orchestrator restarts it: same service, same port. */
  async restart(member: ClusterMember): Promise<ClusterMember> {
    if (member.child.exitCode === null && member.child.signalCode === null) await this.kill(member);
    const index = this.members.indexOf(member);
    if (index >= 0) this.members.splice(index, 1);
    const port = member.port;
    const env = this.serviceEnv(member.service, port);
    const again = this.spawn(member.name, ENTRY[member.service], env, [], member.service, port);
    this.members.push(again);
    await this.waitReady(again);
    this.balancerOf(member.service)?.add(again.url);
    this.log(`${again.name} restarted (pid ${again.pid})`);
    return again;
  }

  async stop(): Promise<void> {
    const errors: unknown[] = [];
    for (const cleanup of this.cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'the cluster harness did not stop cleanly');
  }

  /** Last output lines of every member, for failure messages. */
  outputs(): string {
    return this.members.map((m) => `--- ${m.name} ---\n${m.output().slice(-4_000)}`).join('\n');
  }

  private balancerOf(service: ClusterService): HttpBalancer | undefined {
    return service === 'channel-telegram' ? this.ingress : service === 'chat' ? this.chatService : undefined;
  }

  private async killAll(): Promise<void> {
    for (const member of this.members) if (member.child.exitCode === null && member.child.signalCode === null) member.child.kill('SIGKILL');
    await Promise.all(this.members.map((m) => m.exited));
  }

  private async waitReady(member: ClusterMember, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (member.child.exitCode !== null || member.child.signalCode !== null) {
        throw new Error(`${member.name} exited before it was ready:\n${member.output()}`);
      }
      try {
        const response = await fetch(`${member.url}/ready`, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (response.ok) {
          member.readyAt = Date.now();
          return;
        }
      } catch {
        // not listening yet
      }
      await new Promise((done) => setTimeout(done, 200));
    }
    throw new Error(`${member.name} was not ready within ${timeoutMs / 1000} s:\n${member.output()}`);
  }

  private spawn(name: string, entry: string, env: Record<string, string>, args: string[] = [], service: ClusterService = 'gateway', port = 0): ClusterMember {
    // The test runner's NODE_OPTIONS (jest's vm modules) are not the service's.
    const { NODE_OPTIONS: _nodeOptions, ...inherited } = process.env;
    const child = spawn(process.execPath, ['-r', './scripts/register.js', '-r', PRELOAD, entry, ...args], {
      cwd: REPO_ROOT,
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const append = (chunk: Buffer): void => {
      tail += chunk.toString('utf8');
      if (tail.length > OUTPUT_TAIL_CHARS * 2) tail = tail.slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
    liveChildren.add(child);
    void exited.then(() => liveChildren.delete(child));
    return { name, service, port, url: `http://127.0.0.1:${port}`, pid: child.pid as number, child, exited, output: () => tail.slice(-OUTPUT_TAIL_CHARS) };
  }
}

/** The stand-in for the subgraphs a harness does not start (see the class comment). */
async function startAbsentServices(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      if (req.url === '/internal/feed') {
        let body: { after?: string; waitMs?: number } = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as typeof body;
        } catch {
          body = {};
        }
        const answer = (): void => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tooOld: false, entries: [], head: body.after ?? '0' }));
        const timer = setTimeout(answer, Math.min(body.waitMs ?? 0, 5_000));
        res.on('close', () => clearTimeout(timer));
        return;
      }
      res.writeHead(503, { 'content-type': 'text/plain' }).end('not started by the cluster harness');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
