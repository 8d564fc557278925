import type { ChatLinkOrigin, CustomerMatchKind, Envelope } from '@switchboard/contracts';
import { enqueueOutbox } from '@switchboard/messaging';
import { queryRows, type Queryable } from '@switchboard/persistence';
import type { Principal } from '@switchboard/service-kit';
import type { DataSource } from 'typeorm';
import { CRM_ERROR_REASONS, chatNotFound, refused } from '../common/crm.errors';
import { CRM_SCHEMA } from '../crm.config';
import { chatLinkEvents } from './chat-link-events';
import { CHAT_LINK_COLUMNS, lockChat, sameTarget, targetOf, type ChatLinkRow, type LinkTarget } from './chat-link.row';

const TARGET_TABLE = { client: 'crm.clients', lead: 'crm.leads', order: 'crm.orders' } as const;

/** An automatic link decided by the matcher. */
export interface AutomaticLink {
  target: LinkTarget;
  origin: Exclude<ChatLinkOrigin, 'employee'>;
  matchedBy?: CustomerMatchKind;
}

/**
 * Chats' links to directory records. Every change writes crm.chat-linked / crm.chat-unlinked to the
 * outbox in its own transaction (the event exists exactly when the change does); a change to what is
 * already there writes nothing, so retried mutations and redelivered events publish nothing twice.
 * Callers check chat visibility first (the chat service owns it); this class owns the link rules.
 */
export class ChatLinkService {
  constructor(
    private readonly dataSource: DataSource,
    /** Called after a transaction that wrote events committed (wakes the outbox relay). */
    private readonly onEvents: () => void,
  ) {}

  /** Current links (with a target) of these chats. */
  async linksOf(chatIds: readonly string[]): Promise<Map<string, ChatLinkRow>> {
    if (chatIds.length === 0) return new Map();
    const rows = await queryRows<ChatLinkRow>(
      this.dataSource,
      `SELECT ${CHAT_LINK_COLUMNS} FROM crm.chat_links WHERE chat_id = ANY($1::uuid[]) AND target_id IS NOT NULL`,
      [[...new Set(chatIds)]],
    );
    return new Map(rows.map((row) => [row.chat_id, row]));
  }

  /** "Вибрати зв'язок": an employee's choice, which automatic matching never overrides afterwards. */
  async link(principal: Principal, chatId: string, target: LinkTarget): Promise<void> {
    await this.change(chatId, async (manager, current) => {
      const exists = await queryRows(manager, `SELECT 1 FROM ${TARGET_TABLE[target.kind]} WHERE id = $1`, [target.id]);
      if (exists.length === 0) throw refused(CRM_ERROR_REASONS.targetNotFound, `No ${target.kind} ${target.id} in the directory`, 'target.id');
      const [row] = await queryRows<ChatLinkRow>(
        manager,
        `INSERT INTO crm.chat_links (chat_id, target_kind, target_id, origin, matched_by, linked_by, linked_at) VALUES ($1, $2, $3, 'employee', NULL, $4, now())
         ON CONFLICT (chat_id) DO UPDATE SET target_kind = EXCLUDED.target_kind, target_id = EXCLUDED.target_id, origin = 'employee', matched_by = NULL,
           linked_by = EXCLUDED.linked_by, linked_at = CASE WHEN crm.chat_links.target_id IS NOT DISTINCT FROM EXCLUDED.target_id THEN crm.chat_links.linked_at ELSE now() END
         RETURNING ${CHAT_LINK_COLUMNS}`,
        [chatId, target.kind, target.id, principal.employeeId],
      );
      const previous = targetOf(current);
      // Confirming the link an automatic match made takes it over (origin employee) but changes no target: no event.
      if (sameTarget(previous, target)) return [];
      return [
        chatLinkEvents.linked({
          chatId,
          target,
          ...(previous ? { previous } : {}),
          origin: 'employee',
          byEmployeeId: principal.employeeId,
          linkedAt: row!.linked_at.toISOString(),
        }),
      ];
    });
  }

