import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CHANNEL_BRIDGE_SCHEMA } from '../channel-bridge.config';

const s = CHANNEL_BRIDGE_SCHEMA;

/**
 * The attachment URLs partners sent, per connection: the media endpoint downloads only a URL a signed
 * message of that connection carried, so a service token cannot make the bridge fetch anything else.
 * Keyed by the URL's sha256 (URLs may be long).
 */
export const inboundMediaLinksMigration: SqlMigrationSpec = {
  name: 'ChannelBridgeInboundMediaLinks1796600000101',
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
