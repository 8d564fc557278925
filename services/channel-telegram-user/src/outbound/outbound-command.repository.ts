import { queryRows } from '@switchboard/persistence';
import { DeliveryResultV1, SendMessageRequestedV1, TOPICS, createEnvelope, parseEvent, type Envelope, type FailureCode, type SendMessageRequested } from '@switchboard/contracts';
import { enqueueOutbox, type SqlExecutor } from '@switchboard/messaging';
import type { DataSource } from 'typeorm';
import { CHANNEL_TELEGRAM_USER_SCHEMA, CHANNEL_TELEGRAM_USER_SERVICE } from '../channel-telegram-user.config';

const S = `"${CHANNEL_TELEGRAM_USER_SCHEMA}"`;

/** The final outcome of one send command. */
export type SendOutcome =
  /** otherMessageIds: the further messages a command became (text parts, files), known only when it was just sent. */
  | { state: 'sent'; messageId: number; otherMessageIds?: number[]; at: Date }
  | { state: 'failed'; code: FailureCode; message: string; at: Date };

export type StoredCommandState = { state: 'queued' | 'sending' } | SendOutcome;

export interface ClaimedCommand {
  commandId: string;
  attempts: number;
  envelope: Envelope<SendMessageRequested>;
}

interface Row {
  command_id: string;
  command: Envelope;
  state: 'queued' | 'sending' | 'sent' | 'failed';
  attempts: number;
  message_id: string | null;
  failure_code: FailureCode | null;
  failure_message: string | null;
  completed_at: Date | null;
  queued_at: Date;
}

/**
 * Send commands between the bus and the account's live client. Any instance queues a command; only the
 * account's lease holder claims it ('sending', checked against its fencing token) and completes it together
 * with its DeliveryResultV1 in the outbox, so a command is never sent twice and always gets one result.
 */
