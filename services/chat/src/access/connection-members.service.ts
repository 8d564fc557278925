import { recordAuditEntry, type AuditEntryInput } from '@switchboard/service-kit';
import type { DataSource } from 'typeorm';
import { CHAT_SCHEMA } from '../chat.config';
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

  /**
   * Replaces the member list of a connection, audited as connection.set-members (who was added and who
   * removed) in the same transaction (decision 0027).
   */
  async setMembers(
    input: { connectionId: string; employeeIds: string[]; byEmployeeId: string },
    audit: Pick<AuditEntryInput, 'actor' | 'correlationId'>,
  ): Promise<string[]> {
    await this.dataSource.transaction(async (manager) => {
      await requireActiveEmployees(manager, input.employeeIds, 'employeeIds');
      const before = ((await manager.query(`SELECT employee_id FROM chat.connection_members WHERE connection_id = $1`, [input.connectionId])) as {
        employee_id: string;
      }[]).map((r) => r.employee_id);
      await manager.query(`DELETE FROM chat.connection_members WHERE connection_id = $1 AND NOT (employee_id = ANY($2::uuid[]))`, [input.connectionId, input.employeeIds]);
      await manager.query(
        `INSERT INTO chat.connection_members (connection_id, employee_id, added_by)
         SELECT $1, e, $3 FROM unnest($2::uuid[]) AS e ON CONFLICT DO NOTHING`,
        [input.connectionId, input.employeeIds, input.byEmployeeId],
      );
      const members = [...new Set(input.employeeIds)];
      await recordAuditEntry(manager, CHAT_SCHEMA, {
        ...audit,
        action: 'connection.set-members',
        target: { type: 'connection', id: input.connectionId },
        details: { added: members.filter((id) => !before.includes(id)), removed: before.filter((id) => !members.includes(id)), members },
      });
    });
    return this.members(input.connectionId);
  }
}
