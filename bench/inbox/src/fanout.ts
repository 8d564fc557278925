import { signAccessToken, type Logger, type Principal } from '@switchboard/service-kit';
import { startSwitchboard } from '@switchboard/standalone';
import { TelegramBotApiDouble, createTestDatabase, employeeChangedEvent, freePort, waitFor } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Client } from 'pg';
import type { FanoutWorkerData, FanoutWorkerMessage, FanoutWorkerRequest } from './fanout-worker';
import { clock, summarise, type LatencySummary } from './percentiles';

export const FANOUT_TARGET_MS = 100;
const ADMIN_LOGIN = { email: 'bench@switchboard.local', password: 'bench-password-123', name: 'Bench Admin' };
const BOT = { token: '434343:BENCH-inbox-token', id: 434343, username: 'switchboard_inbox_bench_bot', firstName: 'Bench' };
/** setConnectionMembers takes at most this many employee ids (the API's list cap). */
const API_MEMBER_LIMIT = 100;

export interface FanoutOptions {
  subscribers: number;
  events: number;
  warmupEvents: number;
}

export interface FanoutResult {
  subscribers: number;
  connectSeconds: number;
  events: number;
  /** From the addNote mutation's HTTP response to the moment the last subscriber had the event. */
  responseToLast: LatencySummary;
  /** From sending the mutation to the last subscriber (includes the mutation itself). */
  sendToLast: LatencySummary;
  /** From sending the mutation to the first subscriber. */
  sendToFirst: LatencySummary;
  mutation: LatencySummary;
  /** Events some subscriber never received within the timeout. */
  incomplete: number;
  membersViaApi: number;
}

/**
 * The whole product in this process (startSwitchboard, as `npm start` and the e2e suites run it) on a
 * throwaway PostgreSQL database with the log bus; a Telegram double provides one chat. `subscribers`
 * operators, members of the chat's connection, listen over graphql-ws from a worker thread; the admin
 * adds notes to the chat, one at a time, and each is timed until the last operator has it.
 */
export async function measureFanout(options: FanoutOptions, logger: Logger, progress: (line: string) => void): Promise<FanoutResult> {
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const db = await createTestDatabase('bench_inbox_fanout');
    cleanups.push(() => db.drop());
    const telegram = new TelegramBotApiDouble();
    await telegram.start();
    cleanups.push(() => telegram.stop());
    telegram.registerBot(BOT);
    const webhookPort = await freePort();
    const jwtSecret = randomBytes(32).toString('hex');
    progress('fan-out: starting Switchboard (standalone composition, PostgreSQL + log bus)');
    const switchboard = await startSwitchboard({
      databaseUrl: db.url,
      jwtSecret,
      credentialsKey: randomBytes(32).toString('base64'),
      telegramApiBaseUrl: telegram.baseUrl,
      publicWebhookBaseUrl: `http://127.0.0.1:${webhookPort}`,
      ports: { channelTelegram: webhookPort },
      admin: ADMIN_LOGIN,
      logger,
    });
    cleanups.push(() => switchboard.stop());
    const url = switchboard.gateway.url;
    const login = (await gql<{ login: { accessToken: string; employee: { id: string } } }>(url, undefined, `mutation($i: LoginInput!) { login(input: $i) { accessToken employee { id } } }`, {
      i: { email: ADMIN_LOGIN.email, password: ADMIN_LOGIN.password },
    })).login;
    const token = login.accessToken;
    await gql(url, token, `mutation($i: ConnectTelegramBotInput!) { connectTelegramBot(input: $i) { connection { id } } }`, { i: { token: BOT.token } });
    await telegram.customer(BOT.token, { id: 777001, firstName: 'Оксана', lastName: 'Коваль' }).sendText('Де моє замовлення?');
    let chat: { id: string; source: { connectionId: string } } | undefined;
    await waitFor(
      async () => {
        const page = await gql<{ chats: { edges: { node: typeof chat }[] } }>(url, token, `{ chats(first: 1) { edges { node { id source { connectionId } } } } }`, {});
        chat = page.chats.edges[0]?.node;
        return chat !== undefined;
      },
      { timeoutMs: 30_000, description: 'the customer chat' },
    );
    const { id: chatId, source } = chat!;

    const operators: Principal[] = Array.from({ length: options.subscribers }, (_, i) => ({ employeeId: randomUUID(), role: 'operator', name: `Operator ${i}` }));
    const viaApi = operators.slice(0, API_MEMBER_LIMIT).map((o) => o.employeeId);
    // Employees written straight into identity's table and announced as identity would (creating 1,000
    // through the API would hash 1,000 passwords): the gateway refuses tokens of employees identity does not
    // know, and the chat service takes only operators it has heard of.
    await addEmployeesDirectly(db.url, operators);
    await switchboard.bus.publish(operators.map((o) => employeeChangedEvent(o)));
    await waitFor(
      async () => {
        const rows = await queryOnce(db.url, `SELECT count(*)::int AS n FROM chat.employees WHERE id = ANY($1::uuid[])`, [operators.map((o) => o.employeeId)]);
        return rows[0]?.n === operators.length;
      },
      { timeoutMs: 30_000, description: 'the operators known to the chat service' },
    );
    await gql(url, token, `mutation($c: ID!, $e: [ID!]!) { setConnectionMembers(connectionId: $c, employeeIds: $e) { connectionId } }`, { c: source.connectionId, e: viaApi });
    await addMembersDirectly(db.url, source.connectionId, login.employee.id, operators.slice(API_MEMBER_LIMIT).map((o) => o.employeeId));
    const tokens = await Promise.all(operators.map((o) => signAccessToken(o, { secret: jwtSecret, ttlSeconds: 3600 })));

    progress(`fan-out: connecting ${options.subscribers} graphql-ws subscribers`);
    const worker = new FanoutWorker({ wsUrl: url.replace(/^http/, 'ws'), tokens, connectConcurrency: 25 }, progress);
    cleanups.push(() => worker.close());
    const connectSeconds = await worker.ready();

    const samples = { responseToLast: [] as number[], sendToLast: [] as number[], sendToFirst: [] as number[], mutation: [] as number[] };
    let incomplete = 0;
    const run = randomBytes(3).toString('hex');
    for (let e = 0; e < options.warmupEvents + options.events; e++) {
      const marker = `fan-out ${run} #${e}`;
      const sentAt = clock();
      await gql(url, token, `mutation($c: ID!, $t: String!) { addNote(chatId: $c, text: $t) { note { id } } }`, { c: chatId, t: marker });
      const respondedAt = clock();
      const receipt = await worker.await(marker, 10_000);
      if (e < options.warmupEvents) continue;
      if (receipt.count < options.subscribers) {
        incomplete++;
        progress(`fan-out: event ${e} reached ${receipt.count} of ${options.subscribers} subscribers`);
        continue;
      }
      samples.responseToLast.push(receipt.last - respondedAt);
      samples.sendToLast.push(receipt.last - sentAt);
      samples.sendToFirst.push(receipt.first - sentAt);
      samples.mutation.push(respondedAt - sentAt);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const summary = (values: number[]) => summarise(values) ?? { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN };
    return {
      subscribers: options.subscribers,
      connectSeconds,
      events: options.events,
      responseToLast: summary(samples.responseToLast),
      sendToLast: summary(samples.sendToLast),
      sendToFirst: summary(samples.sendToFirst),
      mutation: summary(samples.mutation),
      incomplete,
      membersViaApi: viaApi.length,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => progress(`fan-out cleanup failed: ${(error as Error).message}`));
  }
}

