import type { SqlMigrationSpec } from '@switchboard/persistence';
import { auditLogTableDdl } from '@switchboard/service-kit';

const audit = auditLogTableDdl('identity');

/** The audit log of admin actions in this service (employee creation), read through identityAuditLog. */
export const identityAuditLogMigration: SqlMigrationSpec = {
  name: 'IdentityAuditLog1796400000003',
  up: audit.up,
  down: audit.down,
};
