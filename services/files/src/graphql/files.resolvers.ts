import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { notFound, parseInput, requirePrincipal, type ChatVisibilityClient, type Principal, type SubgraphContext } from '@switchboard/service-kit';
import { z } from 'zod';
import type { FileRepository } from '../files/file.repository';
import type { FileRow } from '../files/file.row';
import { UPLOAD_PATH, type PublicBaseUrl } from '../http/file-links';
import type { LinkTokens } from '../tokens/link-tokens';
import { decodeFileCursor, encodeFileCursor } from './file-cursor';
import { fileView, type FileView } from './file.view';

export interface FilesResolverDeps {
  files: FileRepository;
  chats: ChatVisibilityClient;
  tokens: LinkTokens;
  publicUrl: PublicBaseUrl;
  maxBytes: number;
  uploadTtlSeconds: number;
  downloadTtlSeconds: number;
}

const MAX_PAGE = 100;

export function filesResolvers(deps: FilesResolverDeps): GraphQLResolverMap<SubgraphContext> {
  const view = (row: FileRow) => fileView(row, { links: deps.tokens, publicUrl: deps.publicUrl, ttlSeconds: deps.downloadTtlSeconds });
  /** Visibility is the chat service's to decide (decision 0010); a hidden chat is answered like a missing one. */
  const visible = async (principal: Principal, chatId: string) => (await deps.chats.check(principal, chatId)).visible;

  return {
    Chat: {
      __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
      files: async (chat: { id: string }, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const input = parseInput(
          z.object({ first: z.number().int().min(1, 'first must be at least 1').max(MAX_PAGE, `first must be at most ${MAX_PAGE}`), after: z.string().min(1).nullish() }),
          args,
        );
        const after = input.after ? decodeFileCursor(input.after) : undefined;
        // The gateway only asks for chats the chat subgraph showed, but this subgraph may be called directly.
        if (!(await visible(principal, chat.id))) throw notFound(`Chat ${chat.id} does not exist or is not visible to you`);
        const rows = await deps.files.listByChat(chat.id, { first: input.first, after });
        const page = rows.slice(0, input.first);
        const edges = page.map((row) => ({ cursor: encodeFileCursor(row), node: view(row) }));
        return { edges, pageInfo: { hasNextPage: rows.length > input.first, endCursor: edges[edges.length - 1]?.cursor ?? null } };
      },
    },
    File: {
      uploadedBy: (file: FileView) => (file.uploadedById ? { __typename: 'Employee', id: file.uploadedById } : null),
    },
    Query: {
      file: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const { id } = parseInput(z.object({ id: z.uuid('id must be an id') }), args);
        const row = await deps.files.find(id);
        if (!row || !(await visible(principal, row.chat_id))) return null;
        return view(row);
      },
    },
    Mutation: {
      createFileUpload: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const { chatId } = parseInput(z.object({ chatId: z.uuid('chatId must be an id') }), args);
        if (!(await visible(principal, chatId))) throw notFound(`Chat ${chatId} does not exist or is not visible to you`);
        const link = deps.tokens.sign('upload', { chatId, employeeId: principal.employeeId, role: principal.role }, deps.uploadTtlSeconds);
        return { uploadUrl: deps.publicUrl.link(UPLOAD_PATH, { token: link.token }), expiresAt: link.expiresAt.toISOString(), maxBytes: deps.maxBytes };
      },
    },
  };
}
