import type { SqlExecutor } from '@switchboard/messaging';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CHANNEL_BRIDGE_SCHEMA } from '../channel-bridge.config';

const T = `"${CHANNEL_BRIDGE_SCHEMA}".inbound_media_links`;

/**
 * The attachment URLs partners sent, per connection (the bridge's platform file id is the partner's URL), so
 * the media endpoint fetches nothing a signed message of that connection did not carry.
 */
export class BridgeMediaLinkRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inside the caller's transaction (the one that stores the message); idempotent, as URLs repeat. */
  async remember(executor: SqlExecutor, connectionId: string, urls: readonly string[]): Promise<void> {
    const unique = [...new Set(urls)];
    if (unique.length === 0) return;
    await executor.query(
      `INSERT INTO ${T} (connection_id, url_sha256, url)
       SELECT $1::uuid, k, u FROM unnest($2::text[], $3::text[]) AS t (k, u)
       ON CONFLICT (connection_id, url_sha256) DO NOTHING`,
      [connectionId, unique.map(urlKey), unique],
    );
  }

  async wasReceived(connectionId: string, url: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM ${T} WHERE connection_id = $1 AND url_sha256 = $2 AND url = $3`, [connectionId, urlKey(url), url]);
    return rows.length > 0;
  }
}

function urlKey(url: string): string {
  return createHash('sha256').update(url, 'utf8').digest('hex');
}
