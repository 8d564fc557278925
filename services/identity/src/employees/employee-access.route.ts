import { EMPLOYEE_ACCESS_PATH, bearerToken, employeeAccessRequestSchema, verifyServiceToken, type EmployeeAccessResponse, type Logger } from '@switchboard/service-kit';
import express, { type Express } from 'express';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { EmployeeRepository } from './employee.repository';

/** Serves EMPLOYEE_ACCESS_PATH (libs/service-kit internal/employee-access: the contract and its client). */
export function registerEmployeeAccessRoute(app: Express, deps: { dataSource: DataSource; jwtSecret: string; logger: Logger }): void {
  const employees = new EmployeeRepository(deps.dataSource);
  app.post(EMPLOYEE_ACCESS_PATH, express.json({ limit: '128kb' }), (req, res) => {
    void (async () => {
      try {
        await verifyServiceToken(bearerToken(req.headers.authorization) ?? '', deps.jwtSecret);
      } catch (error) {
        res.status(401).json({ error: (error as Error).message });
        return;
      }
      const parsed = employeeAccessRequestSchema.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({ error: z.prettifyError(parsed.error) });
        return;
      }
      const rows = await employees.accessOf(parsed.data.employeeIds);
      const answer: EmployeeAccessResponse = { employees: rows.map((r) => ({ employeeId: r.id, role: r.role, active: r.active })) };
      res.json(answer);
    })().catch((error: unknown) => {
      deps.logger.error({ err: error }, 'employee access query failed');
      if (!res.headersSent) res.status(500).json({ error: 'employee access query failed' });
    });
  });
}
