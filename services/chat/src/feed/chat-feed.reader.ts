import type { Envelope } from '@switchboard/contracts';
import { queryRows } from '@switchboard/persistence';
import type { Role } from '@switchboard/service-kit';
import type { DataSource } from 'typeorm';
import type { TypingEntry } from '../typing/typing.store';

export interface FeedSubscriber {
  employeeId: string;
  role: Role;
}

export interface FeedEntry {
  position: string;
  envelope: Envelope;
  /** The subscribers (of those asked about) who may see this event. */
  audience: string[];
  /** W3C traceparent of the write that produced the event, when it was traced (decision 0037). */
  traceparent?: string;
}

export type FeedPage =
  | {
      tooOld: false;
      entries: FeedEntry[];
      head: string;
      /**
       * The ephemeral channel (decision 0042), only when the request asked for it with ephemeralAfter: typing
       * reports, never stored in the feed and never part of a catch-up; ephemeralHead is where the next read
       * of the channel starts.
       */
      ephemeral?: TypingEntry[];
      ephemeralHead?: string;
    }
  | { tooOld: true; prunedThrough: string };

interface FeedRow {
  position: string;
  connection_id: string | null;
  operator_ids: string[] | null;
  only_employee_id: string | null;
  envelope: Envelope;
  traceparent: string | null;
}

/**
 * Reads the live feed for a set of subscribers and decides, here in the chat service, which of them may
 * see each event (the same rule as every query: admin, member of the chat's connection, or operator).
 *
 * A reader that returned position 8 and moved on would never see a 7 committed after it. Writers make that
 * impossible: emitEvents takes a transaction-scoped lock before inserting and holds it to commit, so
 * positions are handed out in commit order and the committed rows are always a prefix of the positions
 * (decision 0012, amendment). Hence no visibility filter here: every committed row is safe to return.
 */
export class ChatFeedReader {
  constructor(private readonly dataSource: DataSource) {}

  /** The position a new live reader starts after: everything up to it is already settled. */
  async head(): Promise<string> {
    const rows = (await this.dataSource.query(
      `SELECT COALESCE(max(position), (SELECT pruned_through FROM chat.feed_horizon WHERE id = 1))::text AS head
       FROM chat.feed`,
    )) as { head: string }[];
    return rows[0]!.head;
  }

  async read(params: { after: string; limit: number; subscribers: readonly FeedSubscriber[] }): Promise<FeedPage> {
    const horizon = (await this.dataSource.query(`SELECT pruned_through::text AS p FROM chat.feed_horizon WHERE id = 1`)) as { p: string }[];
    const prunedThrough = horizon[0]!.p;
    if (BigInt(params.after) < BigInt(prunedThrough)) return { tooOld: true, prunedThrough };

    const rows = (await this.dataSource.query(
      // ORDER BY f.position, not the text alias: positions must sort as numbers.
      `SELECT f.position::text AS position, f.connection_id, f.operator_ids, f.only_employee_id, f.envelope, f.traceparent FROM chat.feed f
       WHERE f.position > $1 ORDER BY f.position LIMIT $2`,
      [params.after, params.limit],
    )) as FeedRow[];
    const head = rows.length > 0 ? rows[rows.length - 1]!.position : params.after;

    const operators = params.subscribers.filter((s) => s.role !== 'admin').map((s) => s.employeeId);
    const memberships = new Map<string, Set<string>>();
    if (operators.length > 0 && rows.length > 0) {
      const members = (await this.dataSource.query(`SELECT employee_id, connection_id FROM chat.connection_members WHERE employee_id = ANY($1::uuid[])`, [
        operators,
      ])) as { employee_id: string; connection_id: string }[];
      for (const m of members) {
        const set = memberships.get(m.employee_id) ?? new Set<string>();
        set.add(m.connection_id);
        memberships.set(m.employee_id, set);
      }
    }
    const maySee = (subscriber: FeedSubscriber, row: FeedRow) =>
      subscriber.role === 'admin' ||
      (row.connection_id !== null && (memberships.get(subscriber.employeeId)?.has(row.connection_id) ?? false)) ||
      (row.operator_ids?.includes(subscriber.employeeId) ?? false);

    const entries = rows.map((row) => ({
      position: row.position,
      envelope: row.envelope,
      audience: params.subscribers
        .filter((s) => (row.only_employee_id === null || row.only_employee_id === s.employeeId) && maySee(s, row))
        .map((s) => s.employeeId),
      ...(row.traceparent ? { traceparent: row.traceparent } : {}),
    }));
    return { tooOld: false, entries, head };
  }

  /** Drops entries older than the retention period and moves the horizon past them. */
  async prune(olderThan: Date): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await queryRows<{ n: number }>(
        manager,
        `WITH gone AS (DELETE FROM chat.feed WHERE created_at < $1 RETURNING position)
         UPDATE chat.feed_horizon SET pruned_through = GREATEST(pruned_through, (SELECT COALESCE(max(position), 0) FROM gone))
         WHERE id = 1 RETURNING (SELECT count(*) FROM gone)::int AS n`,
        [olderThan],
      );
      return rows[0]?.n ?? 0;
    });
  }
}
