import type { LinkedEntityKind } from '@switchboard/contracts';
import { queryRows } from '@switchboard/persistence';
import type { DataSource } from 'typeorm';
import { containsPattern, searchTerms } from './search-terms';

export interface SearchHitRow {
  kind: LinkedEntityKind;
  id: string;
  title: string;
  subtitle: string | null;
  email: string | null;
  phone: string | null;
}

/** Each kind's searchable table and what a hit shows: the title is what the employee recognises the record by. */
const SOURCES: Record<LinkedEntityKind, string> = {
  client: `SELECT 'client' AS kind, c.id, c.name AS title, co.name AS subtitle, c.email, c.phone, c.search_text, c.created_at
           FROM crm.clients c LEFT JOIN crm.companies co ON co.id = c.company_id`,
  company: `SELECT 'company' AS kind, id, name AS title, website AS subtitle, email, phone, search_text, created_at FROM crm.companies`,
  lead: `SELECT 'lead' AS kind, id, title, contact_name AS subtitle, email, phone, search_text, created_at FROM crm.leads`,
  order: `SELECT 'order' AS kind, o.id, o.number AS title, c.name AS subtitle, c.email, c.phone, o.search_text, o.created_at
          FROM crm.orders o JOIN crm.clients c ON c.id = o.client_id`,
};

/**
 * The picker of "Вибрати зв'язок": records whose name, e-mail, phone or order number contains every term
 * (trigram-indexed LIKE on normalised text, decision 0011), the closest first.
 */
export class DirectorySearch {
  constructor(
    private readonly dataSource: DataSource,
    private readonly phoneCountryCode: string,
  ) {}

  async search(params: { query: string; kinds: readonly LinkedEntityKind[]; first: number }): Promise<SearchHitRow[]> {
    const terms = searchTerms(params.query, this.phoneCountryCode);
    const union = params.kinds.map((kind) => `(${SOURCES[kind]})`).join(' UNION ALL ');
    // One LIKE per term rather than LIKE ALL (array): GIN trigram indexes serve plain LIKE only.
    const matches = terms.map((_, i) => `r.search_text LIKE $${i + 3}`).join(' AND ');
    return queryRows<SearchHitRow>(
      this.dataSource,
      `SELECT kind, id, title, subtitle, email, phone FROM (${union}) AS r
       WHERE ${matches}
       ORDER BY public.similarity(r.search_text, $1) DESC, r.created_at DESC, r.id
       LIMIT $2`,
      [terms.join(' '), params.first, ...terms.map(containsPattern)],
    );
  }
}