/**
 * The rest of the members, written the way ConnectionMembersService writes them: the API replaces a
 * connection's member list and takes at most 100 ids, so 1,000 members cannot be set through it.
 */
async function queryOnce(databaseUrl: string, sql: string, params: unknown[]): Promise<{ n: number }[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<{ n: number }>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Operators who can never log in (no password hashes to that value): their tokens are signed by the benchmark. */
async function addEmployeesDirectly(databaseUrl: string, operators: Principal[]): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO identity.employees (id, email, name, role, password_hash)
       SELECT id, 'fanout-' || id || '@switchboard.bench', name, 'operator', '!' FROM unnest($1::uuid[], $2::text[]) AS o(id, name)`,
      [operators.map((o) => o.employeeId), operators.map((o) => o.name)],
    );
  } finally {
    await client.end();
  }
}

async function addMembersDirectly(databaseUrl: string, connectionId: string, addedBy: string, employeeIds: string[]): Promise<void> {
  if (employeeIds.length === 0) return;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO chat.connection_members (connection_id, employee_id, added_by) SELECT $1, e, $3 FROM unnest($2::uuid[]) AS e ON CONFLICT DO NOTHING`,
      [connectionId, employeeIds, addedBy],
    );
  } finally {
    await client.end();
  }
}

class FanoutWorker {
  private readonly worker: Worker;
  private readonly listeners = new Set<(message: FanoutWorkerMessage) => void>();
  private failure: Error | undefined;

  constructor(data: FanoutWorkerData, progress: (line: string) => void) {
    this.worker = new Worker(join(__dirname, 'fanout-worker.ts'), { workerData: data });
    this.worker.on('message', (message: FanoutWorkerMessage) => {
      if (message.type === 'progress') progress(`fan-out: ${message.connected} subscribers live`);
      if (message.type === 'failed') this.failure = new Error(`subscribers failed: ${message.error}`);
      for (const listener of [...this.listeners]) listener(message);
    });
    this.worker.on('error', (error) => (this.failure = error));
  }

  private next<T extends FanoutWorkerMessage['type']>(type: T, match: (m: Extract<FanoutWorkerMessage, { type: T }>) => boolean = () => true): Promise<Extract<FanoutWorkerMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const listener = (message: FanoutWorkerMessage) => {
        if (message.type === 'failed') {
          this.listeners.delete(listener);
          reject(new Error(`subscribers failed: ${message.error}`));
        } else if (message.type === type && match(message as Extract<FanoutWorkerMessage, { type: T }>)) {
          this.listeners.delete(listener);
          resolve(message as Extract<FanoutWorkerMessage, { type: T }>);
        }
      };
      if (this.failure) return reject(this.failure);
      this.listeners.add(listener);
    });
  }

  async ready(): Promise<number> {
    return (await this.next('ready')).seconds;
  }

  async await(marker: string, timeoutMs: number): Promise<{ count: number; first: number; last: number }> {
    const reply = this.next('received', (m) => m.marker === marker);
    this.worker.postMessage({ type: 'await', marker, timeoutMs } satisfies FanoutWorkerRequest);
    return reply;
  }

  async close(): Promise<void> {
    const closed = this.next('closed');
    this.worker.postMessage({ type: 'close' } satisfies FanoutWorkerRequest);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    await this.worker.terminate();
  }
}

async function gql<T = unknown>(url: string, token: string | undefined, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!body.data || body.errors?.length) throw new Error(`GraphQL ${response.status}: ${JSON.stringify(body.errors)}`);
  return body.data;
}
