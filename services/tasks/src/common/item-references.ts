import type { LinkedEntityRef } from '@switchboard/contracts';
import type { ChatVisibilityClient, Principal } from '@switchboard/service-kit';
import { TASK_ERROR_REASONS, refused } from './tasks.errors';

/** What an item was created from: a chat the creator may see (D2), and/or a CRM entity. */
export interface ItemReferences {
  chat?: { chatId: string; chatNumber: number };
  linkedEntity?: LinkedEntityRef;
}

/** The reference columns as stored (see the init migration). */
export interface ReferenceRow {
  chat_id: string | null;
  chat_number: string | number | null;
  entity_kind: LinkedEntityRef['kind'] | null;
  entity_id: string | null;
}

/** Checks what the client sent: the chat through the chat service (it owns visibility), and takes the number from it, never from the client. */
export async function resolveReferences(
  chats: ChatVisibilityClient,
  principal: Principal,
  input: { chatId?: string; linkedEntity?: LinkedEntityRef },
): Promise<ItemReferences> {
  const references: ItemReferences = input.linkedEntity ? { linkedEntity: input.linkedEntity } : {};
  if (input.chatId === undefined) return references;
  const visibility = await chats.check(principal, input.chatId);
  if (!visibility.visible) throw refused(TASK_ERROR_REASONS.chatNotVisible, `Chat ${input.chatId} does not exist or you may not see it`, 'chatId');
  return { ...references, chat: visibility.chat };
}

/** Parameter values for the reference columns, in column order: chat_id, chat_number, entity_kind, entity_id. */
export function referenceParams(references: ItemReferences): [string | null, number | null, string | null, string | null] {
  return [references.chat?.chatId ?? null, references.chat?.chatNumber ?? null, references.linkedEntity?.kind ?? null, references.linkedEntity?.id ?? null];
}

export function referencesOf(row: ReferenceRow): ItemReferences {
  return {
    ...(row.chat_id !== null && row.chat_number !== null ? { chat: { chatId: row.chat_id, chatNumber: Number(row.chat_number) } } : {}),
    ...(row.entity_kind !== null && row.entity_id !== null ? { linkedEntity: { kind: row.entity_kind, id: row.entity_id } } : {}),
  };
}
