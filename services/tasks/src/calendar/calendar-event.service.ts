import { queryRows } from '@switchboard/persistence';
import type { Principal } from '@switchboard/service-kit';
import type { DataSource } from 'typeorm';
import { referenceParams, type ItemReferences, type ReferenceRow } from '../common/item-references';
import { itemNotFound } from '../common/tasks.errors';

/**
 * The longest calendar event. Bounding it lets a range query find every overlapping event through the
 * (owner, starts_at) index: an event that overlaps [from, to) started at most this long before `from`.
 */
export const MAX_EVENT_DURATION_MS = 31 * 24 * 3_600_000;
/** The widest range myEvents answers: a quarter, enough for any calendar view. */
export const MAX_EVENT_RANGE_MS = 92 * 24 * 3_600_000;
/** More events than this in one range is not a calendar anyone reads; the query says so instead of truncating. */
export const MAX_EVENTS_PER_RANGE = 1000;

export interface CalendarEventRow extends ReferenceRow {
  id: string;
  owner_id: string;
  title: string;
  description: string | null;
  starts_at: Date;
  ends_at: Date;
  created_at: Date;
}

const COLUMNS = `id, owner_id, title, description, starts_at, ends_at, created_at, chat_id, chat_number, entity_kind, entity_id`;

/** Calendar events in "Мої завдання" (D2 Додати нову подію). Only the owner sees or changes them. */
export class CalendarEventService {
  constructor(private readonly dataSource: DataSource) {}

  async create(principal: Principal, input: { title: string; description?: string; startsAt: Date; endsAt: Date; references: ItemReferences }): Promise<CalendarEventRow> {
    const rows = await queryRows<CalendarEventRow>(
      this.dataSource,
      `INSERT INTO tasks.calendar_events (owner_id, title, description, starts_at, ends_at, chat_id, chat_number, entity_kind, entity_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [principal.employeeId, input.title, input.description ?? null, input.startsAt, input.endsAt, ...referenceParams(input.references)],
    );
    return rows[0]!;
  }

  /** Events overlapping [from, to), by start; cancelled ones are left out. At most MAX_EVENTS_PER_RANGE + 1 rows. */
  async inRange(principal: Principal, range: { from: Date; to: Date }): Promise<CalendarEventRow[]> {
    return queryRows<CalendarEventRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM tasks.calendar_events
       WHERE owner_id = $1 AND cancelled_at IS NULL AND starts_at < $3 AND starts_at >= $2::timestamptz - $4 * interval '1 millisecond'
         AND (ends_at > $2 OR (ends_at = starts_at AND starts_at >= $2))
       ORDER BY starts_at, id LIMIT $5`,
      [principal.employeeId, range.from, range.to, MAX_EVENT_DURATION_MS, MAX_EVENTS_PER_RANGE + 1],
    );
  }

  /** Cancelling twice is harmless; the event leaves the calendar. */
  async cancel(principal: Principal, id: string): Promise<CalendarEventRow> {
    const rows = await queryRows<CalendarEventRow>(
      this.dataSource,
      `UPDATE tasks.calendar_events SET cancelled_at = COALESCE(cancelled_at, now()), updated_at = now() WHERE id = $1 AND owner_id = $2 RETURNING ${COLUMNS}`,
      [id, principal.employeeId],
    );
    if (!rows[0]) throw itemNotFound('Event', id);
    return rows[0];
  }
}
