import type { FailureCode } from '@switchboard/contracts';
import type { SqlExecutor } from '@switchboard/messaging';
import { queryRows } from '@switchboard/persistence';
import type { DataSource } from 'typeorm';
import { CHANNEL_BRIDGE_SCHEMA } from '../channel-bridge.config';

export type DeliveryState = 'pending' | 'sent' | 'failed' | 'dead';

/** One send command and where its delivery to the partner stands. */
export interface DeliveryRecord {
  commandId: string;
  connectionId: string;
  chatKey: string;
  /** The SendMessageRequestedV1 envelope as received (encoded), for the POST body and the result's causation. */
  command: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  platformMessageId: string | null;
  failureCode: FailureCode | null;
  failureMessage: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** A final outcome as it is stored and reported. */
export type FinalOutcome =
  | { state: 'sent'; platformMessageId: string }
  | { state: 'failed' | 'dead'; code: FailureCode; message: string; lastStatus: number | null };

interface DeliveryRow {
  command_id: string;
  connection_id: string;
  chat_key: string;
  command: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: Date;
  last_status: number | null;
  last_error: string | null;
  platform_message_id: string | null;
  failure_code: FailureCode | null;
  failure_message: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const T = `"${CHANNEL_BRIDGE_SCHEMA}".deliveries`;
const COLUMNS = `command_id, connection_id, chat_key, command, state, attempts, next_attempt_at, last_status, last_error,
  platform_message_id, failure_code, failure_message, created_at, finished_at`;

/** The outbound delivery queue and its dead-letter list: one table, the state says which. */
export class DeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(commandId: string): Promise<DeliveryRecord | undefined> {
    const rows = await queryRows<DeliveryRow>(this.dataSource, `SELECT ${COLUMNS} FROM ${T} WHERE command_id = $1`, [commandId]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Queues a command for delivery; false when it was queued before (a redelivered command). */
  async enqueue(executor: SqlExecutor, params: { commandId: string; connectionId: string; chatKey: string; command: string }): Promise<boolean> {
    const rows = await queryRows<{ command_id: string }>(
      executor,
      `INSERT INTO ${T} (command_id, connection_id, chat_key, command, state) VALUES ($1, $2, $3, $4, 'pending')
       ON CONFLICT (command_id) DO NOTHING RETURNING command_id`,
      [params.commandId, params.connectionId, params.chatKey, params.command],
    );
    return rows.length > 0;
  }

  /** Stores a command that fails before any attempt (unknown or disconnected connection). */
  async insertFailed(
    executor: SqlExecutor,
    params: { commandId: string; connectionId: string; chatKey: string; command: string; code: FailureCode; message: string; at: Date },
  ): Promise<boolean> {
    const rows = await queryRows<{ command_id: string }>(
      executor,
      `INSERT INTO ${T} (command_id, connection_id, chat_key, command, state, failure_code, failure_message, finished_at)
       VALUES ($1, $2, $3, $4, 'failed', $5, $6, $7) ON CONFLICT (command_id) DO NOTHING RETURNING command_id`,
      [params.commandId, params.connectionId, params.chatKey, params.command, params.code, params.message, params.at],
    );
    return rows.length > 0;
  }

  /**
   * Leases due deliveries for one attempt each and counts the attempt. Only the oldest pending delivery
   * of each chat is due, so a chat's messages reach the partner in the order operators sent them; a
   * dead-lettered one no longer holds the chat up. SKIP LOCKED and the lease let several instances work
   * the same table; a lease that runs out (the instance died mid-POST) makes the delivery due again.
   */
  async claimDue(params: { limit: number; leaseMs: number }): Promise<DeliveryRecord[]> {
    const rows = await queryRows<DeliveryRow>(
      this.dataSource,
      `UPDATE ${T} SET attempts = attempts + 1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
       WHERE command_id IN (
         SELECT d.command_id FROM ${T} d
         WHERE d.state = 'pending' AND d.next_attempt_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now())
           AND NOT EXISTS (SELECT 1 FROM ${T} e WHERE e.chat_key = d.chat_key AND e.state = 'pending' AND e.seq < d.seq)
         ORDER BY d.next_attempt_at, d.seq
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      [params.limit, params.leaseMs],
    );
    return rows.map(toRecord);
  }

  /**
   * Records the final outcome of the attempt numbered `attempt`, inside the caller's transaction. False
   * when that attempt no longer owns the row (its lease ran out and another attempt took over). `at` is
   * the time the published result carries, stored so a re-published result is identical.
   */
  async finish(executor: SqlExecutor, params: { commandId: string; attempt: number; outcome: FinalOutcome; at: Date }): Promise<boolean> {
    const { commandId, attempt, outcome, at } = params;
    const rows = await queryRows<{ command_id: string }>(
      executor,
      outcome.state === 'sent'
        ? `UPDATE ${T} SET state = 'sent', platform_message_id = $3, lease_until = NULL, last_error = NULL, finished_at = $4
           WHERE command_id = $1 AND attempts = $2 AND state = 'pending' RETURNING command_id`
        : `UPDATE ${T} SET state = $3, failure_code = $4, failure_message = $5, last_error = $5, last_status = $6, lease_until = NULL, finished_at = $7
           WHERE command_id = $1 AND attempts = $2 AND state = 'pending' RETURNING command_id`,
      outcome.state === 'sent'
        ? [commandId, attempt, outcome.platformMessageId, at]
        : [commandId, attempt, outcome.state, outcome.code, outcome.message.slice(0, 2000), outcome.lastStatus, at],
    );
    return rows.length > 0;
  }

  /** Schedules the next attempt after a transient failure. */
  async scheduleRetry(params: { commandId: string; attempt: number; nextAttemptAt: Date; lastStatus: number | null; lastError: string }): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${T} SET next_attempt_at = $3, lease_until = NULL, last_status = $4, last_error = $5
       WHERE command_id = $1 AND attempts = $2 AND state = 'pending'`,
      [params.commandId, params.attempt, params.nextAttemptAt, params.lastStatus, params.lastError.slice(0, 2000)],
    );
  }

  async listDead(params: { connectionId?: string | undefined; limit: number }): Promise<DeliveryRecord[]> {
    const rows = await queryRows<DeliveryRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM ${T} WHERE state = 'dead' AND ($1::uuid IS NULL OR connection_id = $1::uuid)
       ORDER BY finished_at DESC, seq DESC LIMIT $2`,
      [params.connectionId ?? null, params.limit],
    );
    return rows.map(toRecord);
  }

  /**
   * Puts dead letters back in the queue with a fresh attempt budget, due now. Returns the ids that were
   * dead, with their connections; ids that are not (unknown, already replayed, sent) are left alone.
   */
  async replayDead(commandIds: readonly string[], executor: SqlExecutor = this.dataSource): Promise<{ commandId: string; connectionId: string }[]> {
    const rows = await queryRows<{ command_id: string; connection_id: string }>(
      executor,
      `UPDATE ${T} SET state = 'pending', attempts = 0, next_attempt_at = now(), lease_until = NULL,
         failure_code = NULL, failure_message = NULL, finished_at = NULL
       WHERE command_id = ANY($1::uuid[]) AND state = 'dead' RETURNING command_id, connection_id`,
      [commandIds],
    );
    return rows.map((row) => ({ commandId: row.command_id, connectionId: row.connection_id }));
  }

  /** Runs `work` in one transaction (a replay and its audit entries commit together). */
  transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(manager));
  }
}

function toRecord(row: DeliveryRow): DeliveryRecord {
  return {
    commandId: row.command_id,
    connectionId: row.connection_id,
    chatKey: row.chat_key,
    command: row.command,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastStatus: row.last_status,
    lastError: row.last_error,
    platformMessageId: row.platform_message_id,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}
