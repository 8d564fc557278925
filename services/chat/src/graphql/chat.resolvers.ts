import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { CHANNEL_KINDS } from '@switchboard/contracts';
import { auditLogResolver, notFound, parseInput, requireAdmin, requirePrincipal, type Principal, type SubgraphContext } from '@switchboard/service-kit';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { chatNotFound, loadViewer } from '../access/viewer';
import { CHAT_SCHEMA } from '../chat.config';
import type { ConnectionMembersService } from '../access/connection-members.service';
import type { CannedAnswerService } from '../canned-answers/canned-answer.service';
import { TEMPLATE_VARIABLES } from '../canned-answers/canned-answer.template';
import type { ChatActionsService } from '../chats/chat-actions.service';
import type { ChatListType, ChatQueryService, Page } from '../chats/chat-query.service';
import type { SendMessageService } from '../messages/send-message.service';
import type { NoteService } from '../notes/note.service';
import type { ReadStateService } from '../reads/read-state.service';
import type { ChatSearchService } from '../search/chat-search.service';
import type { StatusService } from '../statuses/status.service';
import type { ReportTypingService } from '../typing/report-typing.service';
import { cannedAnswerView, chatView, employeeRef, messageView, noteView, statusView, timelineItemView } from './chat.views';
import { replyWindowOfChat, replyWindowView } from '../messages/reply-window';

export interface ChatResolverDeps {
  dataSource: DataSource;
  queries: ChatQueryService;
  sender: SendMessageService;
  actions: ChatActionsService;
  notes: NoteService;
  reads: ReadStateService;
  statuses: StatusService;
  cannedAnswers: CannedAnswerService;
  members: ConnectionMembersService;
  search: ChatSearchService;
  typing: ReportTypingService;
}

const MAX_CHAT_PAGE = 100;
const MAX_TIMELINE_PAGE = 200;

const pageArgs = (max: number) => ({
  first: z.number().int().min(1, 'first must be at least 1').max(max, `first must be at most ${max}`),
  after: z.string().min(1).nullish().transform((v) => v ?? undefined),
});

const id = (what: string) => z.uuid(`${what} must be an id`);
const ids = (what: string) => z.array(id(what)).max(100, `at most 100 ${what}s`);
const text = (field: string) =>
  z.string().trim().min(1, `${field} must not be empty`).max(4096, `${field} must be at most 4096 characters`);

const channelEnum = z.enum(CHANNEL_KINDS.map((c) => c.toUpperCase().replace(/-/g, '_')) as [string, ...string[]]);
const listTypes = { ALL: 'all', UNASSIGNED: 'unassigned', ASSIGNED_TO_ME: 'assigned_to_me', UNANSWERED: 'unanswered' } as const satisfies Record<string, ChatListType>;

/** A capped count is a list walk of that many chats: capped like a page, a hundred pages at most. */
const MAX_COUNT_UP_TO = 10_000;
const countsArgsSchema = z.object({
  upTo: z
    .number()
    .int()
    .min(1, 'upTo must be at least 1')
    .max(MAX_COUNT_UP_TO, `upTo must be at most ${MAX_COUNT_UP_TO}`)
    .nullish()
    .transform((v) => v ?? undefined),
});

const chatsArgs = z.object({
  ...pageArgs(MAX_CHAT_PAGE),
  filter: z
    .object({
      channels: z.array(channelEnum).nullish(),
      type: z.enum(Object.keys(listTypes) as (keyof typeof listTypes)[]).nullish(),
      operatorIds: ids('operator id').nullish(),
      statusCodes: z.array(z.string().min(1)).max(50).nullish(),
      search: z.string().max(200, 'search must be at most 200 characters').nullish(),
    })
    .nullish(),
});

const searchQuery = z.string().trim().min(1, 'query must not be empty').max(200, 'query must be at most 200 characters');

const sendMessageInput = z
  .object({
    chatId: id('chatId'),
    // Empty only when files are attached: a file may go without a caption.
    text: z.string().trim().max(4096, 'text must be at most 4096 characters'),
    replyToMessageId: id('replyToMessageId').nullish().transform((v) => v ?? undefined),
    commentReply: z
      .enum(['PUBLIC', 'PRIVATE'])
      .nullish()
      .transform((v) => (v ? (v === 'PRIVATE' ? ('private' as const) : ('public' as const)) : undefined)),
    fileIds: z
      .array(id('fileIds'))
      .max(10, 'at most 10 files per message')
      .refine((list) => new Set(list).size === list.length, 'a file may be attached once')
      .nullish()
      .transform((v) => v ?? []),
  })
  .refine((input) => input.text !== '' || input.fileIds.length > 0, { message: 'text must not be empty', path: ['text'] });

