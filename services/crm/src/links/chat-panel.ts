import type { UrlPatterns } from '../crm.config';
import { entityUrl } from '../common/entity-urls';
import type { ClientRow, LeadRow, OrderRow, SocialOwnerKind } from '../directory/directory.rows';
import type { DirectoryService } from '../directory/directory.service';
import { clientView, companyView, leadView, orderView, socialProfileView } from '../graphql/crm.views';
import type { ChatLinkRow } from './chat-link.row';

const upper = (value: string) => value.toUpperCase().replace(/-/g, '_');
const present = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

export type ChatPanel = NonNullable<ReturnType<typeof panelOf>>;

/**
 * What the detail panel (D1) shows for chats' links: the linked record, the contact behind it (the client
 * itself, the order's client, the lead's client) with their company, and the contact data the panel leads
 * with. Loaded for many chats at once (a chat list asking for every row's panel costs a few queries, not a
 * few per row). A chat whose linked record is gone (another module owning the directory may delete) has none.
 */
export async function chatPanels(directory: DirectoryService, urls: UrlPatterns, links: readonly ChatLinkRow[]): Promise<Map<string, ChatPanel>> {
  const idsOf = (kind: ChatLinkRow['target_kind']) => links.filter((l) => l.target_kind === kind).map((l) => l.target_id!);
  const [leads, orders] = await Promise.all([directory.byIds('lead', idsOf('lead')), directory.byIds('order', idsOf('order'))]);
  const clientIds = [...idsOf('client'), ...[...leads.values()].map((l) => l.client_id).filter(present), ...[...orders.values()].map((o) => o.client_id)];
  const clients = await directory.byIds('client', clientIds);
  const companies = await directory.byIds('company', [...clients.values()].map((c) => c.company_id).filter(present));
  const owners: { kind: SocialOwnerKind; id: string }[] = [...[...leads.keys()].map((id) => ({ kind: 'lead' as const, id })), ...[...clients.keys()].map((id) => ({ kind: 'client' as const, id }))];
  const profiles = await directory.socialProfilesOf(owners);

  const panels = new Map<string, ChatPanel>();
  for (const link of links) {
    const lead = link.target_kind === 'lead' ? leads.get(link.target_id!) : undefined;
    const order = link.target_kind === 'order' ? orders.get(link.target_id!) : undefined;
    const clientId = link.target_kind === 'client' ? link.target_id : (lead?.client_id ?? order?.client_id);
    const panel = panelOf(urls, link, { lead, order, client: clientId ? clients.get(clientId) : undefined, companies, profiles });
    if (panel) panels.set(link.chat_id, panel);
  }
  return panels;
}

function panelOf(
  urls: UrlPatterns,
  link: ChatLinkRow,
  found: {
    lead: LeadRow | undefined;
    order: OrderRow | undefined;
    client: ClientRow | undefined;
    companies: Map<string, Parameters<typeof companyView>[0]>;
    profiles: Map<string, Parameters<typeof socialProfileView>[0][]>;
  },
) {
  const { lead, order, client } = found;
  if (!link.target_kind || !link.target_id) return undefined;
  const linked = { client, lead, order }[link.target_kind];
  if (!linked) return undefined;
  const company = client?.company_id ? found.companies.get(client.company_id) : undefined;
  const owners = [...(lead ? [`lead:${lead.id}`] : []), ...(client ? [`client:${client.id}`] : [])];
  return {
    chatId: link.chat_id,
    kind: upper(link.target_kind),
    id: link.target_id,
    origin: upper(link.origin),
    matchedBy: link.matched_by ? upper(link.matched_by) : null,
    linkedAt: link.linked_at.toISOString(),
    linkedBy: link.linked_by ? { __typename: 'Employee', id: link.linked_by } : null,
    name: lead?.contact_name ?? client?.name ?? '',
    email: lead?.email ?? client?.email ?? null,
    phone: lead?.phone ?? client?.phone ?? null,
    socialProfiles: owners.flatMap((owner) => found.profiles.get(owner) ?? []).map(socialProfileView),
    url: entityUrl(urls, link.target_kind, link.target_id),
    client: client ? clientView(client, urls) : null,
    company: company ? companyView(company, urls) : null,
    lead: lead ? leadView(lead, urls) : null,
    order: order ? orderView(order, urls) : null,
  };
}
