import { PasswordHasher } from '../auth/password-hasher';
import { toEmployee, type Employee } from './employee.entity';
import { EmployeeRepository, type IdentityDb } from './employee.repository';
import { z } from 'zod';
import { createEmployeeInputSchema, emailSchema, employeeNameSchema, passwordSchema, type CreateEmployeeInput } from './employee.input';

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
