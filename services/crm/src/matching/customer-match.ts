import type { ChannelKind, CustomerMatchKind } from '@switchboard/contracts';
import { queryRows, type Queryable } from '@switchboard/persistence';
import { normaliseHandle } from '../directory/contact-normalise';
import type { LinkTarget } from '../links/chat-link.row';

/** What is known about a chat's customer, in compared form (contact-normalise.ts). */
export interface CustomerData {
  phoneDigits?: string;
  emailNorm?: string;
  social?: { channel: ChannelKind; customerId: string; username?: string };
}

export type MatchResult = { target: LinkTarget; matchedBy: CustomerMatchKind } | { ambiguous: CustomerMatchKind } | undefined;

type Candidates = { clients: string[]; leads: string[] };

/**
 * The matching rules (decision 0026): the customer's phone, then e-mail, then social profile (the chat
 * customer id, or the channel + username) are looked up, the first datum that finds anything decides.
 * Clients win over leads (a lead is a person not yet a client); closed leads (won, lost) are history and
 * never matched. More than one client, or no client and more than one open lead, is ambiguous: nothing is
 * linked and an employee picks (a wrong automatic link would show another person's data in the panel).
 */
export async function matchCustomer(executor: Queryable, data: CustomerData): Promise<MatchResult> {
  const lookups: [CustomerMatchKind, () => Promise<Candidates>][] = [];
  if (data.phoneDigits) lookups.push(['phone', () => byColumn(executor, 'phone_digits', data.phoneDigits!)]);
  if (data.emailNorm) lookups.push(['email', () => byColumn(executor, 'email_norm', data.emailNorm!)]);
  if (data.social) lookups.push(['social', () => bySocial(executor, data.social!)]);
  for (const [matchedBy, lookup] of lookups) {
    const { clients, leads } = await lookup();
    if (clients.length === 1) return { target: { kind: 'client', id: clients[0]! }, matchedBy };
    if (clients.length > 1) return { ambiguous: matchedBy };
    if (leads.length === 1) return { target: { kind: 'lead', id: leads[0]! }, matchedBy };
    if (leads.length > 1) return { ambiguous: matchedBy };
  }
  return undefined;
}

/** At most this many ids per kind are read: two already make a match ambiguous. */
const LIMIT = 2;

async function byColumn(executor: Queryable, column: 'phone_digits' | 'email_norm', value: string): Promise<Candidates> {
  const clients = await queryRows<{ id: string }>(executor, `SELECT id FROM crm.clients WHERE ${column} = $1 LIMIT ${LIMIT}`, [value]);
  if (clients.length > 0) return { clients: clients.map((r) => r.id), leads: [] };
  const leads = await queryRows<{ id: string }>(executor, `SELECT id FROM crm.leads WHERE ${column} = $1 AND status IN ('new', 'in_progress') LIMIT ${LIMIT}`, [value]);
  return { clients: [], leads: leads.map((r) => r.id) };
}

async function bySocial(executor: Queryable, social: NonNullable<CustomerData['social']>): Promise<Candidates> {
  const handle = social.username ? (normaliseHandle(social.username) ?? null) : null;
  const rows = await queryRows<{ owner_kind: 'client' | 'lead'; owner_id: string }>(
    executor,
    `SELECT DISTINCT s.owner_kind, s.owner_id FROM crm.social_profiles s
     LEFT JOIN crm.leads l ON s.owner_kind = 'lead' AND l.id = s.owner_id
     WHERE s.owner_kind IN ('client', 'lead')
       AND (s.customer_id = $1 OR ($3::text IS NOT NULL AND s.kind = $2 AND s.handle_norm = $3))
       AND (s.owner_kind = 'client' OR l.status IN ('new', 'in_progress'))
     LIMIT 10`,
    [social.customerId, social.channel, handle],
  );
  return {
    clients: rows.filter((r) => r.owner_kind === 'client').map((r) => r.owner_id),
    leads: rows.filter((r) => r.owner_kind === 'lead').map((r) => r.owner_id),
  };
}
