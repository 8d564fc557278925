import type { SqlExecutor } from '@switchboard/messaging';
import type { DataSource } from 'typeorm';
import { CHANNEL_TELEGRAM_USER_SCHEMA } from '../channel-telegram-user.config';

export type TelegramUserConnectionState = 'active' | 'error' | 'disconnected';

export interface TelegramUserConnectionRecord {
  id: string;
  accountUserId: string;
  phone: string;
  username: string | null;
  displayName: string;
  sessionCiphertext: string;
  state: TelegramUserConnectionState;
  lastEventAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  lastMessageId: number | null;
}

/** A customer as last described by Telegram. */
export interface PeerRecord {
  userId: string;
  accessHash: string | null;
  displayName: string;
  username: string | null;
  phone: string | null;
  languageCode: string | null;
}

interface ConnectionRow {
  id: string;
  account_user_id: string;
  phone: string;
  username: string | null;
  display_name: string;
  session_ciphertext: string;
  state: TelegramUserConnectionState;
  last_event_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  last_message_id: string | null;
}

const S = `"${CHANNEL_TELEGRAM_USER_SCHEMA}"`;
const COLUMNS = `id, account_user_id, phone, username, display_name, session_ciphertext, state, last_event_at, last_error, last_error_at, last_message_id`;

/** All SQL about accounts and their peers. */
export class TelegramUserConnectionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** For writes outside a caller's transaction. */
  get executor(): SqlExecutor {
    return this.dataSource;
  }

  async findById(id: string): Promise<TelegramUserConnectionRecord | undefined> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${S}.connections WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async findByAccountUserId(accountUserId: string): Promise<TelegramUserConnectionRecord | undefined> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${S}.connections WHERE account_user_id = $1`, [accountUserId]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async list(): Promise<TelegramUserConnectionRecord[]> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${S}.connections ORDER BY created_at, id`);
    return rows.map(toRecord);
  }

  /** Accounts that should have a live client somewhere. */
  async listActiveIds(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(`SELECT id FROM ${S}.connections WHERE state = 'active' ORDER BY id`);
    return rows.map((r) => r.id);
  }

  /** One row per account: logging in again replaces the session and keeps the id. */
  async upsert(
    executor: SqlExecutor,
    input: Pick<TelegramUserConnectionRecord, 'id' | 'accountUserId' | 'phone' | 'username' | 'displayName' | 'sessionCiphertext'>,
  ): Promise<TelegramUserConnectionRecord> {
    const rows = (await executor.query(
      `INSERT INTO ${S}.connections (id, account_user_id, phone, username, display_name, session_ciphertext, state)
       VALUES ($1, $2, $3, $4, $5, $6, 'active')
       ON CONFLICT (account_user_id) DO UPDATE SET phone = EXCLUDED.phone, username = EXCLUDED.username, display_name = EXCLUDED.display_name,
         session_ciphertext = EXCLUDED.session_ciphertext, state = 'active', last_error = NULL, last_error_at = NULL, updated_at = now()
       RETURNING ${COLUMNS}`,
      [input.id, input.accountUserId, input.phone, input.username, input.displayName, input.sessionCiphertext],
    )) as ConnectionRow[];
    return toRecord(rows[0]!);
  }

  async setState(id: string, state: TelegramUserConnectionState): Promise<void> {
    await this.dataSource.query(`UPDATE ${S}.connections SET state = $2, last_error = NULL, last_error_at = NULL, updated_at = now() WHERE id = $1`, [id, state]);
  }

  /** Flags an account an admin must look at (session revoked, banned), without reviving a disconnected one. */
  async markBroken(id: string, message: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${S}.connections SET state = 'error', last_error = $2, last_error_at = now(), updated_at = now() WHERE id = $1 AND state <> 'disconnected'`,
      [id, message.slice(0, 2000)],
    );
  }

  /** Records a passing problem (lost connection, failed back-fill) for the health view; the state stays. */
  async noteError(id: string, message: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${S}.connections SET last_error = $2, last_error_at = now() WHERE id = $1`, [id, message.slice(0, 2000)]);
  }

  async findPeer(connectionId: string, userId: string): Promise<PeerRecord | undefined> {
    const rows: Array<{ user_id: string; access_hash: string | null; display_name: string; username: string | null; phone: string | null; language_code: string | null }> =
      await this.dataSource.query(
        `SELECT user_id, access_hash, display_name, username, phone, language_code FROM ${S}.peers WHERE connection_id = $1 AND user_id = $2`,
        [connectionId, userId],
      );
    const row = rows[0];
    return row
      ? { userId: row.user_id, accessHash: row.access_hash, displayName: row.display_name, username: row.username, phone: row.phone, languageCode: row.language_code }
      : undefined;
  }

  /** Keeps what Telegram last told about each user; an access hash once known is never forgotten. */
  async upsertPeers(executor: SqlExecutor, connectionId: string, peers: readonly PeerRecord[]): Promise<void> {
    if (peers.length === 0) return;
    await executor.query(
      `INSERT INTO ${S}.peers AS p (connection_id, user_id, access_hash, display_name, username, phone, language_code)
       SELECT $1, u, h, n, un, ph, l FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(u, h, n, un, ph, l)
       ON CONFLICT (connection_id, user_id) DO UPDATE SET access_hash = COALESCE(EXCLUDED.access_hash, p.access_hash),
         display_name = EXCLUDED.display_name, username = COALESCE(EXCLUDED.username, p.username), phone = COALESCE(EXCLUDED.phone, p.phone),
         language_code = COALESCE(EXCLUDED.language_code, p.language_code), updated_at = now()`,
      [
        connectionId,
        peers.map((p) => p.userId),
        peers.map((p) => p.accessHash),
        peers.map((p) => p.displayName),
        peers.map((p) => p.username),
        peers.map((p) => p.phone),
        peers.map((p) => p.languageCode),
      ],
    );
  }

  /** Sets the back-fill cursor when it is unset (first connect): history from before the login is not imported. */
  async initialiseCursor(id: string, messageId: number): Promise<void> {
    await this.dataSource.query(`UPDATE ${S}.connections SET last_message_id = $2 WHERE id = $1 AND last_message_id IS NULL`, [id, messageId]);
  }
}

function toRecord(row: ConnectionRow): TelegramUserConnectionRecord {
  return {
    id: row.id,
    accountUserId: row.account_user_id,
    phone: row.phone,
    username: row.username,
    displayName: row.display_name,
    sessionCiphertext: row.session_ciphertext,
    state: row.state,
    lastEventAt: row.last_event_at,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    lastMessageId: row.last_message_id === null ? null : Number(row.last_message_id),
  };
}
