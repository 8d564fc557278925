import type { DataSource } from 'typeorm';
import type { FeedSubscriber } from '../feed/chat-feed.reader';

/** Who is typing: the chat's customer or an employee. */
export interface TypingActor {
  kind: 'customer' | 'employee';
  id: string;
  name: string;
}

/** One typing report, as the live feed's ephemeral channel carries it to the gateway. */
export interface TypingEntry {
  kind: 'typing';
  chatId: string;
  actor: TypingActor;
  activity: string;
  occurredAt: string;
  expiresAt: string;
  /** The subscribers (of those asked about) who may see it. */
  audience: string[];
}

/** What the presence consumer records: a customer's typing is found by the chat key, an employee's by chat id. */
export type TypingReport =
  | { kind: 'customer'; chatKey: string; activity: string; occurredAt: string; expiresAt: string }
  | { kind: 'employee'; chatId: string; employeeId: string; employeeName: string; activity: string; occurredAt: string; expiresAt: string };

interface TypingRow {
  seq: string;
  chat_id: string;
  actor_kind: 'customer' | 'employee';
  actor_id: string;
  actor_name: string;
  activity: string;
  occurred_at: Date;
  expires_at: Date;
  connection_id: string;
  operator_ids: string[];
}

/** At most this many typing entries per read: a burst beyond it is old news by the next read. */
const READ_LIMIT = 500;

/**
 * chat.typing (decision 0042): the live feed's ephemeral channel. Reports are kept until they expire (a few
 * seconds) and read by sequence number; who may see one is decided at read time by the same rule as the
 * durable feed (admin, member of the chat's connection, operator of the chat), the typing employee excepted.
 * A sequence number that commits after a higher one was read is skipped: that loses one typing hint, which
 * the next report (a few seconds later) replaces; the durable feed's commit-order lock is not worth it here.
 */
export class TypingStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Records the reports whose chat exists and that have not expired; returns how many were recorded. */
  async record(reports: readonly TypingReport[]): Promise<number> {
    if (reports.length === 0) return 0;
    const rows = (await this.dataSource.query(
      // A customer's report names the chat by its key (the connector does not know chat ids); the customer's
      // name is the chat's. A chat not created yet (typing before the first message) has nothing to show.
      `INSERT INTO chat.typing (chat_id, actor_kind, actor_id, actor_name, activity, occurred_at, expires_at)
       SELECT c.id, r.kind, CASE WHEN r.kind = 'customer' THEN c.customer_id ELSE r.employee_id END,
              CASE WHEN r.kind = 'customer' THEN cu.display_name ELSE r.employee_name END, r.activity, r.occurred_at, r.expires_at
       FROM unnest($1::text[], $2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[])
              AS r(kind, chat_key, chat_id, employee_id, employee_name, activity, occurred_at, expires_at)
       JOIN chat.chats c ON (r.kind = 'customer' AND c.chat_key = r.chat_key) OR (r.kind = 'employee' AND c.id = r.chat_id)
       JOIN chat.customers cu ON cu.id = c.customer_id
       WHERE r.expires_at > now()
       RETURNING seq`,
      [
        reports.map((r) => r.kind),
        reports.map((r) => (r.kind === 'customer' ? r.chatKey : null)),
        reports.map((r) => (r.kind === 'employee' ? r.chatId : null)),
        reports.map((r) => (r.kind === 'employee' ? r.employeeId : null)),
        reports.map((r) => (r.kind === 'employee' ? r.employeeName : null)),
        reports.map((r) => r.activity),
        reports.map((r) => r.occurredAt),
        reports.map((r) => r.expiresAt),
      ],
    )) as unknown[];
    return rows.length;
  }

  /** Where a new reader of the ephemeral channel starts: after everything recorded so far. */
  async head(): Promise<string> {
    const rows = (await this.dataSource.query(`SELECT COALESCE(max(seq), 0)::text AS head FROM chat.typing`)) as { head: string }[];
    return rows[0]!.head;
  }

  /** Unexpired reports after `after`, each with the subscribers who may see it; `head` is the cursor for the next read. */
  async read(params: { after: string; subscribers: readonly FeedSubscriber[] }): Promise<{ entries: TypingEntry[]; head: string }> {
    const all = (await this.dataSource.query(
      // Expired rows and rows of deleted chats come back too (then are skipped) so that the cursor moves past them.
      `SELECT t.seq::text AS seq, t.chat_id, t.actor_kind, t.actor_id, t.actor_name, t.activity, t.occurred_at, t.expires_at, c.connection_id, c.operator_ids
       FROM chat.typing t LEFT JOIN chat.chats c ON c.id = t.chat_id
       WHERE t.seq > $1 ORDER BY t.seq LIMIT $2`,
      [params.after, READ_LIMIT],
    )) as (Omit<TypingRow, 'connection_id' | 'operator_ids'> & { connection_id: string | null; operator_ids: string[] | null })[];
    const head = all.length > 0 ? all[all.length - 1]!.seq : params.after;
    const now = Date.now();
    const rows = all.filter((row): row is TypingRow => row.connection_id !== null && new Date(row.expires_at).getTime() > now);
    if (rows.length === 0) return { entries: [], head };
    const operators = params.subscribers.filter((s) => s.role !== 'admin').map((s) => s.employeeId);
    const memberships = new Map<string, Set<string>>();
    if (operators.length > 0) {
      const members = (await this.dataSource.query(`SELECT employee_id, connection_id FROM chat.connection_members WHERE employee_id = ANY($1::uuid[])`, [operators])) as {
        employee_id: string;
        connection_id: string;
      }[];
      for (const m of members) {
        const set = memberships.get(m.employee_id) ?? new Set<string>();
        set.add(m.connection_id);
        memberships.set(m.employee_id, set);
      }
    }
    const maySee = (subscriber: FeedSubscriber, row: TypingRow) =>
      subscriber.role === 'admin' || (memberships.get(subscriber.employeeId)?.has(row.connection_id) ?? false) || row.operator_ids.includes(subscriber.employeeId);
    const entries = rows.map((row) => ({
      kind: 'typing' as const,
      chatId: row.chat_id,
      actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
      activity: row.activity,
      occurredAt: new Date(row.occurred_at).toISOString(),
      expiresAt: new Date(row.expires_at).toISOString(),
      // The typing employee is not told about their own typing.
      audience: params.subscribers
        .filter((s) => !(row.actor_kind === 'employee' && s.employeeId === row.actor_id) && maySee(s, row))
        .map((s) => s.employeeId),
    }));
    return { entries, head };
  }

  /** Drops expired reports (they are never read again); returns how many went. */
  async prune(): Promise<number> {
    const rows = (await this.dataSource.query(`DELETE FROM chat.typing WHERE expires_at < now() - interval '1 minute' RETURNING seq`)) as unknown[];
    return rows.length;
  }
}
