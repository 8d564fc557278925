import { queryRows } from '@switchboard/persistence';
import type { Principal } from '@switchboard/service-kit';
import type { DataSource } from 'typeorm';
import { decodeCursor, toPage, type Page } from '../common/cursor';
import { referenceParams, type ItemReferences, type ReferenceRow } from '../common/item-references';
import { itemNotFound, wrongState } from '../common/tasks.errors';

export const TASK_STATUSES = ['open', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface TaskRow extends ReferenceRow {
  id: string;
  owner_id: string;
  title: string;
  description: string | null;
  due_at: Date | null;
  status: TaskStatus;
  closed_at: Date | null;
  created_at: Date;
  /** The sort key as text ('infinity' without a due date): what the cursor carries. */
  sort_key: string;
}

const COLUMNS = `id, owner_id, title, description, due_at, status, closed_at, created_at, chat_id, chat_number, entity_kind, entity_id,
  COALESCE(due_at, 'infinity'::timestamptz)::text AS sort_key`;
/** The same expression as the index tasks_owner_due_idx, so pages walk the index. */
const SORT = `COALESCE(due_at, 'infinity'::timestamptz)`;

/** "Мої завдання": personal tasks (D2 Нове завдання). Only the owner sees or changes a task. */
export class TaskService {
  constructor(private readonly dataSource: DataSource) {}

  async create(principal: Principal, input: { title: string; description?: string; dueAt?: Date; references: ItemReferences }): Promise<TaskRow> {
    const rows = await queryRows<TaskRow>(
      this.dataSource,
      `INSERT INTO tasks.tasks (owner_id, title, description, due_at, chat_id, chat_number, entity_kind, entity_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [principal.employeeId, input.title, input.description ?? null, input.dueAt ?? null, ...referenceParams(input.references)],
    );
    return rows[0]!;
  }

  async list(principal: Principal, params: { statuses: readonly TaskStatus[]; first: number; after?: string }): Promise<Page<TaskRow>> {
    const args: unknown[] = [principal.employeeId, params.statuses, params.first + 1];
    let keyset = '';
    if (params.after) {
      const cursor = decodeCursor(params.after);
      args.push(cursor.k, cursor.id);
      keyset = `AND (${SORT}, id) > ($4::timestamptz, $5::uuid)`;
    }
    const rows = await queryRows<TaskRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM tasks.tasks WHERE owner_id = $1 AND status = ANY($2::text[]) ${keyset} ORDER BY ${SORT}, id LIMIT $3`,
      args,
    );
    return toPage(rows, params.first, (row) => ({ k: row.sort_key, id: row.id }));
  }

  async get(principal: Principal, id: string): Promise<TaskRow | undefined> {
    const rows = await queryRows<TaskRow>(this.dataSource, `SELECT ${COLUMNS} FROM tasks.tasks WHERE id = $1 AND owner_id = $2`, [id, principal.employeeId]);
    return rows[0];
  }

  /** Done; completing a done task again changes nothing (a retried mutation is harmless). */
  complete(principal: Principal, id: string): Promise<TaskRow> {
    return this.close(principal, id, 'done');
  }

  cancel(principal: Principal, id: string): Promise<TaskRow> {
    return this.close(principal, id, 'cancelled');
  }

  private close(principal: Principal, id: string, to: Exclude<TaskStatus, 'open'>): Promise<TaskRow> {
    return this.dataSource.transaction(async (manager) => {
      const current = await queryRows<TaskRow>(manager, `SELECT ${COLUMNS} FROM tasks.tasks WHERE id = $1 AND owner_id = $2 FOR UPDATE`, [id, principal.employeeId]);
      const task = current[0];
      if (!task) throw itemNotFound('Task', id);
      if (task.status === to) return task;
      if (task.status !== 'open') throw wrongState(`Task ${id} is ${task.status}: only an open task can become ${to}`);
      const rows = await queryRows<TaskRow>(manager, `UPDATE tasks.tasks SET status = $2, closed_at = now(), updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, [id, to]);
      return rows[0]!;
    });
  }
}
