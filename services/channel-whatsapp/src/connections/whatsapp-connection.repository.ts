import type { DataSource } from 'typeorm';
import { CHANNEL_WHATSAPP_SCHEMA } from '../channel-whatsapp.config';

export type WhatsAppConnectionState = 'active' | 'error' | 'disconnected';

export interface WhatsAppConnectionRecord {
  id: string;
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  displayName: string;
  accessTokenCiphertext: string;
  appSecretCiphertext: string;
  verifyTokenSha256: string;
  state: WhatsAppConnectionState;
  lastWebhookAt: Date | null;
  lastError: string | null;
}

interface ConnectionRow {
  id: string;
  phone_number_id: string;
  waba_id: string;
  display_phone_number: string;
  verified_name: string;
  display_name: string;
  access_token_ciphertext: string;
  app_secret_ciphertext: string;
  verify_token_sha256: string;
  state: WhatsAppConnectionState;
  last_webhook_at: Date | null;
  last_error: string | null;
}

const T = `"${CHANNEL_WHATSAPP_SCHEMA}".connections`;
const COLUMNS = `id, phone_number_id, waba_id, display_phone_number, verified_name, display_name, access_token_ciphertext,
  app_secret_ciphertext, verify_token_sha256, state, last_webhook_at, last_error`;

export type NewWhatsAppConnection = Omit<WhatsAppConnectionRecord, 'state' | 'lastWebhookAt' | 'lastError'>;

/** All SQL about connections; plain queries on the service's schema (no ORM entities to keep in sync). */
export class WhatsAppConnectionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findById(id: string): Promise<WhatsAppConnectionRecord | undefined> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${T} WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async findByPhoneNumberId(phoneNumberId: string): Promise<WhatsAppConnectionRecord | undefined> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${T} WHERE phone_number_id = $1`, [phoneNumberId]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async list(): Promise<WhatsAppConnectionRecord[]> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${T} ORDER BY created_at, id`);
    return rows.map(toRecord);
  }

  /** Connections that receive webhooks: everything not disconnected. */
  async listReceiving(): Promise<WhatsAppConnectionRecord[]> {
    const rows: ConnectionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${T} WHERE state <> 'disconnected' ORDER BY id`);
    return rows.map(toRecord);
  }

  async existsReceivingWithVerifyToken(verifyTokenSha256: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM ${T} WHERE verify_token_sha256 = $1 AND state <> 'disconnected' LIMIT 1`,
      [verifyTokenSha256],
    );
    return rows.length > 0;
  }

  /** One row per phone number: reconnecting updates credentials and revives the row, keeping its id. */
  async upsert(input: NewWhatsAppConnection): Promise<WhatsAppConnectionRecord> {
    const rows: ConnectionRow[] = await this.dataSource.query(
      `INSERT INTO ${T} (id, phone_number_id, waba_id, display_phone_number, verified_name, display_name,
                         access_token_ciphertext, app_secret_ciphertext, verify_token_sha256, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active')
       ON CONFLICT (phone_number_id) DO UPDATE SET waba_id = EXCLUDED.waba_id, display_phone_number = EXCLUDED.display_phone_number,
         verified_name = EXCLUDED.verified_name, display_name = EXCLUDED.display_name,
         access_token_ciphertext = EXCLUDED.access_token_ciphertext, app_secret_ciphertext = EXCLUDED.app_secret_ciphertext,
         verify_token_sha256 = EXCLUDED.verify_token_sha256, state = 'active', last_error = NULL, updated_at = now()
       RETURNING ${COLUMNS}`,
      [
        input.id,
        input.phoneNumberId,
        input.wabaId,
        input.displayPhoneNumber,
        input.verifiedName,
        input.displayName,
        input.accessTokenCiphertext,
        input.appSecretCiphertext,
        input.verifyTokenSha256,
      ],
    );
    return toRecord(rows[0]!);
  }

  async setState(id: string, state: WhatsAppConnectionState, lastError: string | null): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET state = $2, last_error = $3, updated_at = now() WHERE id = $1`, [id, state, lastError]);
  }

  /** Records a failure without reviving a disconnected connection. */
  async recordError(id: string, message: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${T} SET state = 'error', last_error = $2, updated_at = now() WHERE id = $1 AND state <> 'disconnected'`,
      [id, message.slice(0, 2000)],
    );
  }

  /** A rejected token cannot heal by itself: the connection stops until an admin reconnects it. */
  async markTokenInvalid(id: string, message: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET state = 'disconnected', last_error = $2, updated_at = now() WHERE id = $1`, [
      id,
      message.slice(0, 2000),
    ]);
  }

  async markHealthy(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET state = 'active', last_error = NULL, updated_at = now() WHERE id = $1 AND state = 'error'`, [id]);
  }

  async touchLastWebhook(ids: readonly string[]): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET last_webhook_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
  }
}

function toRecord(row: ConnectionRow): WhatsAppConnectionRecord {
  return {
    id: row.id,
    phoneNumberId: row.phone_number_id,
    wabaId: row.waba_id,
    displayPhoneNumber: row.display_phone_number,
    verifiedName: row.verified_name,
    displayName: row.display_name,
    accessTokenCiphertext: row.access_token_ciphertext,
    appSecretCiphertext: row.app_secret_ciphertext,
    verifyTokenSha256: row.verify_token_sha256,
    state: row.state,
    lastWebhookAt: row.last_webhook_at,
    lastError: row.last_error,
  };
}