export class OutboundCommandRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Undefined when newly queued; otherwise the state it already had (a redelivered command). */
  async enqueue(envelope: Envelope<SendMessageRequested>): Promise<StoredCommandState | undefined> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO ${S}.outbound_commands (command_id, connection_id, chat_key, command, state) VALUES ($1, $2, $3, $4::jsonb, 'queued')
       ON CONFLICT (command_id) DO NOTHING RETURNING command_id`,
      [envelope.data.commandId, envelope.data.connection.id, envelope.data.chatKey, JSON.stringify(envelope)],
    );
    if (inserted.length > 0) return undefined;
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM ${S}.outbound_commands WHERE command_id = $1`, [envelope.data.commandId]);
    return stateOf(rows[0]!);
  }

  /** The oldest queued command of the account, if this holder's lease (by fencing token) is still current. */
  async claimNext(connectionId: string, holder: string, fencingToken: number): Promise<ClaimedCommand | undefined> {
    const rows = await queryRows<Row>(
      this.dataSource,
      `UPDATE ${S}.outbound_commands SET state = 'sending', attempts = attempts + 1
       WHERE command_id = (SELECT command_id FROM ${S}.outbound_commands WHERE connection_id = $1 AND state = 'queued' ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
         AND EXISTS (SELECT 1 FROM ${S}.leases WHERE connection_id = $1 AND holder = $2 AND fencing_token = $3 AND expires_at > now())
       RETURNING *`,
      [connectionId, holder, fencingToken],
    );
    const row = rows[0];
    return row ? { commandId: row.command_id, attempts: row.attempts, envelope: parseEvent(SendMessageRequestedV1, row.command) } : undefined;
  }

  /** Gives a claimed command back when nothing reached Telegram (stopping during a flood wait). */
  async requeue(commandId: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${S}.outbound_commands SET state = 'queued' WHERE command_id = $1 AND state = 'sending'`, [commandId]);
  }

  /** Commands a previous holder claimed and never completed (it crashed or lost its lease mid-send). */
  async interrupted(connectionId: string): Promise<ClaimedCommand[]> {
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM ${S}.outbound_commands WHERE connection_id = $1 AND state = 'sending' ORDER BY seq`, [connectionId]);
    return rows.map((row) => ({ commandId: row.command_id, attempts: row.attempts, envelope: parseEvent(SendMessageRequestedV1, row.command) }));
  }

  /**
   * Completes a command and enqueues its result in one transaction; a sent message is also recorded as the
   * account's own, so its echo is never mirrored. False when it was completed already (by another holder).
   */
  async complete(envelope: Envelope<SendMessageRequested>, outcome: SendOutcome, peerUserId: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await queryRows(
        manager,
        `UPDATE ${S}.outbound_commands SET state = $2, message_id = $3, failure_code = $4, failure_message = $5, completed_at = $6
         WHERE command_id = $1 AND state IN ('queued', 'sending') RETURNING command_id`,
        [
          envelope.data.commandId,
          outcome.state,
          outcome.state === 'sent' ? outcome.messageId : null,
          outcome.state === 'failed' ? outcome.code : null,
          outcome.state === 'failed' ? outcome.message.slice(0, 2000) : null,
          outcome.at,
        ],
      );
      if (rows.length === 0) return false;
      if (outcome.state === 'sent') {
        // Every message the command became is ours: none may come back as an echo (live or back-filled).
        const ids = [outcome.messageId, ...(outcome.otherMessageIds ?? [])];
        await manager.query(
          `INSERT INTO ${S}.messages (connection_id, message_id, peer_user_id, direction, sent_at)
           SELECT $1, id, $3, 'out', $4 FROM unnest($2::bigint[]) AS id ON CONFLICT DO NOTHING`,
          [envelope.data.connection.id, ids, peerUserId, outcome.at],
        );
        await manager.query(`UPDATE ${S}.connections SET last_message_id = GREATEST(COALESCE(last_message_id, 0), $2) WHERE id = $1`, [
          envelope.data.connection.id,
          Math.max(...ids),
        ]);
      }
      await enqueueResult(manager, envelope, outcome);
      return true;
    });
  }

  /** Publishes the stored result again (the command was redelivered after it completed). */
  async republish(envelope: Envelope<SendMessageRequested>, outcome: SendOutcome): Promise<void> {
    await enqueueResult(this.dataSource, envelope, outcome);
  }

  /** A command refused before it was queued (unknown or disconnected account): stored failed with its result. */
  async refuse(envelope: Envelope<SendMessageRequested>, outcome: Extract<SendOutcome, { state: 'failed' }>): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `INSERT INTO ${S}.outbound_commands (command_id, connection_id, chat_key, command, state, failure_code, failure_message, completed_at)
         VALUES ($1, $2, $3, $4::jsonb, 'failed', $5, $6, $7) ON CONFLICT (command_id) DO NOTHING RETURNING command_id`,
        [envelope.data.commandId, envelope.data.connection.id, envelope.data.chatKey, JSON.stringify(envelope), outcome.code, outcome.message, outcome.at],
      )) as unknown[];
      if (rows.length === 0) return false;
      await enqueueResult(manager, envelope, outcome);
      return true;
    });
  }
}

async function enqueueResult(executor: SqlExecutor, command: Envelope<SendMessageRequested>, outcome: SendOutcome): Promise<void> {
  const { commandId, chatKey } = command.data;
  const occurredAt = outcome.at.toISOString();
  const data =
    outcome.state === 'sent'
      ? { state: 'sent' as const, commandId, chatKey, platformMessageId: String(outcome.messageId), occurredAt }
      : { state: 'failed' as const, commandId, chatKey, failure: { code: outcome.code, message: outcome.message }, occurredAt };
  const result = createEnvelope(DeliveryResultV1, data, { producer: CHANNEL_TELEGRAM_USER_SERVICE, key: chatKey, cause: command });
  await enqueueOutbox(executor, CHANNEL_TELEGRAM_USER_SCHEMA, [{ topic: TOPICS.delivery, envelope: result }]);
}

function stateOf(row: Row): StoredCommandState {
  const at = row.completed_at ?? row.queued_at;
  if (row.state === 'sent') return { state: 'sent', messageId: Number(row.message_id), at };
  if (row.state === 'failed') return { state: 'failed', code: row.failure_code!, message: row.failure_message ?? 'failed', at };
  return { state: row.state };
}
