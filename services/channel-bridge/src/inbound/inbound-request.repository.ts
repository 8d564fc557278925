import { queryRows } from '@switchboard/persistence';
import { deleteOlderThan } from '@switchboard/service-kit';
import type { SqlExecutor } from '@switchboard/messaging';
import type { DataSource } from 'typeorm';
import { CHANNEL_BRIDGE_SCHEMA } from '../channel-bridge.config';

/** The answer stored with an Idempotency-Key, returned again for every repeat of the same request. */
export interface StoredAnswer {
  bodySha256: string;
  status: number;
  body: Record<string, unknown>;
}

const T = `"${CHANNEL_BRIDGE_SCHEMA}".inbound_requests`;

/** Idempotency keys of accepted inbound requests, per connection. */
export class InboundRequestRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Claims the key inside the caller's transaction. False when the key is already taken: a concurrent
   * request with the same key waits here on the primary key until the first one commits or rolls back.
   */
  async claim(executor: SqlExecutor, params: { connectionId: string; idempotencyKey: string; answer: StoredAnswer }): Promise<boolean> {
    const rows = await queryRows<{ idempotency_key: string }>(
      executor,
      `INSERT INTO ${T} (connection_id, idempotency_key, body_sha256, response_status, response_body)
       VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (connection_id, idempotency_key) DO NOTHING RETURNING idempotency_key`,
      [params.connectionId, params.idempotencyKey, params.answer.bodySha256, params.answer.status, JSON.stringify(params.answer.body)],
    );
    return rows.length > 0;
  }

  async find(connectionId: string, idempotencyKey: string): Promise<StoredAnswer | undefined> {
    const rows = await queryRows<{ body_sha256: string; response_status: number; response_body: Record<string, unknown> }>(
      this.dataSource,
      `SELECT body_sha256, response_status, response_body FROM ${T} WHERE connection_id = $1 AND idempotency_key = $2`,
      [connectionId, idempotencyKey],
    );
    const row = rows[0];
    return row ? { bodySha256: row.body_sha256, status: row.response_status, body: row.response_body } : undefined;
  }

  /** Forgets keys first seen before `olderThan`; returns how many. */
  async purgeOlderThan(olderThan: Date): Promise<number> {
    return deleteOlderThan(this.dataSource, T, 'created_at', olderThan);
  }
}
