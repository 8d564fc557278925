import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CrmInitMigration } from './0001-init.migration';

/** In order; each name ends in its timestamp. */
export const CRM_MIGRATIONS: readonly SqlMigrationSpec[] = [CrmInitMigration];
