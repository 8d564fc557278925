import type { SqlMigrationSpec } from '@switchboard/persistence';

/**
 * Employees who log in to the console. Email uniqueness ignores case (unique index on lower(email)),
 * like citext but without the extension, which not every PostgreSQL (PGlite) ships.
 */
export const identityInitMigration: SqlMigrationSpec = {
  name: 'IdentityInit1795600000000',
  up: [
    `CREATE TABLE identity.employees (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL CHECK (email <> ''),
      name text NOT NULL CHECK (name <> ''),
      role text NOT NULL CHECK (role IN ('admin', 'operator')),
      password_hash text NOT NULL,
      active boolean NOT NULL DEFAULT true,
      failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
      locked_until timestamptz NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX employees_email_lower_key ON identity.employees (lower(email))`,
  ],
  down: [`DROP TABLE identity.employees`],
};
