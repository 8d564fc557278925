import type { Envelope } from '@switchboard/contracts';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { CHANNEL_META_SCHEMA } from '../channel-meta.config';

const T = `"${CHANNEL_META_SCHEMA}".inbound_media_links`;

export interface MediaLink {
  connectionId: string;
  url: string;
}

/** Every inbound event that carries content (messages, edits, echoes, comments) has these two fields. */
const withAttachmentsSchema = z.looseObject({
  connection: z.looseObject({ id: z.string() }),
  content: z.looseObject({ attachments: z.array(z.looseObject({ platformFileId: z.string() })) }),
});

/** The attachment URLs of a batch of inbound events, per connection (Meta's platform file id is the CDN URL). */
export function mediaLinksOf(envelopes: readonly Envelope[]): MediaLink[] {
  const links = new Map<string, MediaLink>();
  for (const envelope of envelopes) {
    const data = withAttachmentsSchema.safeParse(envelope.data);
    if (!data.success) continue;
    for (const attachment of data.data.content.attachments) {
      links.set(`${data.data.connection.id} ${attachment.platformFileId}`, { connectionId: data.data.connection.id, url: attachment.platformFileId });
    }
  }
  return [...links.values()];
}

/** The CDN URLs webhooks delivered, so the media endpoint fetches nothing Meta did not send (decision 0035). */
export class MediaLinkRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Idempotent: Meta redelivers webhooks. */
  async remember(links: readonly MediaLink[]): Promise<void> {
    if (links.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO ${T} (connection_id, url_sha256, url)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])
       ON CONFLICT (connection_id, url_sha256) DO NOTHING`,
      [links.map((l) => l.connectionId), links.map((l) => urlKey(l.url)), links.map((l) => l.url)],
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
