import type { SqlMigrationSpec } from '@switchboard/persistence';

/**
 * What the chat service knows of employees, kept from identity.employee-changed events (identity owns
 * employees): operators it is given must be active employees, and a deactivated or demoted employee
 * loses access at once instead of when their access token expires.
 */
export const ChatEmployeesMigration: SqlMigrationSpec = {
  name: 'ChatEmployees1764000000007',
  up: [
    `CREATE TABLE chat.employees (
       id uuid PRIMARY KEY,
       name text NOT NULL,
       role text NOT NULL CHECK (role IN ('admin', 'operator')),
       active boolean NOT NULL,
       changed_at timestamptz NOT NULL
     )`,
  ],
  down: [`DROP TABLE chat.employees`],
};
