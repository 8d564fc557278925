import { EMPLOYEE_ACCESS_PATH, employeeAccessRequestSchema, registerInternalJsonRoute, type EmployeeAccessResponse, type Logger } from '@switchboard/service-kit';
import type { Express } from 'express';
import type { DataSource } from 'typeorm';
import { EmployeeRepository } from './employee.repository';

/** Serves EMPLOYEE_ACCESS_PATH (libs/service-kit internal/employee-access: the contract and its client). */
export function registerEmployeeAccessRoute(app: Express, deps: { dataSource: DataSource; jwtSecret: string; logger: Logger }): void {
  const employees = new EmployeeRepository(deps.dataSource);
  registerInternalJsonRoute(
    app,
    { path: EMPLOYEE_ACCESS_PATH, schema: employeeAccessRequestSchema, bodyLimit: '128kb', what: 'employee access query', jwtSecret: deps.jwtSecret, logger: deps.logger },
    async ({ employeeIds }): Promise<EmployeeAccessResponse> => {
      const rows = await employees.accessOf(employeeIds);
      return { employees: rows.map((r) => ({ employeeId: r.id, role: r.role, active: r.active })) };
    },
  );
}