  /** Removes the link and remembers that an employee wants none: automatic matching leaves the chat alone. */
  async unlink(principal: Principal, chatId: string): Promise<void> {
    await this.change(chatId, async (manager, current) => {
      await manager.query(
        `INSERT INTO crm.chat_links (chat_id, target_kind, target_id, origin, linked_by, linked_at) VALUES ($1, NULL, NULL, 'employee', $2, now())
         ON CONFLICT (chat_id) DO UPDATE SET target_kind = NULL, target_id = NULL, origin = 'employee', matched_by = NULL, linked_by = EXCLUDED.linked_by, linked_at = now()`,
        [chatId, principal.employeeId],
      );
      const previous = targetOf(current);
      if (!previous) return [];
      return [chatLinkEvents.unlinked({ chatId, previous, reason: 'employee', byEmployeeId: principal.employeeId, unlinkedAt: new Date().toISOString() })];
    });
  }

  /**
   * Links a chat as the matcher decided, unless an employee decided about it already or it is deleted.
   * Returns whether the link changed.
   */
  async linkAutomatically(manager: Queryable, chatId: string, link: AutomaticLink, cause: Envelope): Promise<boolean> {
    const current = await this.lockedCurrent(manager, chatId);
    if (current === 'deleted' || current?.origin === 'employee') return false;
    const previous = targetOf(current);
    if (sameTarget(previous, link.target)) return false;
    const [row] = await queryRows<ChatLinkRow>(
      manager,
      `INSERT INTO crm.chat_links (chat_id, target_kind, target_id, origin, matched_by, linked_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (chat_id) DO UPDATE SET target_kind = EXCLUDED.target_kind, target_id = EXCLUDED.target_id, origin = EXCLUDED.origin,
         matched_by = EXCLUDED.matched_by, linked_by = NULL, linked_at = now()
       RETURNING ${CHAT_LINK_COLUMNS}`,
      [chatId, link.target.kind, link.target.id, link.origin, link.matchedBy ?? null],
    );
    const event = chatLinkEvents.linked(
      {
        chatId,
        target: link.target,
        ...(previous ? { previous } : {}),
        origin: link.origin,
        ...(link.matchedBy ? { matchedBy: link.matchedBy } : {}),
        linkedAt: row!.linked_at.toISOString(),
      },
      cause,
    );
    await enqueueOutbox(manager, CRM_SCHEMA, [event]);
    return true;
  }

  /** The chat's link row under the chat lock, or 'deleted' for a chat the chat service deleted. */
  async lockedCurrent(manager: Queryable, chatId: string): Promise<ChatLinkRow | 'deleted' | undefined> {
    await lockChat(manager, chatId);
    const deleted = await queryRows(manager, `SELECT 1 FROM crm.deleted_chats WHERE chat_id = $1`, [chatId]);
    if (deleted.length > 0) return 'deleted';
    const rows = await queryRows<ChatLinkRow>(manager, `SELECT ${CHAT_LINK_COLUMNS} FROM crm.chat_links WHERE chat_id = $1`, [chatId]);
    return rows[0];
  }

  /** chat.deleted: the link goes (with crm.chat-unlinked) and the chat can never be linked again. */
  async dropForDeletedChat(chatId: string, deletedAt: Date, cause: Envelope): Promise<boolean> {
    const dropped = await this.dataSource.transaction(async (manager) => {
      await lockChat(manager, chatId);
      await manager.query(`INSERT INTO crm.deleted_chats (chat_id, deleted_at) VALUES ($1, $2) ON CONFLICT (chat_id) DO NOTHING`, [chatId, deletedAt]);
      const removed = await queryRows<ChatLinkRow>(manager, `DELETE FROM crm.chat_links WHERE chat_id = $1 RETURNING ${CHAT_LINK_COLUMNS}`, [chatId]);
      const previous = targetOf(removed[0]);
      if (!previous) return false;
      await enqueueOutbox(manager, CRM_SCHEMA, [chatLinkEvents.unlinked({ chatId, previous, reason: 'chat-deleted', unlinkedAt: deletedAt.toISOString() }, cause)]);
      return true;
    });
    if (dropped) this.onEvents();
    return dropped;
  }

  private async change(
    chatId: string,
    work: (manager: Queryable, current: ChatLinkRow | undefined) => Promise<ReturnType<typeof chatLinkEvents.linked>[]>,
  ): Promise<void> {
    const published = await this.dataSource.transaction(async (manager) => {
      const current = await this.lockedCurrent(manager, chatId);
      // The chat service may still answer "visible" for a moment after the deletion event reached us.
      if (current === 'deleted') throw chatNotFound(chatId);
      const events = await work(manager, current);
      await enqueueOutbox(manager, CRM_SCHEMA, events);
      return events.length;
    });
    if (published > 0) this.onEvents();
  }
}
