import type { DataSource } from 'typeorm';
import { CHANNEL_META_SCHEMA } from '../channel-meta.config';

export type MetaConnectionState = 'active' | 'error' | 'disconnected';

export interface MetaConnectionRecord {
  id: string;
  pageId: string;
  pageName: string;
  instagramAccountId: string | null;
  instagramUsername: string | null;
  displayName: string;
  accessTokenCiphertext: string;
  appSecretCiphertext: string;
  verifyTokenSha256: string;
  state: MetaConnectionState;
  subscriptionLostAt: Date | null;
  lastWebhookAt: Date | null;
  lastError: string | null;
}

interface ConnectionRow {
  id: string;
  page_id: string;
  page_name: string;
  instagram_account_id: string | null;
  instagram_username: string | null;
  display_name: string;
  access_token_ciphertext: string;
  app_secret_ciphertext: string;
  verify_token_sha256: string;
  state: MetaConnectionState;
  subscription_lost_at: Date | null;
  last_webhook_at: Date | null;
  last_error: string | null;
}

const T = `"${CHANNEL_META_SCHEMA}".connections`;
const COLUMNS = `id, page_id, page_name, instagram_account_id, instagram_username, display_name, access_token_ciphertext,
  app_secret_ciphertext, verify_token_sha256, state, subscription_lost_at, last_webhook_at, last_error`;

export type NewMetaConnection = Omit<MetaConnectionRecord, 'state' | 'subscriptionLostAt' | 'lastWebhookAt' | 'lastError'>;

/** All SQL about Page connections; plain queries on the service's schema. */
export class MetaConnectionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findById(id: string): Promise<MetaConnectionRecord | undefined> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${T} WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async findByPageId(pageId: string): Promise<MetaConnectionRecord | undefined> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${T} WHERE page_id = $1`, [pageId]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async list(): Promise<MetaConnectionRecord[]> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${T} ORDER BY created_at, id`);
    return rows.map(toRecord);
  }

  /** Connections that receive webhooks: everything not disconnected. */
  async listReceiving(): Promise<MetaConnectionRecord[]> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${T} WHERE state <> 'disconnected' ORDER BY id`);
    return rows.map(toRecord);
  }

  async existsReceivingWithVerifyToken(verifyTokenSha256: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM ${T} WHERE verify_token_sha256 = $1 AND state <> 'disconnected' LIMIT 1`, [
      verifyTokenSha256,
    ]);
    return rows.length > 0;
  }

  /** One row per Page: reconnecting updates credentials and revives the row, keeping its id. */
  async upsert(input: NewMetaConnection): Promise<MetaConnectionRecord> {
    const rows: ConnectionRow[] = await this.dataSource.query(
      `INSERT INTO ${T} (id, page_id, page_name, instagram_account_id, instagram_username, display_name,
                         access_token_ciphertext, app_secret_ciphertext, verify_token_sha256, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active')
       ON CONFLICT (page_id) DO UPDATE SET page_name = EXCLUDED.page_name, instagram_account_id = EXCLUDED.instagram_account_id,
         instagram_username = EXCLUDED.instagram_username, display_name = EXCLUDED.display_name,
         access_token_ciphertext = EXCLUDED.access_token_ciphertext, app_secret_ciphertext = EXCLUDED.app_secret_ciphertext,
         verify_token_sha256 = EXCLUDED.verify_token_sha256, state = 'active', subscription_lost_at = NULL, last_error = NULL, updated_at = now()
       RETURNING ${COLUMNS}`,
      [
        input.id,
        input.pageId,
        input.pageName,
        input.instagramAccountId,
        input.instagramUsername,
        input.displayName,
        input.accessTokenCiphertext,
        input.appSecretCiphertext,
        input.verifyTokenSha256,
      ],
    );
    return toRecord(rows[0]!);
  }

  async setState(id: string, state: MetaConnectionState, lastError: string | null): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET state = $2, last_error = $3, updated_at = now() WHERE id = $1`, [id, state, lastError]);
  }

  /** Records a failure without reviving a disconnected connection. */
  async recordError(id: string, message: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET state = 'error', last_error = $2, updated_at = now() WHERE id = $1 AND state <> 'disconnected'`, [
      id,
      message.slice(0, 2000),
    ]);
  }

  /** A rejected token cannot heal by itself: the connection stops until an admin reconnects it. */
  async markTokenInvalid(id: string, message: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET state = 'disconnected', last_error = $2, updated_at = now() WHERE id = $1`, [id, message.slice(0, 2000)]);
  }

  async markHealthy(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET state = 'active', last_error = NULL, updated_at = now() WHERE id = $1 AND state = 'error'`, [id]);
  }

  /** The app is (again) subscribed to the Page's webhooks, or lost that subscription (flagged, first time kept). */
  async setSubscribed(id: string, subscribed: boolean): Promise<void> {
    await this.dataSource.query(
      subscribed
        ? `UPDATE ${T} SET subscription_lost_at = NULL, updated_at = now() WHERE id = $1`
        : `UPDATE ${T} SET subscription_lost_at = COALESCE(subscription_lost_at, now()), updated_at = now() WHERE id = $1`,
      [id],
    );
  }

  async touchLastWebhook(ids: readonly string[]): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET last_webhook_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
  }
}

function toRecord(row: ConnectionRow): MetaConnectionRecord {
  return {
    id: row.id,
    pageId: row.page_id,
    pageName: row.page_name,
    instagramAccountId: row.instagram_account_id,
    instagramUsername: row.instagram_username,
    displayName: row.display_name,
    accessTokenCiphertext: row.access_token_ciphertext,
    appSecretCiphertext: row.app_secret_ciphertext,
    verifyTokenSha256: row.verify_token_sha256,
    state: row.state,
    subscriptionLostAt: row.subscription_lost_at,
    lastWebhookAt: row.last_webhook_at,
    lastError: row.last_error,
  };
}
