import type { FailureCode } from '@switchboard/contracts';
import type { SqlExecutor } from '@switchboard/messaging';
import type { DataSource } from 'typeorm';
import { CHANNEL_WHATSAPP_SCHEMA } from '../channel-whatsapp.config';

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

const T = `"${CHANNEL_WHATSAPP_SCHEMA}".sent_commands`;

export class SentCommandRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(commandId: string): Promise<SendOutcome | undefined> {
    const rows: SentCommandRow[] = await this.dataSource.query(
      `SELECT state, platform_message_id, failure_code, failure_message, created_at FROM ${T} WHERE command_id = $1`,
      [commandId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return row.state === 'sent'
      ? { state: 'sent', platformMessageId: row.platform_message_id!, at: row.created_at }
      : { state: 'failed', code: row.failure_code!, message: row.failure_message ?? 'failed', at: row.created_at };
  }

  /** Inserts inside the caller's transaction; false when another worker stored an outcome first. */
  async insert(executor: SqlExecutor, commandId: string, outcome: SendOutcome): Promise<boolean> {
    const rows = (await executor.query(
      `INSERT INTO ${T} (command_id, state, platform_message_id, failure_code, failure_message, created_at)
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
