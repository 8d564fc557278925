import type { Envelope } from '@switchboard/contracts';
import { queryRows, type Queryable } from '@switchboard/persistence';
import type { FeedPage, FeedSubscriber } from './live-feed.contract';

/** The feed tables of one service schema: include `up` in a migration of that service. */
export function liveFeedTableDdl(schema: string): { up: string[]; down: string[] } {
  return {
    up: [
      `CREATE TABLE "${schema}".feed (
         position bigserial PRIMARY KEY,
         tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
         audience uuid[] NOT NULL,
         type text NOT NULL,
         envelope jsonb NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now())`,
      `CREATE INDEX feed_created_idx ON "${schema}".feed (created_at)`,
      // The newest position pruned away: a resume from before it cannot be served completely.
      `CREATE TABLE "${schema}".feed_horizon (id int PRIMARY KEY CHECK (id = 1), pruned_through bigint NOT NULL)`,
      `INSERT INTO "${schema}".feed_horizon (id, pruned_through) VALUES (1, 0)`,
    ],
    down: [`DROP TABLE "${schema}".feed_horizon`, `DROP TABLE "${schema}".feed`],
  };
}

/** One event for the live feed and the employees who may see it (fixed when it is written). */
export interface LiveFeedItem {
  envelope: Envelope;
  audience: readonly string[];
}

/**
 * A service's live feed with commit-safe positions (decision 0012), for events whose audience is known when
 * they are written (e.g. a reminder's owner). append() takes a transaction-scoped lock held to commit, so
 * positions are handed out in commit order: the committed rows are always a prefix of the positions and a
 * reader that returned position 8 can never later find a 7 (decision 0012, amendment).
 */
export class LiveFeedStore {
  constructor(
    private readonly db: Queryable,
    private readonly schema: string,
  ) {}

  /** Writes items in the caller's transaction: they exist exactly when the change they describe does. */
  async append(executor: Queryable, items: readonly LiveFeedItem[]): Promise<void> {
    if (items.length === 0) return;
    // Positions in commit order: held to commit, so no position below one a reader returned can appear later.
    await executor.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${this.schema}.feed`]);
    await executor.query(
      `INSERT INTO "${this.schema}".feed (audience, type, envelope)
       SELECT a::uuid[], t, e FROM unnest($1::text[], $2::text[], $3::jsonb[]) WITH ORDINALITY AS i(a, t, e, ord) ORDER BY ord`,
      [items.map((i) => `{${i.audience.join(',')}}`), items.map((i) => i.envelope.type), items.map((i) => JSON.stringify(i.envelope))],
    );
  }

  /** The position a new live reader starts after: everything up to it is already settled. */
  async head(): Promise<string> {
    const rows = await queryRows<{ head: string }>(
      this.db,
      `SELECT COALESCE(max(position), (SELECT pruned_through FROM "${this.schema}".feed_horizon WHERE id = 1))::text AS head
       FROM "${this.schema}".feed`,
    );
    return rows[0]!.head;
  }

  async read(params: { after: string; limit: number; subscribers: readonly FeedSubscriber[] }): Promise<FeedPage> {
    const horizon = await queryRows<{ p: string }>(this.db, `SELECT pruned_through::text AS p FROM "${this.schema}".feed_horizon WHERE id = 1`);
    const prunedThrough = horizon[0]!.p;
    if (BigInt(params.after) < BigInt(prunedThrough)) return { tooOld: true, prunedThrough };
    const rows = await queryRows<{ position: string; audience: string[]; envelope: Envelope }>(
      this.db,
      // ORDER BY f.position, not the text alias: positions must sort as numbers.
      `SELECT f.position::text AS position, f.audience, f.envelope FROM "${this.schema}".feed f
       WHERE f.position > $1 ORDER BY f.position LIMIT $2`,
      [params.after, params.limit],
    );
    const head = rows.length > 0 ? rows[rows.length - 1]!.position : params.after;
    const entries = rows.map((row) => {
      const audience = new Set(row.audience);
      return { position: row.position, envelope: row.envelope, audience: params.subscribers.filter((s) => audience.has(s.employeeId)).map((s) => s.employeeId) };
    });
    return { tooOld: false, entries, head };
  }

  /** Drops entries older than the retention period and moves the horizon past them; returns how many went. */
  async prune(olderThan: Date): Promise<number> {
    const rows = await queryRows<{ n: number }>(
      this.db,
      `WITH gone AS (DELETE FROM "${this.schema}".feed WHERE created_at < $1 RETURNING position),
            moved AS (UPDATE "${this.schema}".feed_horizon SET pruned_through = GREATEST(pruned_through, (SELECT COALESCE(max(position), 0) FROM gone)) WHERE id = 1)
       SELECT count(*)::int AS n FROM gone`,
      [olderThan],
    );
    return rows[0]?.n ?? 0;
  }
}
