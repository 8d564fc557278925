import type { SqlExecutor } from '@switchboard/messaging';
import type { DataSource } from 'typeorm';
import { CHANNEL_TELEGRAM_USER_SCHEMA } from '../channel-telegram-user.config';

export interface LoginRecord {
  id: string;
  phone: string;
  displayName: string | null;
  step: 'code' | 'password';
  phoneCodeHash: string;
  codeDelivery: string;
  passwordHint: string | null;
  sessionCiphertext: string;
  expiresAt: Date;
}

interface LoginRow {
  id: string;
  phone: string;
  display_name: string | null;
  step: 'code' | 'password';
  phone_code_hash: string;
  code_delivery: string;
  password_hint: string | null;
  session_ciphertext: string;
  expires_at: Date;
}

const T = `"${CHANNEL_TELEGRAM_USER_SCHEMA}".logins`;

export class LoginRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(login: LoginRecord): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${T} (id, phone, display_name, step, phone_code_hash, code_delivery, password_hint, session_ciphertext, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [login.id, login.phone, login.displayName, login.step, login.phoneCodeHash, login.codeDelivery, login.passwordHint, login.sessionCiphertext, login.expiresAt],
    );
  }

  /** A login that has not expired; expired ones are removed on the way. */
  async findLive(id: string): Promise<LoginRecord | undefined> {
    await this.dataSource.query(`DELETE FROM ${T} WHERE expires_at < now()`);
    const rows: LoginRow[] = await this.dataSource.query(
      `SELECT id, phone, display_name, step, phone_code_hash, code_delivery, password_hint, session_ciphertext, expires_at FROM ${T} WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    return row
      ? {
          id: row.id,
          phone: row.phone,
          displayName: row.display_name,
          step: row.step,
          phoneCodeHash: row.phone_code_hash,
          codeDelivery: row.code_delivery,
          passwordHint: row.password_hint,
          sessionCiphertext: row.session_ciphertext,
          expiresAt: row.expires_at,
        }
      : undefined;
  }

  async movedToPassword(id: string, passwordHint: string | null, sessionCiphertext: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET step = 'password', password_hint = $2, session_ciphertext = $3 WHERE id = $1`, [id, passwordHint, sessionCiphertext]);
  }

  async delete(executor: SqlExecutor, id: string): Promise<void> {
    await executor.query(`DELETE FROM ${T} WHERE id = $1`, [id]);
  }
}
