import type { DataSource } from 'typeorm';
import { CHANNEL_VIBER_SCHEMA } from './channel-viber.config';

export type ViberConnectionState = 'active' | 'error' | 'disconnected';

export interface ViberConnectionRecord {
  id: string;
  accountId: string;
  accountName: string;
  uri: string | null;
  displayName: string;
  senderName: string;
  welcomeMessage: string | null;
  tokenCiphertext: string;
  state: ViberConnectionState;
  lastEventAt: Date | null;
  lastError: string | null;
}

interface ConnectionRow {
  id: string;
  account_id: string;
  account_name: string;
  uri: string | null;
  display_name: string;
  sender_name: string;
  welcome_message: string | null;
  token_ciphertext: string;
  state: ViberConnectionState;
  last_event_at: Date | null;
  last_error: string | null;
}

const T = `"${CHANNEL_VIBER_SCHEMA}".connections`;
const SUBSCRIBERS = `"${CHANNEL_VIBER_SCHEMA}".subscribers`;
const COLUMNS = `id, account_id, account_name, uri, display_name, sender_name, welcome_message, token_ciphertext, state, last_event_at, last_error`;

/** All SQL about connections and their subscribers; plain queries on the service's schema. */
export class ViberConnectionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findById(id: string): Promise<ViberConnectionRecord | undefined> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${T} WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async findByAccountId(accountId: string): Promise<ViberConnectionRecord | undefined> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${T} WHERE account_id = $1`, [accountId]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async list(): Promise<ViberConnectionRecord[]> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${T} ORDER BY created_at, id`);
    return rows.map(toRecord);
  }

  /** One row per bot account: reconnecting keeps the id, and with it every chat key of the bot. */
  async upsert(input: Omit<ViberConnectionRecord, 'state' | 'lastEventAt' | 'lastError'>): Promise<ViberConnectionRecord> {
    const rows: ConnectionRow[] = await this.dataSource.query(
      `INSERT INTO ${T} (id, account_id, account_name, uri, display_name, sender_name, welcome_message, token_ciphertext, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active')
       ON CONFLICT (account_id) DO UPDATE SET account_name = EXCLUDED.account_name, uri = EXCLUDED.uri,
         display_name = EXCLUDED.display_name, sender_name = EXCLUDED.sender_name, welcome_message = EXCLUDED.welcome_message,
         token_ciphertext = EXCLUDED.token_ciphertext, state = 'active', last_error = NULL, updated_at = now()
       RETURNING ${COLUMNS}`,
      [input.id, input.accountId, input.accountName, input.uri, input.displayName, input.senderName, input.welcomeMessage, input.tokenCiphertext],
    );
    return toRecord(rows[0]!);
  }

  async setState(id: string, state: ViberConnectionState, lastError: string | null): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET state = $2, last_error = $3, updated_at = now() WHERE id = $1`, [id, state, lastError]);
  }

  /** Flags a connection an admin must look at, without reviving a disconnected one. */
  async recordError(id: string, message: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${T} SET state = 'error', last_error = $2, updated_at = now() WHERE id = $1 AND state <> 'disconnected'`,
      [id, message.slice(0, 2000)],
    );
  }

  async touchLastEvent(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET last_event_at = now() WHERE id = $1`, [id]);
  }

  /** Whether Viber lets the bot message this user now (true only after a subscribe or a message from them). */
  async subscription(connectionId: string, userId: string): Promise<{ subscribed: boolean; changedAt: Date } | undefined> {
    const rows: Array<{ subscribed: boolean; changed_at: Date }> = await this.dataSource.query(
      `SELECT subscribed, changed_at FROM ${SUBSCRIBERS} WHERE connection_id = $1 AND user_id = $2`,
      [connectionId, userId],
    );
    return rows[0] ? { subscribed: rows[0].subscribed, changedAt: rows[0].changed_at } : undefined;
  }
}

function toRecord(row: ConnectionRow): ViberConnectionRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    accountName: row.account_name,
    uri: row.uri,
    displayName: row.display_name,
    senderName: row.sender_name,
    welcomeMessage: row.welcome_message,
    tokenCiphertext: row.token_ciphertext,
    state: row.state,
    lastEventAt: row.last_event_at,
    lastError: row.last_error,
  };
}
