import { outboxTableDdl } from '@switchboard/messaging';
import type { SqlMigrationSpec } from '@switchboard/persistence';

const outbox = outboxTableDdl('identity');

/**
 * Employee events (identity.employee-changed) leave through an outbox, written in the transaction that
 * changes the employee. `announced` marks employees whose current state has been written there: the ones
 * that existed before this migration are announced once at start-up (EmployeeAnnouncer), so consumers
 * learn about every employee, not only those changed from now on.
 */
export const identityEmployeeEventsMigration: SqlMigrationSpec = {
  name: 'IdentityEmployeeEvents1795600000002',
  up: [...outbox.up, `ALTER TABLE identity.employees ADD COLUMN announced boolean NOT NULL DEFAULT false`],
  down: [`ALTER TABLE identity.employees DROP COLUMN announced`, ...outbox.down],
};
