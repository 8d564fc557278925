import type { SqlMigrationSpec } from '@switchboard/persistence';
import { auditLogTableDdl } from '@switchboard/service-kit';
import { CHANNEL_META_SCHEMA } from '../channel-meta.config';

const audit = auditLogTableDdl(CHANNEL_META_SCHEMA);

/** The audit log of admin actions on Page connections (connect, disconnect). Decision 0027. */
export const auditLogMigration: SqlMigrationSpec = {
  name: 'ChannelMetaAuditLog1796400000401',
  up: audit.up,
  down: audit.down,
};
