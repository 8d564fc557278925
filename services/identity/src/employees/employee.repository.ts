import { DataSource, QueryFailedError, type EntityManager, type Repository } from 'typeorm';
import type { Role } from '@switchboard/service-kit';
import { EmployeeEntity } from './employee.entity';
import { EmailTakenError } from './employee.errors';
import { announceEmployees } from './employee-events';

/** What other services learn of an employee (identity.employee-changed). */
const PUBLIC_FIELDS = ['name', 'role', 'active'] as const;

/** A DataSource or a transaction's EntityManager: the repository works the same on both. */
export type IdentityDb = DataSource | EntityManager;

const EMAIL_UNIQUE_INDEX = 'employees_email_lower_key';
const UNIQUE_VIOLATION = '23505';

export interface NewEmployeeRow {
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
}

/** All SQL on identity.employees lives here, so the rest of the service is testable without a database. */
export class EmployeeRepository {
  private readonly rows: Repository<EmployeeEntity>;
  private readonly manager: EntityManager;

  constructor(db: IdentityDb) {
    this.manager = db instanceof DataSource ? db.manager : db;
    this.rows = this.manager.getRepository(EmployeeEntity);
  }

  findById(id: string): Promise<EmployeeEntity | null> {
    return this.rows.findOneBy({ id });
  }

  /** Role and state of these employees (unknown ids are left out): what the gateway checks tokens against. */
  async accessOf(ids: readonly string[]): Promise<{ id: string; role: Role; active: boolean }[]> {
    return (await this.manager.query(`SELECT id, role, active FROM identity.employees WHERE id = ANY($1::uuid[])`, [ids])) as {
      id: string;
      role: Role;
      active: boolean;
    }[];
  }

  findByIdOrFail(id: string): Promise<EmployeeEntity> {
    return this.rows.findOneByOrFail({ id });
  }

  /** Case-insensitive, like the unique index. */
  findByEmail(email: string): Promise<EmployeeEntity | null> {
    return this.rows.createQueryBuilder('e').where('lower(e.email) = lower(:email)', { email }).getOne();
  }

  list(): Promise<EmployeeEntity[]> {
    return this.rows.find({ order: { name: 'ASC', id: 'ASC' } });
  }

  count(): Promise<number> {
    return this.rows.count();
  }

  /** Adds an active employee and announces it (identity.employee-changed), in one transaction. */
  async insert(row: NewEmployeeRow): Promise<EmployeeEntity> {
    try {
      return await this.manager.transaction(async (manager) => {
        const rows = manager.getRepository(EmployeeEntity);
        const saved = await rows.save(rows.create({ ...row, active: true }));
        // Reload so defaults set by the database (timestamps, counters) are in the returned entity.
        const entity = await rows.findOneByOrFail({ id: saved.id });
        await announceEmployees(manager, [entity]);
        return entity;
      });
    } catch (error) {
      throw isEmailTaken(error) ? new EmailTakenError(row.email) : error;
    }
  }

  /** Changes an employee; a change others can see (name, role, active) is announced in the same transaction. */
  async update(id: string, changes: Partial<Pick<EmployeeEntity, 'name' | 'role' | 'passwordHash' | 'active' | 'failedLogins' | 'lockedUntil'>>): Promise<EmployeeEntity> {
    return this.manager.transaction(async (manager) => {
      const rows = manager.getRepository(EmployeeEntity);
      await rows.update({ id }, changes);
      const entity = await rows.findOneByOrFail({ id });
      if (PUBLIC_FIELDS.some((field) => field in changes)) await announceEmployees(manager, [entity]);
      return entity;
    });
  }

  /**
   * Counts one failed login atomically (concurrent guesses must all count) and, on reaching `maxFailures`,
   * locks the account and restarts the count, so after the lock expires there are `maxFailures` new tries.
   */
  async recordFailedLogin(id: string, policy: { maxFailures: number; lockSeconds: number }): Promise<{ lockedUntil: Date | null }> {
    const rows: Array<{ locked_until: Date | null }> = await this.manager.query(
      `UPDATE identity.employees
          SET failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
              locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE locked_until END,
              updated_at = now()
        WHERE id = $1
        RETURNING locked_until`,
      [id, policy.maxFailures, policy.lockSeconds],
    );
    return { lockedUntil: rows[0]?.locked_until ?? null };
  }

  async clearFailedLogins(id: string): Promise<void> {
    await this.manager.query(
      `UPDATE identity.employees SET failed_logins = 0, locked_until = NULL, updated_at = now()
        WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)`,
      [id],
    );
  }
}

function isEmailTaken(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  // The pg driver's error carries the SQLSTATE and the violated constraint (here: the unique index).
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === UNIQUE_VIOLATION && driverError.constraint === EMAIL_UNIQUE_INDEX;
}
