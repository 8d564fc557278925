import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CHANNEL_BRIDGE_SCHEMA } from '../channel-bridge.config';

const s = CHANNEL_BRIDGE_SCHEMA;

/** The hourly retention delete of inbound_media_links (BRIDGE_MEDIA_LINK_RETENTION_HOURS) reads by age. */
export const mediaLinkRetentionMigration: SqlMigrationSpec = {
  name: 'ChannelBridgeMediaLinkRetention1796800000103',
  up: [`CREATE INDEX inbound_media_links_received_at ON "${s}".inbound_media_links (received_at)`],
  down: [`DROP INDEX "${s}".inbound_media_links_received_at`],
};
