import type { SqlMigrationSpec } from '@switchboard/persistence';
import { auditLogTableDdl } from '@switchboard/service-kit';
import { CHANNEL_VIBER_SCHEMA } from '../channel-viber.config';

const audit = auditLogTableDdl(CHANNEL_VIBER_SCHEMA);

/** The audit log of admin actions on Viber connections (connect, disconnect). Decision 0027. */
export const auditLogMigration: SqlMigrationSpec = {
  name: 'ChannelViberAuditLog1796400000201',
  up: audit.up,
  down: audit.down,
};
