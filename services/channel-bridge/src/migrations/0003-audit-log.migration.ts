import type { SqlMigrationSpec } from '@switchboard/persistence';
import { auditLogTableDdl } from '@switchboard/service-kit';
import { CHANNEL_BRIDGE_SCHEMA } from '../channel-bridge.config';

const audit = auditLogTableDdl(CHANNEL_BRIDGE_SCHEMA);

/**
 * The audit log of admin actions on bridges (connect, rotate the secret, disconnect, replay dead letters),
 * read through bridgeAuditLog. Decision 0027.
 */
export const auditLogMigration: SqlMigrationSpec = {
  name: 'ChannelBridgeAuditLog1796600000102',
  up: audit.up,
  down: audit.down,
};
