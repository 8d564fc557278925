import type { SqlMigrationSpec } from '@switchboard/persistence';
import { identityInitMigration } from './0001-init.migration';
import { identityEmployeeEventsMigration } from './0002-employee-events.migration';
import { identityAuditLogMigration } from './0003-audit-log.migration';

/** In order of application; append, never edit an applied one. */
export const IDENTITY_MIGRATIONS: readonly SqlMigrationSpec[] = [identityInitMigration, identityEmployeeEventsMigration, identityAuditLogMigration];
