import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { notFound, parseInput, requirePrincipal, type SubgraphContext } from '@switchboard/service-kit';
import { z } from 'zod';
import type { ChatQueryService, ChatRecord, MessageRecord, Page } from '../chats/chat-query.service';
import type { SendMessageService } from '../messages/send-message.service';

const pageArgs = (max: number) =>
  z.object({
    first: z.number().int().min(1, 'first must be at least 1').max(max, `first must be at most ${max}`),
    after: z.string().min(1).nullish().transform((v) => v ?? undefined),
  });

const sendMessageInput = z.object({
  chatId: z.uuid('chatId must be a chat id'),
  text: z.string().trim().min(1, 'text must not be empty').max(4096, 'text must be at most 4096 characters'),
  replyToMessageId: z.uuid().nullish().transform((v) => v ?? undefined),
});

const upper = (value: string) => value.toUpperCase().replace(/-/g, '_');

function connection<T, N>(page: Page<T>, map: (row: T) => N) {
  return {
    edges: page.items.map((row, i) => ({ cursor: page.cursors[i]!, node: map(row) })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors[page.cursors.length - 1] ?? null },
  };
}

function iso(value: Date | null): string | null {
  return value ? new Date(value).toISOString() : null;
}

export function chatView(row: ChatRecord) {
  return {
    id: row.id,
    number: Number(row.number),
    source: { channel: upper(row.channel), connectionId: row.connection_id, displayName: row.connection_display_name },
    customer: {
      id: row.customer_id,
      displayName: row.customer_display_name,
      username: row.customer_username,
      phone: row.customer_phone,
      profileUrl: row.customer_profile_url,
    },
    status: { code: row.status_code, name: row.status_name, isClosed: row.status_is_closed },
    unanswered: row.unanswered,
    lastMessageAt: iso(row.last_message_at),
    lastMessagePreview: row.last_message_preview,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export function messageView(row: MessageRecord) {
  return {
    id: row.id,
    direction: upper(row.direction),
    text: row.text,
    attachments: row.attachments,
    location: row.location,
    contact: row.contact,
    placeholder: row.placeholder,
    reactions: row.reactions,
    sentAt: new Date(row.sent_at).toISOString(),
    editedAt: iso(row.edited_at),
    deleted: row.deleted_at !== null,
    author: row.author_employee_id ? { __typename: 'Employee', id: row.author_employee_id } : null,
    deliveryState: row.delivery_state ? upper(row.delivery_state) : null,
    failure: row.failure_code ? { code: row.failure_code, message: row.failure_message ?? '' } : null,
  };
}

export function chatResolvers(deps: { queries: ChatQueryService; sender: SendMessageService }): GraphQLResolverMap<SubgraphContext> {
  const { queries, sender } = deps;
  return {
    Query: {
      chats: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        const { first, after } = parseInput(pageArgs(100), args);
        const [page, totalCount] = await Promise.all([queries.listChats({ first, after }), queries.totalChats()]);
        return { ...connection(page, chatView), totalCount };
      },
      chat: async (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        const { id } = parseInput(z.object({ id: z.uuid('id must be a chat id') }), args);
        const row = await queries.getChat(id);
        return row ? chatView(row) : null;
      },
    },
    Mutation: {
      sendMessage: async (_: unknown, args: { input: unknown }, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const input = parseInput(sendMessageInput, args.input);
        const { messageId, chatId } = await sender.send(principal, input);
        const page = await queries.listMessages({ chatId, first: 50 });
        const stored = page.items.find((m) => m.id === messageId);
        if (!stored) throw notFound(`Message ${messageId} vanished right after it was stored`);
        return { message: messageView(stored) };
      },
    },
    Chat: {
      __resolveReference: async (ref: { id: string }, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        const row = await queries.getChat(ref.id);
        return row ? chatView(row) : null;
      },
      messages: async (chat: { id: string }, args: unknown, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        const { first, after } = parseInput(pageArgs(200), args);
        return connection(await queries.listMessages({ chatId: chat.id, first, after }), messageView);
      },
    },
  };
}
