import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CHANNEL_VIBER_SCHEMA } from '../channel-viber.config';

const s = CHANNEL_VIBER_SCHEMA;

/**
 * The hourly retention deletes read by age: inbound_media (customers' files, kept until the files service
 * has its own copy; VIBER_MEDIA_RETENTION_HOURS) and inbound_callbacks (VIBER_DEDUPE_RETENTION_HOURS).
 */
export const mediaRetentionMigration: SqlMigrationSpec = {
  name: 'ChannelViberMediaRetention1796800000202',
  up: [
    `CREATE INDEX inbound_media_fetched_at ON "${s}".inbound_media (fetched_at)`,
    `CREATE INDEX inbound_callbacks_received_at ON "${s}".inbound_callbacks (received_at)`,
  ],
  down: [`DROP INDEX "${s}".inbound_callbacks_received_at`, `DROP INDEX "${s}".inbound_media_fetched_at`],
};
