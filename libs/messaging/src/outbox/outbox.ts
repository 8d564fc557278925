import type { Logger } from 'pino';
import { toOutgoingRecord, type EventToPublish } from '../event-bus';
import { sleep } from '../backoff';
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
  const records = events.map(toOutgoingRecord);
  await executor.query(
    `INSERT INTO "${schema}".outbox (topic, key, value, headers)
     SELECT t, k, v, h::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS r(t, k, v, h, ord) ORDER BY ord`,
    [records.map((r) => r.topic), records.map((r) => r.key), records.map((r) => r.value), records.map((r) => JSON.stringify(r.headers ?? {}))],
  );
}

export interface OutboxRelayOptions {
  schema: string;
  /** Runs `work` in one database transaction with a SqlExecutor bound to it. */
  transaction: <T>(work: (executor: SqlExecutor) => Promise<T>) => Promise<T>;
  transport: BusTransport;
  logger: Logger;
  batchSize?: number;
  /** Poll for rows written by other instances; this instance's own writes wake the relay at once. */
  pollIntervalMs?: number;
}

/**
 * Moves outbox rows to the bus in id order. Only one relay per schema works at a time (a transaction-
 * scoped advisory lock): two relays taking alternate batches could publish one key's events out of order.
 * A row is deleted only after the bus acknowledged it, so a crash re-publishes (consumers are idempotent).
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
    return this.options.transaction(async (executor) => {
      const rows = (await executor.query(`SELECT count(*)::int AS n FROM "${this.options.schema}".outbox`)) as { n: number }[];
      return rows[0]?.n ?? 0;
    });
  }

  private async run(): Promise<void> {
    const poll = this.options.pollIntervalMs ?? 250;
    while (this.running) {
      this.pendingWake = false;
      let outcome: 'published' | 'empty' | 'locked' = 'empty';
      try {
        outcome = await this.publishOneBatch();
      } catch (error) {
        this.options.logger.error({ err: error, schema: this.options.schema }, 'outbox relay failed; will retry');
        await sleep(500);
        continue;
      }
      if (outcome === 'published') continue;
      if (outcome === 'locked') {
        // Another instance is publishing; come back soon so our own rows are not left waiting for the poll.
        await sleep(20);
        continue;
      }
      if (this.pendingWake || !this.running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, poll);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = () => undefined;
    }
  }

  private publishOneBatch(): Promise<'published' | 'empty' | 'locked'> {
    const { schema, batchSize = 1000 } = this.options;
    return this.options.transaction(async (executor) => {
      const lock = (await executor.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok`, [this.lockKey])) as { ok: boolean }[];
      if (!lock[0]?.ok) return 'locked';
      const rows = (await executor.query(
        `SELECT id, topic, key, value, headers FROM "${schema}".outbox ORDER BY id LIMIT $1`,
        [batchSize],
      )) as { id: string; topic: string; key: string; value: string; headers: Record<string, string> }[];
      if (rows.length === 0) return 'empty';
      const records: OutgoingRecord[] = rows.map((r) => ({ topic: r.topic, key: r.key, value: r.value, headers: r.headers }));
      await this.options.transport.publish(records);
      await executor.query(`DELETE FROM "${schema}".outbox WHERE id <= $1`, [rows[rows.length - 1]!.id]);
      return 'published';
    });
  }
}
