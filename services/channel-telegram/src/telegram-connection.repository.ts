import type { DataSource } from 'typeorm';
import { CHANNEL_TELEGRAM_SCHEMA } from './channel-telegram.config';

export type TelegramConnectionMode = 'webhook' | 'polling';
export type TelegramConnectionState = 'active' | 'error' | 'disconnected';

export interface TelegramConnectionRecord {
  id: string;
  botId: string;
  botUsername: string;
  displayName: string;
  tokenCiphertext: string;
  webhookSecret: string;
  mode: TelegramConnectionMode;
  /** Next update_id to ask getUpdates for; null until the first batch was saved. */
  pollingOffset: number | null;
  state: TelegramConnectionState;
  lastUpdateAt: Date | null;
  lastError: string | null;
}

interface ConnectionRow {
  id: string;
  bot_id: string;
  bot_username: string;
  display_name: string;
  token_ciphertext: string;
  webhook_secret: string;
  mode: TelegramConnectionMode;
  polling_offset: string | null;
  state: TelegramConnectionState;
  last_update_at: Date | null;
  last_error: string | null;
}

const T = `"${CHANNEL_TELEGRAM_SCHEMA}".connections`;
const COLUMNS = `id, bot_id, bot_username, display_name, token_ciphertext, webhook_secret, mode, polling_offset, state, last_update_at, last_error`;

/** All SQL about connections; plain queries on the service's schema (no ORM entities to keep in sync). */
export class TelegramConnectionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findById(id: string): Promise<TelegramConnectionRecord | undefined> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${T} WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async findByBotId(botId: string): Promise<TelegramConnectionRecord | undefined> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${T} WHERE bot_id = $1`, [botId]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async list(): Promise<TelegramConnectionRecord[]> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${T} ORDER BY created_at, id`);
    return rows.map(toRecord);
  }

  async listActivePolling(): Promise<TelegramConnectionRecord[]> {
    const rows: ConnectionRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM ${T} WHERE mode = 'polling' AND state <> 'disconnected' ORDER BY id`,
    );
    return rows.map(toRecord);
  }

  /**
   * One row per bot: reconnecting a bot updates its row and keeps its id (chat keys stay stable).
   * The polling offset survives a reconnect so no update is read twice.
   */
  async upsert(input: {
    id: string;
    botId: string;
    botUsername: string;
    displayName: string;
    tokenCiphertext: string;
    webhookSecret: string;
    mode: TelegramConnectionMode;
  }): Promise<TelegramConnectionRecord> {
    const rows: ConnectionRow[] = await this.dataSource.query(
      `INSERT INTO ${T} (id, bot_id, bot_username, display_name, token_ciphertext, webhook_secret, mode, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'active')
       ON CONFLICT (bot_id) DO UPDATE SET bot_username = EXCLUDED.bot_username, display_name = EXCLUDED.display_name,
         token_ciphertext = EXCLUDED.token_ciphertext, webhook_secret = EXCLUDED.webhook_secret, mode = EXCLUDED.mode,
         state = 'active', last_error = NULL, updated_at = now()
       RETURNING ${COLUMNS}`,
      [input.id, input.botId, input.botUsername, input.displayName, input.tokenCiphertext, input.webhookSecret, input.mode],
    );
    return toRecord(rows[0]!);
  }

  async setState(id: string, state: TelegramConnectionState, lastError: string | null): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET state = $2, last_error = $3, updated_at = now() WHERE id = $1`, [id, state, lastError]);
  }

  /** Records a failure without reviving a disconnected connection. */
  async recordError(id: string, message: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${T} SET state = 'error', last_error = $2, updated_at = now() WHERE id = $1 AND state <> 'disconnected'`,
      [id, message.slice(0, 2000)],
    );
  }

  async markHealthy(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${T} SET state = 'active', last_error = NULL, updated_at = now() WHERE id = $1 AND state = 'error'`,
      [id],
    );
  }

  /** Saved only after the batch was published: a crash before this re-reads the batch, never skips it. */
  async savePollingOffset(id: string, offset: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${T} SET polling_offset = GREATEST(COALESCE(polling_offset, 0), $2), last_update_at = now(), updated_at = now() WHERE id = $1`,
      [id, offset],
    );
  }

  async touchLastUpdate(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET last_update_at = now() WHERE id = $1`, [id]);
  }
}

function toRecord(row: ConnectionRow): TelegramConnectionRecord {
  return {
    id: row.id,
    botId: String(row.bot_id),
    botUsername: row.bot_username,
    displayName: row.display_name,
    tokenCiphertext: row.token_ciphertext,
    webhookSecret: row.webhook_secret,
    mode: row.mode,
    // update_id is a 32-bit-range integer per Telegram, so a JS number is exact.
    pollingOffset: row.polling_offset === null ? null : Number(row.polling_offset),
    state: row.state,
    lastUpdateAt: row.last_update_at,
    lastError: row.last_error,
  };
}
