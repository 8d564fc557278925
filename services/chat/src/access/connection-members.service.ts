import type { DataSource } from 'typeorm';
import { requireActiveEmployees } from '../employees/employee-replica.service';

/**
 * Which employees work which connected account (admin-managed). Membership is what lets an operator
 * see a connection's chats, including the unassigned ones.
 */
export class ConnectionMembersService {
  constructor(private readonly dataSource: DataSource) {}

  async members(connectionId: string): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT employee_id FROM chat.connection_members WHERE connection_id = $1 ORDER BY added_at, employee_id`, [
      connectionId,
    ])) as { employee_id: string }[];
    return rows.map((r) => r.employee_id);
  }

  /** Replaces the member list of a connection. */
  async setMembers(input: { connectionId: string; employeeIds: string[]; byEmployeeId: string }): Promise<string[]> {
    await this.dataSource.transaction(async (manager) => {
      await requireActiveEmployees(manager, input.employeeIds, 'employeeIds');
      await manager.query(`DELETE FROM chat.connection_members WHERE connection_id = $1 AND NOT (employee_id = ANY($2::uuid[]))`, [input.connectionId, input.employeeIds]);
      await manager.query(
        `INSERT INTO chat.connection_members (connection_id, employee_id, added_by)
         SELECT $1, e, $3 FROM unnest($2::uuid[]) AS e ON CONFLICT DO NOTHING`,
        [input.connectionId, input.employeeIds, input.byEmployeeId],
      );
    });
    return this.members(input.connectionId);
  }
}
