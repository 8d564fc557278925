/*
 * Soak benchmark (`npm run bench:soak -- --messages 20000`): pushes N customer messages (default 1,000,000)
 * through cluster mode - every service its own process (identity, chat x2, channel-telegram x2, gateway),
 * PostgreSQL and the mock Kafka cluster behind TCP proxies, Telegram's webhooks through a load balancer
 * (ClusterHarness in @switchboard/testing) - while chat and channel-telegram instances are killed with
 * SIGKILL at random and restarted. Prints lost / duplicated / reordered counts (read from the chat service's
 * tables), throughput and send-to-stored latency percentiles; exits 1 unless all three counts are 0.
 *
 * Options: --messages N, --chats C (default 500), --kill-every S (mean seconds between kills, default 20;
 * 0 = no kills), --window W (messages written but not yet stored, at most; default 2000: a bounded backlog,
 * since the mock cluster silently drops a partition's data beyond 5 MiB), --verbose.
 *
 * Memory: the Telegram double keeps every message and delivery record, about 1 KB per message: 1,000,000
 * messages need roughly 1-2 GB in this process (run with --max-old-space-size=4096).
 */
import { ClusterHarness, InboundLedger, formatTable, type ClusterMember } from '@switchboard/testing';
import { Client } from 'pg';

interface Options {
  messages: number;
  chats: number;
  killEverySeconds: number;
  window: number;
  verbose: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { messages: 1_000_000, chats: 500, killEverySeconds: 20, window: 2_000, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${arg} needs a number`);
      return n;
    };
    if (arg === '--messages') options.messages = Math.floor(value());
    else if (arg === '--chats') options.chats = Math.max(1, Math.floor(value()));
    else if (arg === '--kill-every') options.killEverySeconds = value();
    else if (arg === '--window') options.window = Math.max(1, Math.floor(value()));
    else if (arg === '--verbose') options.verbose = true;
    else throw new Error(`unknown argument ${arg} (see bench/soak/src/main.ts)`);
  }
  return options;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  log(`soak: ${options.messages} messages over ${options.chats} chats, a random kill every ~${options.killEverySeconds} s`);
  const cluster = await ClusterHarness.start({ log: options.verbose ? log : undefined, env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'fatal' } });
  // Ctrl-C stops the services and drops the database instead of leaving them behind.
  const interrupt = (): void => void cluster.stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const db = new Client({ connectionString: cluster.directDatabaseUrl });
  db.on('error', () => undefined);
  let exitCode = 1;
  try {
    await db.connect();
    const gql = async <T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> => {
      const response = await fetch(`${cluster.gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: T; errors?: unknown[] };
      if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data as T;
    };
    const token = (await gql<{ login: { accessToken: string } }>(`mutation($i: LoginInput!) { login(input: $i) { accessToken } }`, { i: cluster.admin })).login.accessToken;
    await gql(`mutation($i: ConnectTelegramBotInput!) { connectTelegramBot(input: $i) { connection { id } } }`, { i: { token: cluster.bot.token } }, token);

    const perChat = Math.ceil(options.messages / options.chats);
    const ledger = new InboundLedger(cluster.telegram, cluster.bot.token, 'soak', { customers: options.chats, firstCustomerId: 5_000_000, maxPerCustomer: perChat });
    const kills: string[] = [];
    let feeding = true;

    // Random kills: a chat or channel-telegram instance, SIGKILL, back after a second (an orchestrator's restart).
    const chaos = (async () => {
      if (options.killEverySeconds <= 0) return;
      while (feeding) {
        await sleep(options.killEverySeconds * 1000 * (0.5 + Math.random()));
        if (!feeding) break;
        const candidates: ClusterMember[] = [...cluster.live('chat'), ...cluster.live('channel-telegram')];
        const victim = candidates[Math.floor(Math.random() * candidates.length)];
        if (!victim) continue;
        await cluster.kill(victim, 'SIGKILL');
        kills.push(victim.name);
        log(`  kill -9 ${victim.name} (${kills.length})`);
        await sleep(1_000);
        await cluster.restart(victim);
      }
    })();

    const started = Date.now();
    let lastReport = started;
    let customer = 0;
    // The backlog is bounded end to end (written but not yet stored), not only at the Telegram double: a
    // Kafka backlog beyond 5 MiB per partition would be dropped by the mock cluster, not by Switchboard.
    let stored = 0;
    let storedAt = 0;
    // Paced by storedProgress (one index probe per chat, whatever the table's size), polled at no more than
    // a tenth of the time: the exact count would read every stored row each time. The report is exact.
    let pollEveryMs = 250;
    while (ledger.sent < options.messages) {
      if (Date.now() - storedAt >= pollEveryMs) {
        const countStarted = Date.now();
        stored = await ledger.storedProgress(db);
        storedAt = Date.now();
        pollEveryMs = Math.max(250, 10 * (storedAt - countStarted));
      }
      const room = options.window - (ledger.sent - stored);
      if (room <= 0) {
        await sleep(20);
      } else {
        for (let k = 0; k < Math.min(room, 200) && ledger.sent < options.messages; k++) {
          ledger.write(customer);
          customer = (customer + 1) % options.chats;
        }
        await sleep(1);
      }
      if (Date.now() - lastReport >= 10_000) {
        lastReport = Date.now();
        log(`  ${((Date.now() - started) / 1000).toFixed(0)} s: written ${ledger.sent}, stored ${stored} (${Math.round(stored / ((Date.now() - started) / 1000))} msg/s, count every ${pollEveryMs} ms)`);
      }
    }
    feeding = false;
    await chaos;
    stored = await ledger.waitAllStored(db, 300_000);
    const seconds = (Date.now() - started) / 1000;
    await sleep(2_000);
    const report = await ledger.report(db, { latency: true });
    const table = formatTable([
      {
        messages: report.sent,
        chats: options.chats,
        stored: report.stored,
        lost: report.lost,
        duplicated: report.duplicated,
        reordered: report.reordered,
        kills: kills.length,
        'msg/s': Math.round(stored / seconds),
        'p50 ms': report.p50,
        'p95 ms': report.p95,
        'p99 ms': report.p99,
        'max ms': report.max,
        seconds: Math.round(seconds),
      },
    ]);
    log(`\nkilled: ${kills.join(', ') || 'none'}\n${table}`);
    exitCode = report.lost === 0 && report.duplicated === 0 && report.reordered === 0 && report.stored === report.sent ? 0 : 1;
  } finally {
    await db.end().catch(() => undefined);
    await cluster.stop().catch((error: unknown) => log(`cluster did not stop cleanly: ${String(error)}`));
  }
  process.exit(exitCode);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