const sendTemplateMessageInput = z.object({
  chatId: id('chatId'),
  name: z.string().min(1, 'name must not be empty').max(512),
  language: z.string().regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, 'language must be a template language code such as en_US or uk'),
  bodyParameters: z.array(z.string().min(1, 'a body parameter must not be empty').max(1024)).max(100).default([]),
  text: text('text'),
});

const statusCode = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'code must be 2-40 characters: lowercase letters, digits and _, starting with a letter');
const statusName = z.string().trim().min(1, 'name must not be empty').max(60, 'name must be at most 60 characters');
const cannedAnswerFields = {
  shortcode: z.string().regex(/^[\p{L}\p{N}_-]{1,32}$/u, 'shortcode must be 1-32 letters, digits, _ or -'),
  title: z.string().trim().min(1, 'title must not be empty').max(100, 'title must be at most 100 characters'),
  body: text('body'),
};

function connection<T, N>(page: Page<T>, map: (row: T) => N) {
  return {
    edges: page.items.map((row, i) => ({ cursor: page.cursors[i]!, node: map(row) })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors[page.cursors.length - 1] ?? null },
  };
}

export function chatResolvers(deps: ChatResolverDeps): GraphQLResolverMap<SubgraphContext> {
  const { dataSource, queries } = deps;
  /** Who acted, for the audit entry an admin action writes in its transaction (decision 0027). */
  const auditBy = (actor: Principal, ctx: SubgraphContext) => ({ actor, ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}) });

  /** The chat as the caller sees it now; the chat exists (an action on it just committed). */
  const visibleChat = async (principal: Principal, chatId: string) => {
    const row = await queries.getChat(await loadViewer(dataSource, principal), chatId);
    if (!row) throw chatNotFound(chatId);
    return chatView(row);
  };
  /** A chat action mutation: validate, act, answer with the chat as the caller sees it now (maybe no longer). */
  const chatAction =
    (act: (principal: Principal, chatId: string, args: Record<string, unknown>) => Promise<void>) =>
    async (_: unknown, args: Record<string, unknown>, ctx: SubgraphContext) => {
      const principal = requirePrincipal(ctx.principal);
      const { chatId } = parseInput(z.object({ chatId: id('chatId') }), args);
      await act(principal, chatId, args);
      const row = await queries.getChat(await loadViewer(dataSource, principal), chatId);
      return { chat: row ? chatView(row) : null };
    };

  return {
    Query: {
      chats: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const { first, after, filter } = parseInput(chatsArgs, args);
        const viewer = await loadViewer(dataSource, principal);
        const listFilter = {
          channels: filter?.channels?.map((c) => c.toLowerCase().replace(/_/g, '-')),
          type: filter?.type ? listTypes[filter.type] : undefined,
          operatorIds: filter?.operatorIds ?? undefined,
          statusCodes: filter?.statusCodes ?? undefined,
          search: filter?.search?.trim() || undefined,
        };
        const page = await queries.listChats(viewer, { filter: listFilter, first, after });
        // Counting visits every matching chat, paging only the first few: count only when the client
        // selects totalCount or counts (graphql-js calls a function-valued field lazily), and once for both.
        let counting: ReturnType<ChatQueryService['countChats']> | undefined;
        const exactCounts = () => (counting ??= queries.countChats(viewer, listFilter));
        const counts = async (countsArgs: unknown) => {
          const { upTo } = parseInput(countsArgsSchema, countsArgs);
          return upTo === undefined ? exactCounts() : queries.countChatsUpTo(viewer, listFilter, upTo);
        };
        const totalCount = async () => {
          const all = await exactCounts();
          return { all: all.all, unassigned: all.unassigned, assigned_to_me: all.assignedToMe, unanswered: all.unanswered }[listFilter.type ?? 'all'];
        };
        return { ...connection(page, chatView), totalCount, counts };
      },
      searchChats: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const input = parseInput(z.object({ query: searchQuery, ...pageArgs(50) }), args);
        const page = await deps.search.searchChats(await loadViewer(dataSource, principal), input);
        return connection(page, (hit) => ({
          chat: chatView(hit.chat),
          matchedIn: hit.matchedIn.toUpperCase(),
          item: hit.message ? timelineItemView(hit.message) : null,
          fragment: hit.fragment,
        }));
      },
      chat: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const { id: chatId } = parseInput(z.object({ id: id('id') }), args);
        const row = await queries.getChat(await loadViewer(dataSource, principal), chatId);
        return row ? chatView(row) : null;
      },
      chatStatuses: async (_: unknown, __: unknown, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        return (await deps.statuses.list()).map(statusView);
      },
      cannedAnswers: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const { query } = parseInput(z.object({ query: z.string().max(100).nullish().transform((v) => v ?? undefined) }), args);
        return (await deps.cannedAnswers.list(principal, { query })).map(cannedAnswerView);
      },
      cannedAnswerVariables: (_: unknown, __: unknown, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        return Object.entries(TEMPLATE_VARIABLES).map(([name, description]) => ({ name, description }));
      },
      renderCannedAnswer: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const input = parseInput(z.object({ id: id('id'), chatId: id('chatId') }), args);
        const rendered = await deps.cannedAnswers.render(principal, input);
        return { text: rendered.text, missingVariables: rendered.missing };
      },
      connectionMembers: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        requireAdmin(ctx.principal);
        const { connectionId } = parseInput(z.object({ connectionId: id('connectionId') }), args);
        return { connectionId, members: (await deps.members.members(connectionId)).map(employeeRef) };
      },
      chatAuditLog: auditLogResolver(dataSource, CHAT_SCHEMA),
    },
    Mutation: {
      sendMessage: async (_: unknown, args: { input: unknown }, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const input = parseInput(sendMessageInput, args.input);
        const { messageId, chatId } = await deps.sender.send(principal, input);
        const stored = await queries.getTimelineItem(chatId, messageId);
        if (!stored) throw notFound(`Message ${messageId} vanished right after it was stored`);
        return { message: messageView(stored) };
      },
      sendTemplateMessage: async (_: unknown, args: { input: unknown }, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const { chatId, name, language, bodyParameters, text: rendered } = parseInput(sendTemplateMessageInput, args.input);
        const { messageId } = await deps.sender.send(principal, { chatId, text: rendered, template: { name, language, bodyParameters } });
        const stored = await queries.getTimelineItem(chatId, messageId);
        if (!stored) throw notFound(`Message ${messageId} vanished right after it was stored`);
        return { message: messageView(stored) };
      },
      addNote: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const input = parseInput(z.object({ chatId: id('chatId'), text: text('text') }), args);
        const { noteId } = await deps.notes.addNote(principal, input);
        const stored = await queries.getTimelineItem(input.chatId, noteId);
        if (!stored) throw notFound(`Note ${noteId} vanished right after it was stored`);
        return { note: noteView(stored) };
      },
      changeChatStatus: chatAction((principal, chatId, args) =>
        deps.actions.changeStatus(principal, { chatId, statusCode: parseInput(z.object({ statusCode: z.string().min(1) }), args).statusCode }),
      ),
      takeChatIntoWork: chatAction((principal, chatId) => deps.actions.takeIntoWork(principal, { chatId })),
      endChat: chatAction((principal, chatId) => deps.actions.endChat(principal, { chatId })),
      leaveChat: chatAction((principal, chatId) => deps.actions.leaveChat(principal, { chatId })),
      assignChatOperators: chatAction((principal, chatId, args) =>
        deps.actions.assignOperators(principal, { chatId, operatorIds: parseInput(z.object({ operatorIds: ids('operator id') }), args).operatorIds }),
      ),
      addChatOperators: chatAction((principal, chatId, args) =>
        deps.actions.addOperators(principal, { chatId, operatorIds: parseInput(z.object({ operatorIds: ids('operator id').min(1, 'name at least one operator') }), args).operatorIds }),
      ),
      deleteChat: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const { chatId } = parseInput(z.object({ chatId: id('chatId') }), args);
        await deps.actions.deleteChat(principal, { chatId, correlationId: ctx.correlationId });
        return { deletedChatId: chatId };
      },
      reportTyping: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const { chatId } = parseInput(z.object({ chatId: id('chatId') }), args);
        return deps.typing.report(principal, chatId);
      },
      markChatRead: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const input = parseInput(z.object({ chatId: id('chatId'), upToMessageId: id('upToMessageId').nullish().transform((v) => v ?? undefined) }), args);
        await deps.reads.markRead(principal, input);
        return { chat: await visibleChat(principal, input.chatId) };
      },
      createCannedAnswer: async (_: unknown, args: { input: unknown }, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const input = parseInput(z.object({ ...cannedAnswerFields, shared: z.boolean().nullish().transform((v) => v ?? false) }), args.input);
        return cannedAnswerView(await deps.cannedAnswers.create(principal, input));
      },
      updateCannedAnswer: async (_: unknown, args: { input: unknown }, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const input = parseInput(z.object({ id: id('id'), ...cannedAnswerFields }), args.input);
        return cannedAnswerView(await deps.cannedAnswers.update(principal, input));
      },
      deleteCannedAnswer: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const { id: answerId } = parseInput(z.object({ id: id('id') }), args);
        await deps.cannedAnswers.delete(principal, answerId);
        return answerId;
      },
      createChatStatus: async (_: unknown, args: { input: unknown }, ctx: SubgraphContext) => {
        const admin = requireAdmin(ctx.principal);
        const input = parseInput(z.object({ code: statusCode, name: statusName, isClosed: z.boolean().nullish().transform((v) => v ?? false) }), args.input);
        return statusView(await deps.statuses.create(input, auditBy(admin, ctx)));
      },
      updateChatStatus: async (_: unknown, args: { input: unknown }, ctx: SubgraphContext) => {
        const admin = requireAdmin(ctx.principal);
        const input = parseInput(
          z.object({
            code: z.string().min(1),
            name: statusName.nullish().transform((v) => v ?? undefined),
            isClosed: z.boolean().nullish().transform((v) => v ?? undefined),
          }),
          args.input,
        );
        return statusView(await deps.statuses.update(input, auditBy(admin, ctx)));
      },
      reorderChatStatuses: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const admin = requireAdmin(ctx.principal);
        const { codes } = parseInput(z.object({ codes: z.array(z.string().min(1)).min(1).max(50) }), args);
        return (await deps.statuses.reorder(codes, auditBy(admin, ctx))).map(statusView);
      },
      setConnectionMembers: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const admin = requireAdmin(ctx.principal);
        const input = parseInput(z.object({ connectionId: id('connectionId'), employeeIds: ids('employee id') }), args);
        const members = await deps.members.setMembers({ ...input, byEmployeeId: admin.employeeId }, auditBy(admin, ctx));
        return { connectionId: input.connectionId, members: members.map(employeeRef) };
      },
    },
    Chat: {
      __resolveReference: async (ref: { id: string }, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const row = await queries.getChat(await loadViewer(dataSource, principal), ref.id);
        return row ? chatView(row) : null;
      },
      replyWindow: async (chat: { id: string }, _args: unknown, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        const window = await replyWindowOfChat(dataSource, chat.id);
        if (!window) throw notFound(`Chat ${chat.id} does not exist`);
        return replyWindowView(window);
      },
      // Chat objects only ever come from queries that checked visibility, so the timeline needs no second check.
      messages: async (chat: { id: string }, args: unknown, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        const { first, after } = parseInput(z.object(pageArgs(MAX_TIMELINE_PAGE)), args);
        return connection(await queries.listTimeline({ chatId: chat.id, kinds: ['message'], first, after }), messageView);
      },
      timeline: async (chat: { id: string }, args: unknown, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        const { first, after } = parseInput(z.object(pageArgs(MAX_TIMELINE_PAGE)), args);
        return connection(await queries.listTimeline({ chatId: chat.id, kinds: ['message', 'note', 'activity'], first, after }), timelineItemView);
      },
      searchTimeline: async (chat: { id: string }, args: unknown, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        const input = parseInput(z.object({ query: searchQuery, ...pageArgs(100) }), args);
        const page = await deps.search.searchInChat({ chatId: chat.id, ...input });
        return connection(page, (hit) => ({ item: timelineItemView(hit.message), fragment: hit.fragment }));
      },
      timelineAround: async (chat: { id: string }, args: unknown, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        const input = parseInput(z.object({ itemId: id('itemId'), radius: z.number().int().min(1).max(50, 'radius must be at most 50') }), args);
        const items = await queries.timelineAround({ chatId: chat.id, ...input });
        if (!items) throw notFound(`Item ${input.itemId} is not in this chat`);
        return items.map(timelineItemView);
      },
    },
    TimelineItem: {
      __resolveType: (item: { __typename: string }) => item.__typename,
    },
  };
}
