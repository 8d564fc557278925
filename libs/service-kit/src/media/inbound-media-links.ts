import { createHash } from 'node:crypto';
import { deleteOlderThan } from '../runtime/periodic-jobs';

/** Runs SQL: a DataSource, or the EntityManager of the caller's transaction. */
export interface MediaLinkExecutor {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface MediaLink {
  connectionId: string;
  url: string;
}

/**
 * The attachment URLs a platform delivered, per connection: table `inbound_media_links` in a connector's
 * schema (connection_id, url_sha256, url, received_at; keyed by the URL's sha256, as URLs run to hundreds
 * of characters). A connector whose platform file ids are URLs (Meta's CDN, a bridge partner's server)
 * downloads only a URL remembered for that connection, so a service token cannot make it fetch anything
 * else (decision 0035). The URLs expire at the platform, so rows past a retention are deleted.
 */
export class InboundMediaLinks {
  private readonly table: string;

  constructor(
    private readonly db: MediaLinkExecutor,
    schema: string,
  ) {
    this.table = `"${schema}".inbound_media_links`;
  }

  /** Idempotent (platforms redeliver, URLs repeat); in the caller's transaction when `executor` is given. */
  async remember(links: readonly MediaLink[], executor: MediaLinkExecutor = this.db): Promise<void> {
    const unique = new Map(links.map((link) => [`${link.connectionId} ${link.url}`, link]));
    if (unique.size === 0) return;
    const rows = [...unique.values()];
    await executor.query(
      `INSERT INTO ${this.table} (connection_id, url_sha256, url)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])
       ON CONFLICT (connection_id, url_sha256) DO UPDATE SET received_at = now()`,
      [rows.map((l) => l.connectionId), rows.map((l) => urlKey(l.url)), rows.map((l) => l.url)],
    );
  }

  async wasReceived(connectionId: string, url: string): Promise<boolean> {
    const rows = (await this.db.query(`SELECT 1 FROM ${this.table} WHERE connection_id = $1 AND url_sha256 = $2 AND url = $3`, [connectionId, urlKey(url), url])) as unknown[];
    return rows.length > 0;
  }

  /** Forgets the links last delivered before `olderThan`; answers how many. */
  async purgeOlderThan(olderThan: Date): Promise<number> {
    return deleteOlderThan(this.db, this.table, 'received_at', olderThan);
  }
}

function urlKey(url: string): string {
  return createHash('sha256').update(url, 'utf8').digest('hex');
}
