import { queryRows, type Queryable } from '@switchboard/persistence';
import type { DataSource } from 'typeorm';
import { CHANNEL_BRIDGE_SCHEMA } from '../channel-bridge.config';

export type BridgeConnectionState = 'active' | 'disconnected';

export interface BridgeConnectionRecord {
  id: string;
  name: string;
  outboundUrl: string;
  secretCiphertext: string;
  state: BridgeConnectionState;
  secretRotatedAt: Date;
  lastInboundAt: Date | null;
  createdAt: Date;
}

interface ConnectionRow {
  id: string;
  name: string;
  outbound_url: string;
  secret_ciphertext: string;
  state: BridgeConnectionState;
  secret_rotated_at: Date;
  last_inbound_at: Date | null;
  created_at: Date;
}

const T = `"${CHANNEL_BRIDGE_SCHEMA}".connections`;
const COLUMNS = 'id, name, outbound_url, secret_ciphertext, state, secret_rotated_at, last_inbound_at, created_at';

/**
 * All SQL about bridge connections. The writes take the executor to run on (a transaction's, so an admin
 * change commits together with its audit entry); the data source when none is given.
 */
export class BridgeConnectionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in one transaction. */
  transaction<T>(work: (db: Queryable) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(manager));
  }

  async findById(id: string): Promise<BridgeConnectionRecord | undefined> {
    const rows = await queryRows<ConnectionRow>(this.dataSource, `SELECT ${COLUMNS} FROM ${T} WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async list(): Promise<BridgeConnectionRecord[]> {
    return (await queryRows<ConnectionRow>(this.dataSource, `SELECT ${COLUMNS} FROM ${T} ORDER BY created_at, id`)).map(toRecord);
  }

  async insert(input: { id: string; name: string; outboundUrl: string; secretCiphertext: string }, db: Queryable = this.dataSource): Promise<BridgeConnectionRecord> {
    const rows = await queryRows<ConnectionRow>(
      db,
      `INSERT INTO ${T} (id, name, outbound_url, secret_ciphertext, state) VALUES ($1, $2, $3, $4, 'active') RETURNING ${COLUMNS}`,
      [input.id, input.name, input.outboundUrl, input.secretCiphertext],
    );
    return toRecord(rows[0]!);
  }

  /** Replaces the secret of a live connection; undefined when it does not exist or is disconnected. */
  async replaceSecret(id: string, secretCiphertext: string, db: Queryable = this.dataSource): Promise<BridgeConnectionRecord | undefined> {
    const rows = await queryRows<ConnectionRow>(
      db,
      `UPDATE ${T} SET secret_ciphertext = $2, secret_rotated_at = now(), updated_at = now() WHERE id = $1 AND state = 'active' RETURNING ${COLUMNS}`,
      [id, secretCiphertext],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async disconnect(id: string, db: Queryable = this.dataSource): Promise<BridgeConnectionRecord | undefined> {
    const rows = await queryRows<ConnectionRow>(
      db,
      `UPDATE ${T} SET state = 'disconnected', updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async touchLastInbound(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET last_inbound_at = now() WHERE id = $1`, [id]);
  }
}

function toRecord(row: ConnectionRow): BridgeConnectionRecord {
  return {
    id: row.id,
    name: row.name,
    outboundUrl: row.outbound_url,
    secretCiphertext: row.secret_ciphertext,
    state: row.state,
    secretRotatedAt: row.secret_rotated_at,
    lastInboundAt: row.last_inbound_at,
    createdAt: row.created_at,
  };
}
