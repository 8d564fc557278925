import { Client } from 'pg';
import type { TelegramBotApiDouble } from '../telegram/telegram-bot-api.double';
import type { TelegramCustomer } from '../telegram/telegram-customer';

/**
 * What customers wrote, and the proof of what the chat service stored: for a group of Telegram customers
 * (one private chat each) every message carries its customer and sequence number in its text, so the
 * stored timelines (schema `chat`, read directly) can be checked for lost, duplicated and reordered
 * messages, and each message's latency measured from the customer pressing send to the row's commit-time
 * timestamp (created_at = now() of the storing transaction; same machine, same clock).
 */
export interface LedgerReport {
  label: string;
  sent: number;
  stored: number;
  lost: number;
  duplicated: number;
  /** Messages stored after a later message of the same chat (timeline order: sent_at, then seq). */
  reordered: number;
  /** Latency percentiles in ms (send to stored), when measured. */
  p50?: number;
  p95?: number;
  p99?: number;
  max?: number;
}

export class InboundLedger {
  readonly customers: TelegramCustomer[];
  /** Next sequence number per customer (1-based; nextSeq[i] - 1 messages written). */
  private readonly nextSeq: number[];
  /** Send time (ms) per customer and sequence number. */
  private readonly sentAt: Float64Array[];

  constructor(
    private readonly telegram: TelegramBotApiDouble,
    private readonly botToken: string,
    readonly label: string,
    options: { customers: number; firstCustomerId: number; maxPerCustomer: number },
  ) {
    this.customers = Array.from({ length: options.customers }, (_, i) =>
      telegram.customer(botToken, { id: options.firstCustomerId + i, firstName: `${label} ${i}` }),
    );
    this.nextSeq = this.customers.map(() => 1);
    this.sentAt = this.customers.map(() => new Float64Array(options.maxPerCustomer + 1));
  }

  get sent(): number {
    return this.nextSeq.reduce((sum, next) => sum + next - 1, 0);
  }

  /** One message from every customer. */
  round(): void {
    for (let i = 0; i < this.customers.length; i++) this.write(i);
  }

  write(customer: number): void {
    const seq = this.nextSeq[customer] as number;
    const times = this.sentAt[customer] as Float64Array;
    if (seq >= times.length) throw new Error(`${this.label}: customer ${customer} has no room for message ${seq}`);
    this.nextSeq[customer] = seq + 1;
    times[seq] = Date.now();
    (this.customers[customer] as TelegramCustomer).sendText(`${this.label} c${customer} #${seq}`);
  }

  /**
   * Writes `rounds` rounds, one every `intervalMs`, never letting more than `maxPending` updates wait at the
   * double (a bounded backlog: the mock Kafka cluster drops data beyond 5 MiB per partition). `between`
   * runs after each round (a scenario's chaos hook).
   */
  async stream(options: { rounds: number; intervalMs: number; maxPending?: number; between?: (round: number) => Promise<void> | void }): Promise<void> {
    for (let r = 1; r <= options.rounds; r++) {
      while (options.maxPending !== undefined && this.telegram.pendingUpdates(this.botToken).length > options.maxPending) await sleep(5);
      this.round();
      await options.between?.(r);
      await sleep(options.intervalMs);
    }
  }

