/** Rows of the directory as the services read them (see the init migration). */

export interface ContactColumns {
  email: string | null;
  phone: string | null;
}

export interface CompanyRow extends ContactColumns {
  id: string;
  name: string;
  website: string | null;
  created_at: Date;
}

export interface ClientRow extends ContactColumns {
  id: string;
  name: string;
  company_id: string | null;
  created_at: Date;
}

export const LEAD_STATUSES = ['new', 'in_progress', 'won', 'lost'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export interface LeadRow extends ContactColumns {
  id: string;
  title: string;
  contact_name: string;
  client_id: string | null;
  status: LeadStatus;
  created_at: Date;
}

export interface OrderRow {
  id: string;
  number: string;
  client_id: string;
  status: string;
  /** numeric comes back as text: money is never a float. */
  total_amount: string | null;
  currency: string | null;
  created_at: Date;
}

export type SocialOwnerKind = 'client' | 'company' | 'lead';

export interface SocialProfileRow {
  id: string;
  owner_kind: SocialOwnerKind;
  owner_id: string;
  kind: string;
  handle: string | null;
  url: string | null;
}

export const COMPANY_COLUMNS = 'id, name, website, email, phone, created_at';
export const CLIENT_COLUMNS = 'id, name, company_id, email, phone, created_at';
export const LEAD_COLUMNS = 'id, title, contact_name, client_id, status, email, phone, created_at';
export const ORDER_COLUMNS = 'id, number, client_id, status, total_amount::text AS total_amount, currency, created_at';
export const SOCIAL_COLUMNS = 'id, owner_kind, owner_id, kind, handle, url';
