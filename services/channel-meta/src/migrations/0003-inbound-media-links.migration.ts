import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CHANNEL_META_SCHEMA } from '../channel-meta.config';

const s = CHANNEL_META_SCHEMA;

/**
 * The CDN URLs of customers' attachments, as webhooks delivered them (decision 0035): the media endpoint
 * downloads only URLs Meta sent for that connection, so a service token cannot make it fetch anything else.
 * Keyed by the URL's sha256 (URLs run to hundreds of characters).
 */
export const inboundMediaLinksMigration: SqlMigrationSpec = {
  name: 'ChannelMetaInboundMediaLinks1796500000402',
  up: [
    `CREATE TABLE "${s}".inbound_media_links (
       connection_id uuid NOT NULL REFERENCES "${s}".connections (id),
       url_sha256 text NOT NULL,
       url text NOT NULL,
       received_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (connection_id, url_sha256))`,
  ],
  down: [`DROP TABLE "${s}".inbound_media_links`],
};
