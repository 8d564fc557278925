import { registerChannelMediaRoute, type ChannelMediaAnswer, type Logger } from '@switchboard/service-kit';
import type { Express } from 'express';
import type { DataSource } from 'typeorm';
import { CHANNEL_VIBER_SCHEMA } from './channel-viber.config';
import { viberMediaTokenOf } from './viber-media';

interface InboundMediaRow {
  state: 'stored' | 'too_large' | 'failed';
  mime_type: string | null;
  content: Buffer | null;
  error: string | null;
}

/**
 * The service-kit channel-media contract for Viber. Viber's media links expire, so the bytes were kept in
 * channel_viber.inbound_media when the callback arrived (ViberMediaFetcher); this serves that copy. A file
 * that could not be kept then (expired, over VIBER_MEDIA_MAX_BYTES) answers 404 or 413 for good.
 */
export function registerViberMediaRoute(app: Express, deps: { dataSource: DataSource; jwtSecret: string; maxBytes: number; logger: Logger }): void {
  registerChannelMediaRoute(app, {
    platform: 'Viber',
    jwtSecret: deps.jwtSecret,
    maxBytes: deps.maxBytes,
    logger: deps.logger,
    resolve: async ({ connectionId, platformFileId }): Promise<ChannelMediaAnswer> => {
      const token = viberMediaTokenOf(platformFileId);
      if (!token) return { found: false, failure: 'gone', message: `${platformFileId} is not a Viber media id (viber-media:<message token>)` };
      const rows: InboundMediaRow[] = await deps.dataSource.query(
        `SELECT state, mime_type, content, error FROM "${CHANNEL_VIBER_SCHEMA}".inbound_media WHERE connection_id = $1 AND message_token = $2`,
        [connectionId, token],
      );
      const row = rows[0];
      if (!row) return { found: false, failure: 'gone', message: `No Viber media was received for message ${token} on this connection` };
      if (row.state === 'too_large') return { found: false, failure: 'tooLarge', message: row.error ?? 'The media was over VIBER_MEDIA_MAX_BYTES when it arrived' };
      if (row.state !== 'stored' || !row.content) return { found: false, failure: 'gone', message: `The media could not be downloaded when it arrived: ${row.error ?? 'unknown reason'}` };
      return { found: true, body: row.content, contentType: row.mime_type ?? undefined, sizeBytes: row.content.length };
    },
  });
}
