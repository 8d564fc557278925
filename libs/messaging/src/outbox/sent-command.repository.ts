import type { FailureCode } from '@switchboard/contracts';
import type { SqlExecutor } from './outbox';

/** The final outcome of one send command, as stored for idempotent redelivery. */
export type SendOutcome =
  | { state: 'sent'; platformMessageId: string; at: Date }
  | { state: 'failed'; code: FailureCode; message: string; at: Date };

interface SentCommandRow {
  state: 'sent' | 'failed';
  platform_message_id: string | null;
  failure_code: FailureCode | null;
  failure_message: string | null;
  created_at: Date;
}

/**
 * The `sent_commands` table of a connector (in its own schema; create it with sentCommandsTableDdl): the
 * outcome of every send command it completed, so a redelivered command re-publishes its result instead
 * of reaching the customer twice. Shared by the connectors that record outcomes after the platform call.
 */
export class SentCommandRepository {
  /** The table, schema-qualified (for the retention job). */
  readonly table: string;

  constructor(
    private readonly executor: SqlExecutor,
    schema: string,
  ) {
    this.table = `"${schema}".sent_commands`;
  }

  async find(commandId: string): Promise<SendOutcome | undefined> {
    const rows = (await this.executor.query(
      `SELECT state, platform_message_id, failure_code, failure_message, created_at FROM ${this.table} WHERE command_id = $1`,
      [commandId],
    )) as SentCommandRow[];
    const row = rows[0];
    if (!row) return undefined;
    return row.state === 'sent'
      ? { state: 'sent', platformMessageId: row.platform_message_id!, at: row.created_at }
      : { state: 'failed', code: row.failure_code!, message: row.failure_message ?? 'failed', at: row.created_at };
  }

  /** Inserts inside the caller's transaction; false when another worker stored an outcome first. */
  async insert(executor: SqlExecutor, commandId: string, outcome: SendOutcome): Promise<boolean> {
    const rows = (await executor.query(
      `INSERT INTO ${this.table} (command_id, state, platform_message_id, failure_code, failure_message, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (command_id) DO NOTHING RETURNING command_id`,
      [
        commandId,
        outcome.state,
        outcome.state === 'sent' ? outcome.platformMessageId : null,
        outcome.state === 'failed' ? outcome.code : null,
        outcome.state === 'failed' ? outcome.message : null,
        outcome.at,
      ],
    )) as unknown[];
    return rows.length > 0;
  }
}

/** DDL of the table SentCommandRepository reads, for a connector's first migration. */
export function sentCommandsTableDdl(schema: string): { up: string[]; down: string[] } {
  return {
    up: [
      `CREATE TABLE "${schema}".sent_commands (
         command_id uuid PRIMARY KEY,
         state text NOT NULL CHECK (state IN ('sent', 'failed')),
         platform_message_id text,
         failure_code text,
         failure_message text,
         created_at timestamptz NOT NULL DEFAULT now(),
         CHECK ((state = 'sent' AND platform_message_id IS NOT NULL) OR (state = 'failed' AND failure_code IS NOT NULL)))`,
    ],
    down: [`DROP TABLE "${schema}".sent_commands`],
  };
}

/** DDL of the index the retention delete (SENT_COMMANDS_RETENTION_HOURS, decision 0056) reads by, for a later migration. */
export function sentCommandsRetentionIndexDdl(schema: string): { up: string[]; down: string[] } {
  return {
    up: [`CREATE INDEX sent_commands_created_at ON "${schema}".sent_commands (created_at)`],
    down: [`DROP INDEX "${schema}".sent_commands_created_at`],
  };
}
