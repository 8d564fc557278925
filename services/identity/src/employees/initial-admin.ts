import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { PasswordHasher } from '../auth/password-hasher';
import type { IdentityConfig } from '../identity.config';
import type { Employee } from './employee.entity';
import { EmployeeRepository } from './employee.repository';
import { createEmployee } from './employee.service';

/** Any constant key: it only has to be the same in every instance of the service. */
const INITIAL_ADMIN_LOCK_KEY = 'identity.initial-admin';

const DEFAULT_ADMIN_NAME = 'Administrator';

/**
 * Creates the admin from ADMIN_EMAIL / ADMIN_PASSWORD / ADMIN_NAME when no employee exists yet, and
 * returns it; returns undefined when not configured or when employees exist (a restart never adds one).
 * An advisory lock serialises instances that start together, so two replicas cannot both seed.
 */
export async function ensureInitialAdmin(options: {
  dataSource: DataSource;
  config: Pick<IdentityConfig, 'ADMIN_EMAIL' | 'ADMIN_PASSWORD' | 'ADMIN_NAME'>;
  logger: Logger;
  hasher?: PasswordHasher;
}): Promise<Employee | undefined> {
  const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password, ADMIN_NAME: name } = options.config;
  if (!email || !password) return undefined;
  const created = await options.dataSource.transaction(async (manager) => {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [INITIAL_ADMIN_LOCK_KEY]);
    if ((await new EmployeeRepository(manager).count()) > 0) return undefined;
    return createEmployee({
      db: manager,
      input: { email, password, name: name ?? DEFAULT_ADMIN_NAME, role: 'admin' },
      ...(options.hasher ? { hasher: options.hasher } : {}),
    });
  });
  if (created) options.logger.info({ employeeId: created.id, email: created.email }, 'initial admin created from ADMIN_EMAIL');
  return created;
}
