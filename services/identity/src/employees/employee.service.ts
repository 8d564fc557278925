import { PasswordHasher } from '../auth/password-hasher';
import { toEmployee, type Employee } from './employee.entity';
import { EmployeeRepository, type IdentityDb } from './employee.repository';
import { ForbiddenError } from '@switchboard/service-kit';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { EmployeeNotFoundError, LastAdminError, SelfDeactivationError } from './employee.errors';
import { createEmployeeInputSchema, emailSchema, employeeNameSchema, passwordSchema, type CreateEmployeeInput, type EmployeeChanges } from './employee.input';

// One hasher per process is enough: it is stateless apart from the cached dummy hash.
const defaultHasher = new PasswordHasher();

/**
 * Adds an employee. Validates its input (throws ZodError), hashes the password with argon2id and
 * throws EmailTakenError when the email is in use, whatever its case.
 */
export async function createEmployee(options: { db: IdentityDb; input: CreateEmployeeInput; hasher?: PasswordHasher }): Promise<Employee> {
  const input = createEmployeeInputSchema.parse(options.input);
  const hasher = options.hasher ?? defaultHasher;
  const entity = await new EmployeeRepository(options.db).insert({
    email: input.email,
    name: input.name,
    role: input.role,
    passwordHash: await hasher.hash(input.password),
  });
  return toEmployee(entity);
}

const adminAccountInputSchema = z.object({
  email: emailSchema,
  /** Required to create; when promoting, replaces the name if given. */
  name: employeeNameSchema.optional(),
  /** Required to create; when promoting, resets the password if given. */
  password: passwordSchema.optional(),
});
export type AdminAccountInput = z.input<typeof adminAccountInputSchema>;

/**
 * Creates an admin, or makes the existing employee with that email an active, unlocked admin: the way
 * back in when every admin has lost access.
 */
export async function createOrPromoteAdmin(options: {
  db: IdentityDb;
  input: AdminAccountInput;
  hasher?: PasswordHasher;
}): Promise<{ action: 'created' | 'promoted'; employee: Employee }> {
  const hasher = options.hasher ?? defaultHasher;
  const employees = new EmployeeRepository(options.db);
  const { email, name, password } = adminAccountInputSchema.parse(options.input);
  const existing = await employees.findByEmail(email);
  if (!existing) {
    // Parsed again as a whole so a missing name or password is reported as such ("name: is required").
    const input = createEmployeeInputSchema.parse({ email, name, password, role: 'admin' });
    const employee = await createEmployee({ db: options.db, hasher, input });
    return { action: 'created', employee };
  }
  const updated = await employees.update(existing.id, {
    role: 'admin',
    active: true,
    failedLogins: 0,
    lockedUntil: null,
    ...(name === undefined ? {} : { name }),
    ...(password === undefined ? {} : { passwordHash: await hasher.hash(password) }),
  });
  return { action: 'promoted', employee: toEmployee(updated) };
}

/** What an admin's change did: the employee before and after, and the fields that really changed. */
export interface EmployeeChange {
  before: Employee;
  after: Employee;
  changed: Array<keyof EmployeeChanges>;
}

/**
 * Renames, changes the role of, deactivates or reactivates an employee, on behalf of `actorId`; `db` is the
 * transaction that also records the audit entry (the row locks below last until it ends). A change to what others see is announced
 * (identity.employee-changed) by the repository in the same transaction. Refuses, with domain errors:
 * an unknown employee, deactivating oneself, and demoting or deactivating the last active admin. Changing
 * nothing (e.g. deactivating someone already inactive) changes and announces nothing.
 */
export async function changeEmployee(options: { db: EntityManager; actorId: string; employeeId: string; changes: EmployeeChanges }): Promise<EmployeeChange> {
  const { db: manager, actorId, employeeId, changes } = options;
  // Every active admin's row is locked first, by every change, in one order: two admins demoting each
  // other at once are serialised, and the second sees that only one admin is left (no deadlock either).
  const admins = (await manager.query(`SELECT id FROM identity.employees WHERE role = 'admin' AND active ORDER BY id FOR UPDATE`)) as { id: string }[];
  // Checked again under the lock: the actor may have been demoted or deactivated since the request began.
  if (!admins.some((admin) => admin.id === actorId)) throw new ForbiddenError('Only admins may do this');
  const rows = (await manager.query(`SELECT id FROM identity.employees WHERE id = $1 FOR UPDATE`, [employeeId])) as { id: string }[];
  if (rows.length === 0) throw new EmployeeNotFoundError(employeeId);
  const employees = new EmployeeRepository(manager);
  const before = toEmployee(await employees.findByIdOrFail(employeeId));

  const changed = (Object.keys(changes) as Array<keyof EmployeeChanges>).filter((field) => changes[field] !== undefined && changes[field] !== before[field]);
  if (changed.length === 0) return { before, after: before, changed };
  if (changes.active === false && employeeId === actorId) throw new SelfDeactivationError();
  const stillAdmin = (changes.role ?? before.role) === 'admin' && (changes.active ?? before.active);
  const wasActiveAdmin = before.role === 'admin' && before.active;
  if (wasActiveAdmin && !stillAdmin && !admins.some((admin) => admin.id !== employeeId)) throw new LastAdminError(before.name);

  const update = Object.fromEntries(changed.map((field) => [field, changes[field]])) as Partial<EmployeeChanges>;
  const after = toEmployee(await employees.update(employeeId, update));
  return { before, after, changed };
}
