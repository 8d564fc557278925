import type { ChatLinkOrigin, CustomerMatchKind, LinkedEntityRef } from '@switchboard/contracts';
import type { Queryable } from '@switchboard/persistence';

/** What a chat may be linked to (D2 Вибрати зв'язок: a lead, a client or an order). */
export const LINK_TARGET_KINDS = ['client', 'lead', 'order'] as const;
export type LinkTargetKind = (typeof LINK_TARGET_KINDS)[number];
export type LinkTarget = { kind: LinkTargetKind; id: string };

export interface ChatLinkRow {
  chat_id: string;
  /** Null only on an employee's "no link" tombstone. */
  target_kind: LinkTargetKind | null;
  target_id: string | null;
  origin: ChatLinkOrigin;
  matched_by: CustomerMatchKind | null;
  linked_by: string | null;
  linked_at: Date;
}

export const CHAT_LINK_COLUMNS = 'chat_id, target_kind, target_id, origin, matched_by, linked_by, linked_at';

export function targetOf(row: ChatLinkRow | undefined): LinkedEntityRef | undefined {
  return row?.target_kind && row.target_id ? { kind: row.target_kind, id: row.target_id } : undefined;
}

export function sameTarget(a: LinkedEntityRef | undefined, b: LinkedEntityRef | undefined): boolean {
  return a?.kind === b?.kind && a?.id === b?.id;
}

/**
 * A transaction-scoped lock on one chat id: employee links, the matcher and the chat.deleted consumer
 * change one chat's link one at a time, so a deletion racing with a link never leaves a link behind.
 */
export async function lockChat(executor: Queryable, chatId: string): Promise<void> {
  await executor.query(`SELECT pg_advisory_xact_lock(hashtext('crm:chat:' || $1))`, [chatId]);
}
