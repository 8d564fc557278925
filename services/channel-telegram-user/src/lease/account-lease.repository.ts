import { queryRows } from '@switchboard/persistence';
import type { DataSource } from 'typeorm';
import { CHANNEL_TELEGRAM_USER_SCHEMA } from '../channel-telegram-user.config';

const T = `"${CHANNEL_TELEGRAM_USER_SCHEMA}".leases`;

export interface LeaseView {
  holder: string;
  fencingToken: number;
  expiresAt: Date;
}

/**
 * The lease row of an account (decision 0032): whoever holds an unexpired row may run the account's MTProto
 * client. Expiry is judged by the database clock, so instances' clocks do not matter; every takeover
 * increments the fencing token, and writes that must come from the current holder check it.
 */
export class AccountLeaseRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The fencing token when the lease was free or expired (now ours), undefined when someone else holds it. */
  async acquire(connectionId: string, holder: string, ttlMs: number): Promise<number | undefined> {
    const rows: Array<{ fencing_token: string }> = await this.dataSource.query(
      `INSERT INTO ${T} AS l (connection_id, holder, fencing_token, acquired_at, expires_at)
       VALUES ($1, $2, 1, now(), now() + $3 * interval '1 millisecond')
       ON CONFLICT (connection_id) DO UPDATE SET holder = EXCLUDED.holder, fencing_token = l.fencing_token + 1,
         acquired_at = now(), expires_at = EXCLUDED.expires_at
       WHERE l.expires_at < now()
       RETURNING fencing_token`,
      [connectionId, holder, ttlMs],
    );
    return rows[0] ? Number(rows[0].fencing_token) : undefined;
  }

  /** False when the lease expired or was taken over: the holder must stop its client at once. */
  async renew(connectionId: string, holder: string, fencingToken: number, ttlMs: number): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource,
      `UPDATE ${T} SET expires_at = now() + $4 * interval '1 millisecond'
       WHERE connection_id = $1 AND holder = $2 AND fencing_token = $3 AND expires_at > now() RETURNING connection_id`,
      [connectionId, holder, fencingToken, ttlMs],
    );
    return rows.length > 0;
  }

  /** Lets a standby take over now instead of after the expiry (graceful stop). */
  async release(connectionId: string, holder: string, fencingToken: number): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET expires_at = now() - interval '1 millisecond' WHERE connection_id = $1 AND holder = $2 AND fencing_token = $3`, [
      connectionId,
      holder,
      fencingToken,
    ]);
  }

  async current(connectionId: string): Promise<LeaseView | undefined> {
    const rows: Array<{ holder: string; fencing_token: string; expires_at: Date }> = await this.dataSource.query(
      `SELECT holder, fencing_token, expires_at FROM ${T} WHERE connection_id = $1 AND expires_at > now()`,
      [connectionId],
    );
    return rows[0] ? { holder: rows[0].holder, fencingToken: Number(rows[0].fencing_token), expiresAt: rows[0].expires_at } : undefined;
  }
}
