import { createEnvelope, EmployeeChangedV1, TOPICS } from '@switchboard/contracts';
import { enqueueOutbox, type SqlExecutor } from '@switchboard/messaging';
import type { DataSource } from 'typeorm';
import { IDENTITY_SCHEMA } from '../identity.data-source';

const PRODUCER = 'identity';

/** What an event needs of an employee row. */
export interface AnnouncedEmployee {
  id: string;
  name: string;
  role: 'admin' | 'operator';
  active: boolean;
  updatedAt: Date;
}

/**
 * Writes identity.employee-changed for these employees into the outbox, in the caller's transaction, and
 * marks them announced. Each event carries the whole current state, so announcing twice is harmless.
 */
export async function announceEmployees(executor: SqlExecutor, employees: readonly AnnouncedEmployee[]): Promise<void> {
  if (employees.length === 0) return;
  await enqueueOutbox(
    executor,
    IDENTITY_SCHEMA,
    employees.map((e) => ({
      topic: TOPICS.identityEvents,
      envelope: createEnvelope(
        EmployeeChangedV1,
        { employeeId: e.id, name: e.name, role: e.role, active: e.active, changedAt: e.updatedAt.toISOString() },
        { producer: PRODUCER, key: e.id },
      ),
    })),
  );
  await executor.query(`UPDATE identity.employees SET announced = true WHERE id = ANY($1::uuid[])`, [employees.map((e) => e.id)]);
}

/**
 * Announces every employee not announced yet (those created before employee events existed), in batches;
 * returns how many. Safe with several instances starting at once: rows are locked while announced.
 */
export async function announceUnannouncedEmployees(dataSource: DataSource, batchSize = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const announced = await dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `SELECT id, name, role, active, updated_at FROM identity.employees WHERE NOT announced ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      )) as { id: string; name: string; role: 'admin' | 'operator'; active: boolean; updated_at: Date }[];
      await announceEmployees(
        manager,
        rows.map((r) => ({ id: r.id, name: r.name, role: r.role, active: r.active, updatedAt: new Date(r.updated_at) })),
      );
      return rows.length;
    });
    total += announced;
    if (announced < batchSize) return total;
  }
}
