import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract';
import { linkedEntityRefSchema } from '../tasks-events/tasks.events';

/*
 * Public events of the CRM directory (topic crm.events.v1, key = chat id, so every link change of one chat
 * stays in order beside that chat's own events). A chat's link is a typed reference (kind + id), never a
 * foreign key: another CRM module may own the records and publish these same events instead of this
 * directory. Published through the crm service's outbox: an event exists if and only if the change committed.
 */

/** Why a chat is linked to a record: an employee chose it ("Вибрати зв'язок"), or the directory matched or created it. */
export const CHAT_LINK_ORIGINS = ['employee', 'matched', 'created'] as const;
export const chatLinkOriginSchema = z.enum(CHAT_LINK_ORIGINS);
export type ChatLinkOrigin = z.infer<typeof chatLinkOriginSchema>;

/** Which customer datum matched an existing record. */
export const CUSTOMER_MATCH_KINDS = ['phone', 'email', 'social'] as const;
export const customerMatchKindSchema = z.enum(CUSTOMER_MATCH_KINDS);
export type CustomerMatchKind = z.infer<typeof customerMatchKindSchema>;

export const CrmChatLinkedV1 = defineEvent({
  type: 'crm.chat-linked',
  version: 1,
  description:
    "A chat was linked to a CRM record (D2 Вибрати зв'язок), or its link moved to another record. `origin` says who decided: an employee, a match on the customer's phone, e-mail or social profile (`matchedBy`), or a record created for a new customer.",
  schema: z.object({
    chatId: z.uuid(),
    target: linkedEntityRefSchema,
    /** The record the chat was linked to before; absent when it had no link. */
    previous: linkedEntityRefSchema.optional(),
    origin: chatLinkOriginSchema,
    matchedBy: customerMatchKindSchema.optional(),
    /** The employee who linked it (origin employee). */
    byEmployeeId: z.uuid().optional(),
    linkedAt: z.iso.datetime({ offset: true }),
  }),
});

export const CrmChatUnlinkedV1 = defineEvent({
  type: 'crm.chat-unlinked',
  version: 1,
  description: 'A chat lost its link to a CRM record: an employee removed it, or the chat was deleted (D3).',
  schema: z.object({
    chatId: z.uuid(),
    previous: linkedEntityRefSchema,
    reason: z.enum(['employee', 'chat-deleted']),
    byEmployeeId: z.uuid().optional(),
    unlinkedAt: z.iso.datetime({ offset: true }),
  }),
});

export const CRM_EVENTS = [CrmChatLinkedV1, CrmChatUnlinkedV1] as const;
export type CrmChatLinked = z.output<typeof CrmChatLinkedV1.schema>;
export type CrmChatUnlinked = z.output<typeof CrmChatUnlinkedV1.schema>;
