import type { EventToPublish } from '@switchboard/messaging';
import { badUserInput, recordAuditEntry, type Principal } from '@switchboard/service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { lockVisibleChat, loadViewer, type LockedChat, type Viewer } from '../access/viewer';
import { chatEvents } from '../chat-events.factory';
import { CHAT_SCHEMA } from '../chat.config';
import { requireActiveEmployees } from '../employees/employee-replica.service';
import { emitEvents } from '../feed/emit-events';
import { recordActivity, type Activity } from '../timeline/activity';

/** The status "В обробку" sets (C4). Codes are stable even when admins rename the status. */
export const IN_PROGRESS_STATUS = 'in_progress';

interface StatusRow {
  code: string;
  is_closed: boolean;
}

type ActionContext = { manager: EntityManager; viewer: Viewer; chat: LockedChat; at: string; events: EventToPublish[]; activities: Activity[] };

/**
 * The operator's chat actions (C3, C4, D2, D3). Each runs in one transaction that locks the chat, checks
 * the caller may see it, changes it, writes an activity entry to the timeline and puts the chat event in
 * the outbox: the entry and the event exist exactly when the change does.
 */
export class ChatActionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly onCommitted: () => void,
  ) {}

  /** C3: any status of the configured list. */
  changeStatus(principal: Principal, input: { chatId: string; statusCode: string }): Promise<void> {
    return this.act(principal, input.chatId, async (ctx) => {
      const status = await this.status(ctx.manager, input.statusCode);
      this.setStatus(ctx, status, 'changed');
    });
  }

  /** C4 "В обробку": status in progress, and the caller becomes the operator when the chat has none. */
  takeIntoWork(principal: Principal, input: { chatId: string }): Promise<void> {
    return this.act(principal, input.chatId, async (ctx) => {
      const status = await this.status(ctx.manager, IN_PROGRESS_STATUS);
      const from = ctx.chat.status_code;
      this.setStatus(ctx, status, 'taken-into-work');
      if (ctx.chat.operator_ids.length === 0) this.setOperators(ctx, [ctx.viewer.employeeId], 'taken-into-work');
      if (ctx.events.length > 0) ctx.activities.push({ type: 'taken-into-work', from, to: status.code });
    });
  }

  /** D2 "Завершити чат": the first closed status of the list (by position). */
  endChat(principal: Principal, input: { chatId: string }): Promise<void> {
    return this.act(principal, input.chatId, async (ctx) => {
      const rows = (await ctx.manager.query(`SELECT code, is_closed FROM chat.statuses WHERE is_closed ORDER BY position LIMIT 1`)) as StatusRow[];
      if (!rows[0]) throw badUserInput('No closed status is configured: an admin must mark one status as closed first');
      this.setStatus(ctx, rows[0], 'ended');
    });
  }

  /** D2 "Залишити чат": the caller stops being an operator; the others stay. */
  leaveChat(principal: Principal, input: { chatId: string }): Promise<void> {
    return this.act(principal, input.chatId, async (ctx) => {
      if (!ctx.chat.operator_ids.includes(ctx.viewer.employeeId)) throw badUserInput('You are not an operator of this chat', 'chatId');
      this.setOperators(
        ctx,
        ctx.chat.operator_ids.filter((id) => id !== ctx.viewer.employeeId),
        'left',
      );
    });
  }

  /** D2 "Оператор": replace the operators (reassign). An empty list unassigns the chat. */
  assignOperators(principal: Principal, input: { chatId: string; operatorIds: string[] }): Promise<void> {
    return this.act(principal, input.chatId, async (ctx) => {
      await requireActiveEmployees(ctx.manager, unique(input.operatorIds), 'operatorIds');
      this.setOperators(ctx, unique(input.operatorIds), 'assigned');
    });
  }

  /** D2 "Оператор": add operators, keeping the current ones. */
  addOperators(principal: Principal, input: { chatId: string; operatorIds: string[] }): Promise<void> {
    return this.act(principal, input.chatId, async (ctx) => {
      await requireActiveEmployees(ctx.manager, unique(input.operatorIds), 'operatorIds');
      this.setOperators(ctx, unique([...ctx.chat.operator_ids, ...input.operatorIds]), 'added');
    });
  }

  /**
   * D3 "Видалити чат": the chat and its timeline are gone; the event tells other modules to forget it.
   * Audited as chat.delete in the same transaction (decision 0027), whoever the caller is.
   */
  async deleteChat(principal: Principal, input: { chatId: string; correlationId?: string | undefined }): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const viewer = await loadViewer(manager, principal);
      const chat = await lockVisibleChat(manager, viewer, input.chatId);
      await manager.query(`DELETE FROM chat.chats WHERE id = $1`, [chat.id]);
      const deleted = chatEvents.deleted({
        chatId: chat.id,
        chatNumber: Number(chat.number),
        connectionId: chat.connection_id,
        byEmployeeId: viewer.employeeId,
        at: new Date().toISOString(),
      });
      // The row is gone: the feed keeps who could see the chat, so they learn it was deleted.
      await emitEvents(manager, [deleted], () => ({ connectionId: chat.connection_id, operatorIds: chat.operator_ids }));
      await recordAuditEntry(manager, CHAT_SCHEMA, {
        actor: principal,
        action: 'chat.delete',
        target: { type: 'chat', id: chat.id },
        details: { chatNumber: Number(chat.number), connectionId: chat.connection_id },
        ...(input.correlationId ? { correlationId: input.correlationId } : {}),
      });
    });
    this.onCommitted();
  }

  private async act(principal: Principal, chatId: string, change: (ctx: ActionContext) => Promise<void>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const viewer = await loadViewer(manager, principal);
      const chat = await lockVisibleChat(manager, viewer, chatId);
      const ctx: ActionContext = { manager, viewer, chat, at: new Date().toISOString(), events: [], activities: [] };
      const original = { ...chat };
      await change(ctx);
      // Changes were applied to ctx.chat in memory; persist them once, with one activity entry per change.
      if (chat.status_code !== original.status_code || chat.operator_ids !== original.operator_ids) {
        await manager.query(`UPDATE chat.chats SET status_code = $2, operator_ids = $3::uuid[], updated_at = now() WHERE id = $1`, [
          chat.id,
          chat.status_code,
          chat.operator_ids,
        ]);
      }
      for (const activity of ctx.activities) await recordActivity(manager, { chatId: chat.id, actorEmployeeId: viewer.employeeId, activity });
      // Operators who were just removed must still hear about it, so the feed audience includes them.
      const removedOperators = original.operator_ids.filter((id) => !chat.operator_ids.includes(id));
      await emitEvents(manager, ctx.events, () => (removedOperators.length > 0 ? { operatorIds: [...chat.operator_ids, ...removedOperators] } : undefined));
    });
    this.onCommitted();
  }

  private async status(manager: EntityManager, code: string): Promise<StatusRow> {
    const rows = (await manager.query(`SELECT code, is_closed FROM chat.statuses WHERE code = $1`, [code])) as StatusRow[];
    if (!rows[0]) throw badUserInput(`Status "${code}" is not in the status list`, 'statusCode');
    return rows[0];
  }

  private setStatus(ctx: ActionContext, status: StatusRow, reason: 'changed' | 'taken-into-work' | 'ended'): void {
    if (ctx.chat.status_code === status.code) return;
    const from = ctx.chat.status_code;
    ctx.chat.status_code = status.code;
    if (reason === 'changed') ctx.activities.push({ type: 'status-changed', from, to: status.code });
    if (reason === 'ended') ctx.activities.push({ type: 'ended', from, to: status.code });
    ctx.events.push(
      chatEvents.statusChanged({
        chatId: ctx.chat.id,
        chatNumber: Number(ctx.chat.number),
        byEmployeeId: ctx.viewer.employeeId,
        at: ctx.at,
        from,
        to: status.code,
        isClosed: status.is_closed,
        reason,
      }),
    );
  }

  private setOperators(ctx: ActionContext, operatorIds: string[], reason: 'taken-into-work' | 'assigned' | 'added' | 'left'): void {
    const before = ctx.chat.operator_ids;
    const added = operatorIds.filter((id) => !before.includes(id));
    const removed = before.filter((id) => !operatorIds.includes(id));
    if (added.length === 0 && removed.length === 0) return;
    ctx.chat.operator_ids = operatorIds;
    if (reason === 'assigned') ctx.activities.push({ type: 'operators-assigned', operatorIds });
    if (reason === 'added') ctx.activities.push({ type: 'operators-added', operatorIds: added });
    if (reason === 'left') ctx.activities.push({ type: 'left' });
    ctx.events.push(
      chatEvents.operatorsChanged({
        chatId: ctx.chat.id,
        chatNumber: Number(ctx.chat.number),
        connectionId: ctx.chat.connection_id,
        byEmployeeId: ctx.viewer.employeeId,
        at: ctx.at,
        operatorIds,
        added,
        removed,
        reason,
      }),
    );
  }
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

