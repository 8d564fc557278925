import { EmployeeChangedV1, type EmployeeChanged, type Envelope } from '@switchboard/contracts';
import { badUserInput } from '@switchboard/service-kit';
import type { DataSource, EntityManager } from 'typeorm';

type Queryable = Pick<EntityManager, 'query'>;

/**
 * Applies identity.employee-changed to chat.employees. Events carry the whole state, so the newest
 * (by changedAt) wins whatever order they arrive in and however often: redelivery is harmless.
 */
export class EmployeeReplicaService {
  constructor(private readonly dataSource: DataSource) {}

  async apply(envelopes: readonly Envelope[]): Promise<void> {
    const newest = new Map<string, EmployeeChanged>();
    for (const envelope of envelopes) {
      // Other identity events (later versions, new types) are not this consumer's business.
      if (envelope.type !== EmployeeChangedV1.type || envelope.version !== EmployeeChangedV1.version) continue;
      // The bus validated the envelope; the payload is checked against its contract here, at this edge.
      const event = EmployeeChangedV1.schema.parse(envelope.data);
      const seen = newest.get(event.employeeId);
      if (!seen || seen.changedAt <= event.changedAt) newest.set(event.employeeId, event);
    }
    if (newest.size === 0) return;
    const events = [...newest.values()];
    await this.dataSource.query(
      `INSERT INTO chat.employees (id, name, role, active, changed_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[], $5::timestamptz[])
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, active = EXCLUDED.active, changed_at = EXCLUDED.changed_at
       WHERE chat.employees.changed_at <= EXCLUDED.changed_at`,
      [events.map((e) => e.employeeId), events.map((e) => e.name), events.map((e) => e.role), events.map((e) => e.active), events.map((e) => e.changedAt)],
    );
  }
}

/**
 * Rejects ids that are not active employees, naming them; `field` is the input field they came in.
 * An employee created a moment ago may not have reached this service yet: the message says to retry.
 */
export async function requireActiveEmployees(db: Queryable, ids: readonly string[], field: string): Promise<void> {
  if (ids.length === 0) return;
  const rows = (await db.query(`SELECT id FROM chat.employees WHERE id = ANY($1::uuid[]) AND active`, [ids])) as { id: string }[];
  const known = new Set(rows.map((r) => r.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw badUserInput(
      `${unknown.join(', ')} ${unknown.length === 1 ? 'is not an active employee' : 'are not active employees'} (an employee added a moment ago may need a second to be known here)`,
      field,
    );
  }
}
