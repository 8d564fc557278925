import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { LINKED_ENTITY_KINDS, type LinkedEntityKind } from '@switchboard/contracts';
import { parseInput, requirePrincipal, type SubgraphContext } from '@switchboard/service-kit';
import { z } from 'zod';
import { CRM_ERROR_REASONS, chatNotFound, refused } from '../common/crm.errors';
import type { UrlPatterns } from '../crm.config';
import type { DirectorySearch } from '../directory/directory-search';
import type { DirectoryService } from '../directory/directory.service';
import { LINK_TARGET_KINDS, type LinkTargetKind } from '../links/chat-link.row';
import type { ChatLinkService } from '../links/chat-link.service';
import type { ChatAccess } from './chat-access';
import type { PanelLoader } from './panel-loader';
import { clientView, companyView, leadView, orderView, searchHitView, socialProfileView, type ClientView, type LeadView, type OrderView } from './crm.views';

export interface CrmResolverDeps {
  directory: DirectoryService;
  search: DirectorySearch;
  links: ChatLinkService;
  access: ChatAccess;
  panels: PanelLoader;
  urls: UrlPatterns;
}

const MAX_SEARCH = 50;
const id = (what: string) => z.uuid(`${what} must be an id`);
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);
const text = (field: string, max: number) => z.string().trim().min(1, `${field} must not be empty`).max(max, `${field} must be at most ${max} characters`);
const webUrl = (field: string) => z.url({ protocol: /^https?$/, message: `${field} must be an http(s) URL` });
/** GraphQL enum values (upper case) to the stored lower-case values. */
const kindOf = <T extends string>(values: readonly T[]) => z.enum(values.map((v) => v.toUpperCase()) as [string, ...string[]]).transform((v) => v.toLowerCase() as T);

const contact = { email: optional(z.string().trim().max(320)), phone: optional(z.string().trim().max(40)) };
const socialProfiles = optional(
  z
    .array(
      z
        .object({ kind: z.string().trim().toLowerCase().min(1).max(40), handle: optional(z.string().trim().min(1).max(200)), url: optional(webUrl('socialProfiles.url')) })
        .refine((p) => p.handle !== undefined || p.url !== undefined, 'a social profile needs a handle or a url'),
    )
    .max(20, 'at most 20 social profiles'),
);
const createClientInput = z.object({ name: text('name', 200), ...contact, companyId: optional(id('companyId')), socialProfiles });
const createCompanyInput = z.object({ name: text('name', 200), website: optional(webUrl('website')), ...contact });
const createLeadInput = z.object({ title: text('title', 200), contactName: text('contactName', 200), ...contact, clientId: optional(id('clientId')), socialProfiles });
const createOrderInput = z.object({
  number: text('number', 64),
  clientId: id('clientId'),
  status: optional(text('status', 40)),
  totalAmount: optional(z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'totalAmount must be a decimal such as 1250.50')),
  currency: optional(z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code such as UAH')),
});
const linkArgs = z.object({ chatId: id('chatId'), target: z.object({ kind: kindOf(LINKED_ENTITY_KINDS), id: z.string().trim().min(1).max(200) }) });

const isLinkTarget = (kind: LinkedEntityKind): kind is LinkTargetKind => (LINK_TARGET_KINDS as readonly string[]).includes(kind);

export function crmResolvers(deps: CrmResolverDeps): GraphQLResolverMap<SubgraphContext> {
  const { directory, urls } = deps;
  /** The chat answered as a federation reference: the gateway resolves its other fields in the chat subgraph. */
  const chatRef = (chatId: string) => ({ __typename: 'Chat', id: chatId });
  const requireVisible = async (ctx: SubgraphContext, chatId: string) => {
    const principal = requirePrincipal(ctx.principal);
    if (!(await deps.access.visible(ctx, principal, chatId))) throw chatNotFound(chatId);
    return principal;
  };
  const socialOf = async (kind: 'client' | 'lead', ownerId: string) => ((await directory.socialProfilesOf([{ kind, id: ownerId }])).get(`${kind}:${ownerId}`) ?? []).map(socialProfileView);

  return {
    Chat: {
      __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
      crm: async (chat: { id: string }, _: unknown, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        // Checked here too, not only by the chat subgraph: this subgraph may be called directly (_entities).
        if (!(await deps.access.visible(ctx, principal, chat.id))) return null;
        return deps.panels.load(ctx, chat.id);
      },
    },
    CrmClient: {
      company: async (client: ClientView) => {
        const row = client.companyId ? await directory.get('company', client.companyId) : undefined;
        return row ? companyView(row, urls) : null;
      },
      socialProfiles: (client: ClientView) => socialOf('client', client.id),
    },
    CrmLead: {
      client: async (lead: LeadView) => {
        const row = lead.clientId ? await directory.get('client', lead.clientId) : undefined;
        return row ? clientView(row, urls) : null;
      },
      socialProfiles: (lead: LeadView) => socialOf('lead', lead.id),
    },
    CrmOrder: {
      client: async (order: OrderView) => {
        const row = await directory.get('client', order.clientId);
        if (!row) throw new Error(`Order ${order.id} names client ${order.clientId}, which does not exist`);
        return clientView(row, urls);
      },
    },
    Query: {
      crmSearch: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        const input = parseInput(
          z.object({
            query: z.string().max(200, 'query must be at most 200 characters'),
            kinds: optional(z.array(kindOf(LINKED_ENTITY_KINDS)).min(1, 'kinds must name at least one kind')),
            first: z.number().int().min(1, 'first must be at least 1').max(MAX_SEARCH, `first must be at most ${MAX_SEARCH}`),
          }),
          args,
        );
        const hits = await deps.search.search({ query: input.query, kinds: [...new Set(input.kinds ?? LINK_TARGET_KINDS)], first: input.first });
        return hits.map((hit) => searchHitView(hit, urls));
      },
    },
    Mutation: {
      linkChat: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const { chatId, target } = parseInput(linkArgs, args);
        if (!isLinkTarget(target.kind)) throw refused(CRM_ERROR_REASONS.unsupportedTarget, 'A chat links to a lead, a client or an order', 'target.kind');
        // This directory's ids are uuids; anything else cannot name one of its records.
        if (!z.uuid().safeParse(target.id).success) throw refused(CRM_ERROR_REASONS.targetNotFound, `No ${target.kind} ${target.id} in the directory`, 'target.id');
        const principal = await requireVisible(ctx, chatId);
        await deps.links.link(principal, chatId, { kind: target.kind, id: target.id });
        return chatRef(chatId);
      },
      unlinkChat: async (_: unknown, args: unknown, ctx: SubgraphContext) => {
        const { chatId } = parseInput(z.object({ chatId: id('chatId') }), args);
        const principal = await requireVisible(ctx, chatId);
        await deps.links.unlink(principal, chatId);
        return chatRef(chatId);
      },
      createCrmClient: async (_: unknown, args: { input: unknown }, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        return clientView(await directory.createClient(parseInput(createClientInput, args.input)), urls);
      },
      createCrmCompany: async (_: unknown, args: { input: unknown }, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        return companyView(await directory.createCompany(parseInput(createCompanyInput, args.input)), urls);
      },
      createCrmLead: async (_: unknown, args: { input: unknown }, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        return leadView(await directory.createLead(parseInput(createLeadInput, args.input)), urls);
      },
      createCrmOrder: async (_: unknown, args: { input: unknown }, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        return orderView(await directory.createOrder(parseInput(createOrderInput, args.input)), urls);
      },
    },
  };
}
