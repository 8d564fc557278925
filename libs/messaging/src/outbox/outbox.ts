import type { Logger } from 'pino';
import { toOutgoingRecord, type EventToPublish } from '../event-bus';
import type { BusTransport, OutgoingRecord } from '../transport/bus-transport';

/** Anything that runs SQL inside the caller's transaction (a TypeORM EntityManager or QueryRunner, a pg client). */
export interface SqlExecutor {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** The outbox table every publishing service keeps in its own schema (include it in its first migration). */
export function outboxTableDdl(schema: string): { up: string[]; down: string[] } {
  return {
    up: [
      `CREATE TABLE "${schema}".outbox (id bigserial PRIMARY KEY, topic text NOT NULL, key text NOT NULL,
         value text NOT NULL, headers jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now())`,
    ],
    down: [`DROP TABLE "${schema}".outbox`],
  };
}

/**
 * Writes events in the same transaction as the state change they describe: the event exists if and
 * only if the change committed. The relay publishes them afterwards.
 */
export async function enqueueOutbox(executor: SqlExecutor, schema: string, events: readonly EventToPublish[]): Promise<void> {
  if (events.length === 0) return;
  const insert = outboxInsert(schema, events, 1);
  await executor.query(insert.sql, insert.parameters);
}

/**
 * The outbox INSERT as a statement with its parameters numbered from `firstParameter`, for callers that
 * write more in the same statement (a data-modifying CTE saves a round trip on a hot path).
 */
export function outboxInsert(schema: string, events: readonly EventToPublish[], firstParameter: number): { sql: string; parameters: unknown[] } {
  const records = events.map(toOutgoingRecord);
  const [t, k, v, h] = [0, 1, 2, 3].map((i) => `$${firstParameter + i}`);
  return {
    sql: outboxInsertFrom(schema, `unnest(${t}::text[], ${k}::text[], ${v}::text[], ${h}::text[]) WITH ORDINALITY AS r(topic, key, value, headers, ord)`),
    parameters: [records.map((r) => r.topic), records.map((r) => r.key), records.map((r) => r.value), records.map((r) => JSON.stringify(r.headers ?? {}))],
  };
}

/**
 * The outbox INSERT from any relation with the columns topic, key, value (text), headers (json text) and
 * ord: for a statement that decides in SQL which events exist (the chat service's ingest emits an event
 * only for a message its INSERT stored). Rows go in `ord` order, which is the order the relay publishes.
 */
export function outboxInsertFrom(schema: string, relation: string): string {
  return `INSERT INTO "${schema}".outbox (topic, key, value, headers)
     SELECT topic, key, value, headers::jsonb FROM ${relation} ORDER BY ord`;
}

/** A dedicated database session (connection): session-level advisory locks live as long as it does. */
export interface SqlSession extends SqlExecutor {
  release(): Promise<void>;
}

export interface OutboxRelayOptions {
  schema: string;
  openSession: () => Promise<SqlSession>;
  transport: BusTransport;
  logger: Logger;
  batchSize?: number;
  /** Poll for rows written by other instances; this instance's own writes wake the relay at once. */
  pollIntervalMs?: number;
  /** How often a standby instance tries to become the active relay. */
  standbyRetryMs?: number;
}

/**
 * Moves outbox rows to the bus in id order. Only one relay per schema is active (it holds a session-level
 * advisory lock; a crashed process's lock dies with its connection): two relays taking alternate batches
 * could publish one key's events out of order. No transaction is held while publishing, so the bus may
 * live in the same database. A row is deleted (by id) only after the bus acknowledged it; a crash
 * re-publishes it, which idempotent consumers absorb.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private wakeUp: () => void = () => undefined;
  private pendingWake = false;
  private readonly lockKey: string;

  constructor(private readonly options: OutboxRelayOptions) {
    this.lockKey = `outbox:${options.schema}`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Call after committing a transaction that enqueued events. */
  notify(): void {
    this.pendingWake = true;
    this.wakeUp();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp();
    await this.loop;
  }

  /** Rows waiting to be published: exported as the outbox backlog metric. */
  async backlog(): Promise<number> {
    const session = await this.options.openSession();
    try {
      const rows = (await session.query(`SELECT count(*)::int AS n FROM "${this.options.schema}".outbox`)) as { n: number }[];
      return rows[0]?.n ?? 0;
    } finally {
      await session.release();
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let session: SqlSession | undefined;
      let locked = false;
      let failed = false;
      try {
        session = await this.options.openSession();
        const lock = (await session.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [this.lockKey])) as { ok: boolean }[];
        locked = lock[0]?.ok === true;
        if (locked) await this.relayWhileActive(session);
      } catch (error) {
        this.options.logger.error({ err: error, schema: this.options.schema }, 'outbox relay failed; will retry');
        failed = true;
      } finally {
        // Unlock on every exit, failures included: the session's connection goes back to a pool, and a lock
        // left on it would outlive this turn (held by an idle pooled connection, or stacked by the next
        // pg_try_advisory_lock on the same connection), so no other instance could ever become the relay.
        if (locked) {
          await session?.query(`SELECT pg_advisory_unlock(hashtext($1))`, [this.lockKey]).catch((error: unknown) => {
            this.options.logger.error({ err: error }, 'releasing the outbox relay lock failed');
          });
        }
        await session?.release().catch((error: unknown) => this.options.logger.error({ err: error }, 'releasing the outbox session failed'));
      }
      if (failed) await this.idle(500);
      else if (!locked) await this.idle(this.options.standbyRetryMs ?? 1_000);
    }
  }

  private async relayWhileActive(session: SqlSession): Promise<void> {
    const { schema, batchSize = 1000, pollIntervalMs = 250 } = this.options;
    while (this.running) {
      this.pendingWake = false;
      const rows = (await session.query(`SELECT id, topic, key, value, headers FROM "${schema}".outbox ORDER BY id LIMIT $1`, [batchSize])) as {
        id: string;
        topic: string;
        key: string;
        value: string;
        headers: Record<string, string>;
      }[];
      if (rows.length > 0) {
        const records: OutgoingRecord[] = rows.map((r) => ({ topic: r.topic, key: r.key, value: r.value, headers: r.headers }));
        await this.options.transport.publish(records);
        // By id, not "id <= max": a row with a lower id may have committed after our SELECT.
        await session.query(`DELETE FROM "${schema}".outbox WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
        continue;
      }
      if (!this.pendingWake) await this.idle(pollIntervalMs);
    }
  }

  private idle(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = () => undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
