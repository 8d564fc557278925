import { roleSchema } from '@switchboard/service-kit';
import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../identity.config';

/** Upper bound on what we hash: argon2 accepts anything, and a megabyte password is only a way to burn CPU. */
export const MAX_PASSWORD_LENGTH = 1024;

/** "is required" for a missing field instead of zod's "expected string, received undefined". */
const text = () => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });

export const emailSchema = text().trim().max(254, 'must be at most 254 characters').pipe(z.email('must be a valid email address'));
export const employeeNameSchema = text().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
export const passwordSchema = text()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);

export const createEmployeeInputSchema = z.object({
  email: emailSchema,
  name: employeeNameSchema,
  role: roleSchema,
  password: passwordSchema,
});
export type CreateEmployeeInput = z.input<typeof createEmployeeInputSchema>;

/** Admin edits of an employee: name and role, at least one (null, as GraphQL may send it, means unchanged). */
export const updateEmployeeInputSchema = z
  .object({ name: employeeNameSchema.nullish(), role: roleSchema.nullish() })
  .refine((input) => input.name != null || input.role != null, { message: 'give a name or a role to change' })
  .transform((input) => ({ ...(input.name != null ? { name: input.name } : {}), ...(input.role != null ? { role: input.role } : {}) }));
export type EmployeeChanges = z.output<typeof updateEmployeeInputSchema> & { active?: boolean };