  /**
   * How many of this ledger's messages the chat service has stored, exactly: one index-only count per chat
   * (messages_inbound_seq_idx), so the plan stays a walk of these chats' entries whatever the statistics say.
   */
  async storedCount(db: Client): Promise<number> {
    const { rows } = await db.query<{ n: string | null }>(
      `SELECT sum(x.n) AS n FROM chat.chats c
         CROSS JOIN LATERAL (SELECT count(*) AS n FROM chat.messages m
                              WHERE m.chat_id = c.id AND m.kind = 'message' AND m.direction = 'inbound') x
        WHERE c.external_chat_id = ANY($1::text[])`,
      [this.customers.map((c) => String(c.id))],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * How far each chat's stored timeline has got, summed: the sequence number in each chat's newest stored
   * message. One index probe per chat, whatever the table's size, for pacing a long run; equal to
   * storedCount while nothing is lost, duplicated or reordered, which only report() proves.
   */
  async storedProgress(db: Client): Promise<number> {
    const { rows } = await db.query<{ text: string | null }>(
      `SELECT x.text FROM chat.chats c
         CROSS JOIN LATERAL (SELECT m.text FROM chat.messages m
                              WHERE m.chat_id = c.id AND m.kind = 'message' AND m.direction = 'inbound'
                              ORDER BY m.seq DESC LIMIT 1) x
        WHERE c.external_chat_id = ANY($1::text[])`,
      [this.customers.map((c) => String(c.id))],
    );
    const pattern = new RegExp(`^${escapeRegExp(this.label)} c\\d+ #(\\d+)$`);
    return rows.reduce((sum, row) => sum + Number(pattern.exec(row.text ?? '')?.[1] ?? 0), 0);
  }

  /**
   * Waits until every written message is stored (or the timeout passes); resolves with the exact stored
   * count. Paced by storedProgress, then confirmed by storedCount.
   */
  async waitAllStored(db: Client, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && (await this.storedProgress(db)) < this.sent) await sleep(250);
    let stored = await this.storedCount(db);
    while (stored < this.sent && Date.now() < deadline) {
      await sleep(250);
      stored = await this.storedCount(db);
    }
    return stored;
  }

  /** Reads every stored timeline of this ledger's chats and counts what went wrong. */
  async report(db: Client, options: { latency?: boolean } = {}): Promise<LedgerReport> {
    const latencies: number[] = [];
    let stored = 0;
    let lost = 0;
    let duplicated = 0;
    let reordered = 0;
    const byId = new Map(this.customers.map((c, i) => [String(c.id), i]));
    const pattern = new RegExp(`^${escapeRegExp(this.label)} c(\\d+) #(\\d+)$`);
    for (let from = 0; from < this.customers.length; from += 200) {
      const ids = this.customers.slice(from, from + 200).map((c) => String(c.id));
      const { rows } = await db.query<{ external_chat_id: string; text: string | null; stored_ms: string }>(
        `SELECT c.external_chat_id, m.text, (extract(epoch FROM m.created_at) * 1000)::float8 AS stored_ms
           FROM chat.messages m JOIN chat.chats c ON c.id = m.chat_id
          WHERE m.direction = 'inbound' AND c.external_chat_id = ANY($1::text[])
          ORDER BY c.external_chat_id, m.sent_at, m.seq`,
        [ids],
      );
      stored += rows.length;
      const seen = new Map<number, Set<number>>();
      const highest = new Map<number, number>();
      for (const row of rows) {
        const customer = byId.get(row.external_chat_id) as number;
        const match = pattern.exec(row.text ?? '');
        const seq = match && Number(match[1]) === customer ? Number(match[2]) : NaN;
        const set = seen.get(customer) ?? new Set<number>();
        seen.set(customer, set);
        if (Number.isNaN(seq) || set.has(seq)) {
          duplicated += 1;
          continue;
        }
        set.add(seq);
        if (seq < (highest.get(customer) ?? 0)) reordered += 1;
        highest.set(customer, Math.max(seq, highest.get(customer) ?? 0));
        if (options.latency) latencies.push(Number(row.stored_ms) - ((this.sentAt[customer] as Float64Array)[seq] as number));
      }
      for (let i = from; i < Math.min(from + 200, this.customers.length); i++) {
        const written = (this.nextSeq[i] as number) - 1;
        const got = seen.get(i) ?? new Set<number>();
        for (let seq = 1; seq <= written; seq++) if (!got.has(seq)) lost += 1;
      }
    }
    const report: LedgerReport = { label: this.label, sent: this.sent, stored, lost, duplicated, reordered };
    if (options.latency && latencies.length > 0) {
      latencies.sort((a, b) => a - b);
      const at = (q: number): number => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number);
      Object.assign(report, { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: Math.round(latencies[latencies.length - 1] as number) });
    }
    return report;
  }
}

/** A fixed-width text table (for reports printed by the chaos suite and the soak benchmark). */
export function formatTable(rows: Record<string, string | number | undefined>[]): string {
  if (rows.length === 0) return '';
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: string | number | undefined): string => (value === undefined ? '' : String(value));
  const widths = columns.map((col) => Math.max(col.length, ...rows.map((row) => cell(row[col]).length)));
  const line = (values: string[]): string => `| ${values.map((v, i) => v.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(columns), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map((row) => line(columns.map((col) => cell(row[col]))))].join('\n');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
