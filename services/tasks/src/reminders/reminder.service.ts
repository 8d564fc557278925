import { queryRows } from '@switchboard/persistence';
import type { Principal } from '@switchboard/service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { decodeCursor, toPage, type Page } from '../common/cursor';
import { referenceParams, type ItemReferences } from '../common/item-references';
import { TASK_ERROR_REASONS, itemNotFound, refused, wrongState } from '../common/tasks.errors';
import { REMINDER_COLUMNS, type ReminderRow, type ReminderState } from './reminder.row';

/**
 * Reminders ("Нагадування", D2 Додати нове нагадування). Only the owner sees or changes one. Writing a
 * fire time wakes this instance's scheduler (`onScheduled`), so a reminder due soon fires on time.
 */
export class ReminderService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly onScheduled: () => void,
  ) {}

  async create(principal: Principal, input: { text: string; fireAt: Date; references: ItemReferences }): Promise<ReminderRow> {
    const row = await this.dataSource.transaction(async (manager) => {
      if (input.references.chat) await this.guardChat(manager, input.references.chat.chatId);
      const rows = await queryRows<ReminderRow>(
        manager,
        `INSERT INTO tasks.reminders (owner_id, text, fire_at, chat_id, chat_number, entity_kind, entity_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${REMINDER_COLUMNS}`,
        [principal.employeeId, input.text, input.fireAt, ...referenceParams(input.references)],
      );
      return rows[0]!;
    });
    this.onScheduled();
    return row;
  }

  async list(principal: Principal, params: { states: readonly ReminderState[]; first: number; after?: string }): Promise<Page<ReminderRow>> {
    const args: unknown[] = [principal.employeeId, params.states, params.first + 1];
    let keyset = '';
    if (params.after) {
      const cursor = decodeCursor(params.after);
      args.push(cursor.k, cursor.id);
      keyset = `AND (fire_at, id) > ($4::timestamptz, $5::uuid)`;
    }
    const rows = await queryRows<ReminderRow>(
      this.dataSource,
      `SELECT ${REMINDER_COLUMNS} FROM tasks.reminders WHERE owner_id = $1 AND state = ANY($2::text[]) ${keyset} ORDER BY fire_at, id LIMIT $3`,
      args,
    );
    return toPage(rows, params.first, (row) => ({ k: row.sort_key, id: row.id }));
  }

  async get(principal: Principal, id: string): Promise<ReminderRow | undefined> {
    const rows = await queryRows<ReminderRow>(this.dataSource, `SELECT ${REMINDER_COLUMNS} FROM tasks.reminders WHERE id = $1 AND owner_id = $2`, [
      id,
      principal.employeeId,
    ]);
    return rows[0];
  }

  /** A new fire time for a scheduled reminder, or a fired one to fire again ("snooze"); never for a cancelled one. */
  async reschedule(principal: Principal, id: string, fireAt: Date): Promise<ReminderRow> {
    const row = await this.dataSource.transaction(async (manager) => {
      const reminder = await this.lockOwn(manager, principal, id);
      if (reminder.state === 'cancelled') throw wrongState(`Reminder ${id} is cancelled: create a new one instead`);
      const rows = await queryRows<ReminderRow>(
        manager,
        `UPDATE tasks.reminders SET fire_at = $2, state = 'scheduled', updated_at = now() WHERE id = $1 RETURNING ${REMINDER_COLUMNS}`,
        [id, fireAt],
      );
      return rows[0]!;
    });
    this.onScheduled();
    return row;
  }

  /** Cancelling a cancelled reminder changes nothing (a retried mutation is harmless); a fired one is history. */
  cancel(principal: Principal, id: string): Promise<ReminderRow> {
    return this.dataSource.transaction(async (manager) => {
      const reminder = await this.lockOwn(manager, principal, id);
      if (reminder.state === 'cancelled') return reminder;
      if (reminder.state === 'fired') throw wrongState(`Reminder ${id} already fired: there is nothing left to cancel`);
      const rows = await queryRows<ReminderRow>(
        manager,
        `UPDATE tasks.reminders SET state = 'cancelled', cancelled_at = now(), cancel_reason = 'by-owner', updated_at = now() WHERE id = $1 RETURNING ${REMINDER_COLUMNS}`,
        [id],
      );
      return rows[0]!;
    });
  }

  /**
   * The chat service deleted these chats (chat.deleted): their scheduled reminders are cancelled and the
   * chats remembered, so a reminder whose creation raced with the deletion is refused. Idempotent: a
   * redelivered event finds nothing left to cancel. Returns how many reminders were cancelled.
   */
  async cancelForDeletedChats(chats: readonly { chatId: string; deletedAt: Date }[]): Promise<number> {
    if (chats.length === 0) return 0;
    return this.dataSource.transaction(async (manager) => {
      const ids = [...new Set(chats.map((c) => c.chatId))].sort();
      // In id order, so two consumers (or a consumer and a create) never wait on each other in a cycle.
      for (const chatId of ids) await lockChat(manager, chatId);
      await manager.query(
        `INSERT INTO tasks.deleted_chats (chat_id, deleted_at) SELECT * FROM unnest($1::uuid[], $2::timestamptz[]) ON CONFLICT (chat_id) DO NOTHING`,
        [chats.map((c) => c.chatId), chats.map((c) => c.deletedAt)],
      );
      const cancelled = await queryRows<{ id: string }>(
        manager,
        `UPDATE tasks.reminders SET state = 'cancelled', cancelled_at = now(), cancel_reason = 'chat-deleted', updated_at = now()
         WHERE chat_id = ANY($1::uuid[]) AND state = 'scheduled' RETURNING id`,
        [ids],
      );
      return cancelled.length;
    });
  }

  /** Serialises with cancelForDeletedChats on the same chat, then refuses a chat already reported deleted. */
  private async guardChat(manager: EntityManager, chatId: string): Promise<void> {
    await lockChat(manager, chatId);
    const deleted = await queryRows<{ chat_id: string }>(manager, `SELECT chat_id FROM tasks.deleted_chats WHERE chat_id = $1`, [chatId]);
    if (deleted.length > 0) throw refused(TASK_ERROR_REASONS.chatNotVisible, `Chat ${chatId} was deleted`, 'chatId');
  }

  private async lockOwn(manager: EntityManager, principal: Principal, id: string): Promise<ReminderRow> {
    const rows = await queryRows<ReminderRow>(manager, `SELECT ${REMINDER_COLUMNS} FROM tasks.reminders WHERE id = $1 AND owner_id = $2 FOR UPDATE`, [
      id,
      principal.employeeId,
    ]);
    if (!rows[0]) throw itemNotFound('Reminder', id);
    return rows[0];
  }
}

/** A transaction-scoped lock on one chat id, shared by reminder creation and the chat.deleted consumer. */
async function lockChat(manager: EntityManager, chatId: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext('tasks:chat:' || $1))`, [chatId]);
}
