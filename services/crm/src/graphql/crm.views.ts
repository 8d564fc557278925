import type { UrlPatterns } from '../crm.config';
import { entityUrl } from '../common/entity-urls';
import type { ClientRow, CompanyRow, LeadRow, OrderRow, SocialProfileRow } from '../directory/directory.rows';
import type { SearchHitRow } from '../directory/directory-search';

const upper = (value: string) => value.toUpperCase().replace(/-/g, '_');

/** The GraphQL shapes of directory rows; nested records (company, client, social profiles) are resolved by field resolvers from the ids kept here. */
export function clientView(row: ClientRow, urls: UrlPatterns) {
  return { __typename: 'CrmClient', id: row.id, name: row.name, email: row.email, phone: row.phone, companyId: row.company_id, url: entityUrl(urls, 'client', row.id), createdAt: row.created_at.toISOString() };
}

export function companyView(row: CompanyRow, urls: UrlPatterns) {
  return { __typename: 'CrmCompany', id: row.id, name: row.name, website: row.website, email: row.email, phone: row.phone, url: entityUrl(urls, 'company', row.id) };
}

export function leadView(row: LeadRow, urls: UrlPatterns) {
  return {
    __typename: 'CrmLead',
    id: row.id,
    title: row.title,
    contactName: row.contact_name,
    status: upper(row.status),
    email: row.email,
    phone: row.phone,
    clientId: row.client_id,
    url: entityUrl(urls, 'lead', row.id),
    createdAt: row.created_at.toISOString(),
  };
}

export function orderView(row: OrderRow, urls: UrlPatterns) {
  return {
    __typename: 'CrmOrder',
    id: row.id,
    number: row.number,
    status: row.status,
    totalAmount: row.total_amount,
    currency: row.currency,
    clientId: row.client_id,
    url: entityUrl(urls, 'order', row.id),
    createdAt: row.created_at.toISOString(),
  };
}

export function socialProfileView(row: SocialProfileRow) {
  return { kind: row.kind, handle: row.handle, url: row.url };
}

export function searchHitView(row: SearchHitRow, urls: UrlPatterns) {
  return { kind: upper(row.kind), id: row.id, title: row.title, subtitle: row.subtitle, email: row.email, phone: row.phone, url: entityUrl(urls, row.kind, row.id) };
}

export type ClientView = ReturnType<typeof clientView>;
export type LeadView = ReturnType<typeof leadView>;
export type OrderView = ReturnType<typeof orderView>;
