import { z } from 'zod';
import { ROLES } from '../auth/access-token';
import { ServiceTokenSource } from '../auth/service-token';

/**
 * POST /internal/employees/access on the identity service (service token only): the current role and state
 * of some employees, so the gateway can refuse an access token whose employee was deactivated or given
 * another role after it was issued (decision 0059). Not public API.
 */
export const EMPLOYEE_ACCESS_PATH = '/internal/employees/access';

/** The most employees one request may ask about. */
export const MAX_EMPLOYEE_ACCESS_QUERY = 1_000;

export const employeeAccessRequestSchema = z.object({
  employeeIds: z
    .array(z.uuid('employeeIds must be employee ids'))
    .min(1, 'employeeIds must name at least one employee')
    .max(MAX_EMPLOYEE_ACCESS_QUERY, `employeeIds may name at most ${MAX_EMPLOYEE_ACCESS_QUERY} employees`),
});
export type EmployeeAccessRequest = z.infer<typeof employeeAccessRequestSchema>;

/** Employees identity does not know are left out of the answer. */
export const employeeAccessResponseSchema = z.object({
  employees: z.array(z.object({ employeeId: z.uuid(), role: z.enum(ROLES), active: z.boolean() })),
});
export type EmployeeAccessResponse = z.infer<typeof employeeAccessResponseSchema>;
export type EmployeeAccess = EmployeeAccessResponse['employees'][number];

/** Asks identity about employees, in requests of at most MAX_EMPLOYEE_ACCESS_QUERY. */
export class EmployeeAccessClient {
  private readonly tokens: ServiceTokenSource;

  constructor(private readonly options: { identityUrl: string; jwtSecret: string; service: string; timeoutMs?: number }) {
    this.tokens = new ServiceTokenSource({ jwtSecret: options.jwtSecret, service: options.service });
  }

  async lookup(employeeIds: readonly string[]): Promise<EmployeeAccess[]> {
    const found: EmployeeAccess[] = [];
    for (let i = 0; i < employeeIds.length; i += MAX_EMPLOYEE_ACCESS_QUERY) {
      const body: EmployeeAccessRequest = { employeeIds: employeeIds.slice(i, i + MAX_EMPLOYEE_ACCESS_QUERY) };
      const response = await fetch(new URL(EMPLOYEE_ACCESS_PATH, this.options.identityUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await this.tokens.current()}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 2_000),
      });
      if (!response.ok) throw new Error(`identity answered ${response.status} to ${EMPLOYEE_ACCESS_PATH}: ${await response.text()}`);
      found.push(...employeeAccessResponseSchema.parse(await response.json()).employees);
    }
    return found;
  }
}
