import type { FailureCode } from '@switchboard/contracts';
import type { SqlExecutor } from '@switchboard/messaging';
import { queryRows } from '@switchboard/persistence';
import type { DataSource } from 'typeorm';
import { CHANNEL_VIBER_SCHEMA } from './channel-viber.config';

/** The final outcome of one send command. */
export type SendOutcome =
  | { state: 'sent'; messageToken: string; at: Date }
  | { state: 'failed'; code: FailureCode; message: string; at: Date };

/** What is stored about a command: claimed ('sending') before Viber is called, then its outcome. */
export type StoredCommand = { state: 'sending'; since: Date } | SendOutcome;

interface Row {
  state: 'sending' | 'sent' | 'failed';
  message_token: string | null;
  failure_code: FailureCode | null;
  failure_message: string | null;
  created_at: Date;
  completed_at: Date | null;
}

const T = `"${CHANNEL_VIBER_SCHEMA}".sent_commands`;

export class SentCommandRepository {
  /** The table, schema-qualified (for the retention job). */
  readonly table = T;

  constructor(private readonly dataSource: DataSource) {}

  /** Claims the command for sending; undefined when it is new (and now claimed), else what is stored. */
  async claim(commandId: string, connectionId: string): Promise<StoredCommand | undefined> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO ${T} (command_id, connection_id, state) VALUES ($1, $2, 'sending') ON CONFLICT (command_id) DO NOTHING RETURNING command_id`,
      [commandId, connectionId],
    );
    if (inserted.length > 0) return undefined;
    const rows: Row[] = await this.dataSource.query(
      `SELECT state, message_token, failure_code, failure_message, created_at, completed_at FROM ${T} WHERE command_id = $1`,
      [commandId],
    );
    const row = rows[0]!;
    if (row.state === 'sending') return { state: 'sending', since: row.created_at };
    const at = row.completed_at ?? row.created_at;
    return row.state === 'sent'
      ? { state: 'sent', messageToken: row.message_token!, at }
      : { state: 'failed', code: row.failure_code!, message: row.failure_message ?? 'failed', at };
  }

  /** Completes a claimed command in the caller's transaction; false when another worker completed it first. */
  async complete(executor: SqlExecutor, commandId: string, outcome: SendOutcome): Promise<boolean> {
    // queryRows: TypeORM answers UPDATE ... RETURNING with [rows, count], whose length is always 2.
    const rows = await queryRows<{ command_id: string }>(
      executor,
      `UPDATE ${T} SET state = $2, message_token = $3, failure_code = $4, failure_message = $5, completed_at = $6
       WHERE command_id = $1 AND state = 'sending' RETURNING command_id`,
      [
        commandId,
        outcome.state,
        outcome.state === 'sent' ? outcome.messageToken : null,
        outcome.state === 'failed' ? outcome.code : null,
        outcome.state === 'failed' ? outcome.message : null,
        outcome.at,
      ],
    );
    return rows.length > 0;
  }

  /** Gives a claim back when the send stopped before Viber was called, so a redelivery may send it. */
  async release(commandId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM ${T} WHERE command_id = $1 AND state = 'sending'`, [commandId]);
  }
}
