import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CHANNEL_META_SCHEMA } from '../channel-meta.config';

const s = CHANNEL_META_SCHEMA;

/** The hourly retention delete of inbound_media_links (META_MEDIA_LINK_RETENTION_HOURS) reads by age. */
export const mediaLinkRetentionMigration: SqlMigrationSpec = {
  name: 'ChannelMetaMediaLinkRetention1796800000403',
  up: [`CREATE INDEX inbound_media_links_received_at ON "${s}".inbound_media_links (received_at)`],
  down: [`DROP INDEX "${s}".inbound_media_links_received_at`],
};
