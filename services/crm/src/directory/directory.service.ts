import { queryRows, type Queryable } from '@switchboard/persistence';
import { badUserInput } from '@switchboard/service-kit';
import type { DataSource } from 'typeorm';
import { conflict, refused, CRM_ERROR_REASONS } from '../common/crm.errors';
import { normaliseEmail, normaliseHandle, normalisePhone } from './contact-normalise';
import {
  CLIENT_COLUMNS,
  COMPANY_COLUMNS,
  LEAD_COLUMNS,
  ORDER_COLUMNS,
  SOCIAL_COLUMNS,
  type ClientRow,
  type CompanyRow,
  type LeadRow,
  type LeadStatus,
  type OrderRow,
  type SocialOwnerKind,
  type SocialProfileRow,
} from './directory.rows';

export interface ContactInput {
  email?: string;
  phone?: string;
}

export interface SocialProfileInput {
  kind: string;
  handle?: string;
  url?: string;
  /** The chat service's customer id, when the profile is the one a chat came from. */
  customerId?: string;
}

type Tables = { company: CompanyRow; client: ClientRow; lead: LeadRow; order: OrderRow };
const TABLE: Record<keyof Tables, { table: string; columns: string }> = {
  company: { table: 'crm.companies', columns: COMPANY_COLUMNS },
  client: { table: 'crm.clients', columns: CLIENT_COLUMNS },
  lead: { table: 'crm.leads', columns: LEAD_COLUMNS },
  order: { table: 'crm.orders', columns: ORDER_COLUMNS },
};

/**
 * The directory's records: clients (people), companies, leads and orders, with e-mail, phone and social
 * profiles. Contact data are stored as given and in their compared form (contact-normalise.ts).
 */
export class DirectoryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly phoneCountryCode: string,
  ) {}

  /** The compared forms of an e-mail and phone, refusing ones that cannot be either. */
  contactParams(input: ContactInput): [string | null, string | null, string | null, string | null] {
    const emailNorm = input.email === undefined ? null : normaliseEmail(input.email);
    if (emailNorm === undefined) throw badUserInput(`"${input.email}" is not an e-mail address`, 'email');
    const phoneDigits = input.phone === undefined ? null : normalisePhone(input.phone, this.phoneCountryCode);
    if (phoneDigits === undefined) throw badUserInput(`"${input.phone}" is not a phone number`, 'phone');
    return [input.email?.trim() ?? null, emailNorm, input.phone?.trim() ?? null, phoneDigits];
  }

  async createCompany(input: { name: string; website?: string; socialProfiles?: SocialProfileInput[] } & ContactInput): Promise<CompanyRow> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await queryRows<CompanyRow>(
        manager,
        `INSERT INTO crm.companies (name, website, email, email_norm, phone, phone_digits) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COMPANY_COLUMNS}`,
        [input.name, input.website ?? null, ...this.contactParams(input)],
      );
      await this.addSocialProfiles(manager, 'company', rows[0]!.id, input.socialProfiles ?? []);
      return rows[0]!;
    });
  }

  async createClient(input: { name: string; companyId?: string; socialProfiles?: SocialProfileInput[] } & ContactInput, executor?: Queryable): Promise<ClientRow> {
    const work = async (manager: Queryable) => {
      if (input.companyId) await this.require(manager, 'company', input.companyId, 'companyId');
      const rows = await queryRows<ClientRow>(
        manager,
        `INSERT INTO crm.clients (name, company_id, email, email_norm, phone, phone_digits) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${CLIENT_COLUMNS}`,
        [input.name, input.companyId ?? null, ...this.contactParams(input)],
      );
      await this.addSocialProfiles(manager, 'client', rows[0]!.id, input.socialProfiles ?? []);
      return rows[0]!;
    };
    return executor ? work(executor) : this.dataSource.transaction(work);
  }

  async createLead(input: { title: string; contactName: string; clientId?: string; status?: LeadStatus; socialProfiles?: SocialProfileInput[] } & ContactInput): Promise<LeadRow> {
    return this.dataSource.transaction(async (manager) => {
      if (input.clientId) await this.require(manager, 'client', input.clientId, 'clientId');
      const rows = await queryRows<LeadRow>(
        manager,
        `INSERT INTO crm.leads (title, contact_name, client_id, status, email, email_norm, phone, phone_digits) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${LEAD_COLUMNS}`,
        [input.title, input.contactName, input.clientId ?? null, input.status ?? 'new', ...this.contactParams(input)],
      );
      await this.addSocialProfiles(manager, 'lead', rows[0]!.id, input.socialProfiles ?? []);
      return rows[0]!;
    });
  }

  async createOrder(input: { number: string; clientId: string; status?: string; totalAmount?: string; currency?: string }): Promise<OrderRow> {
    return this.dataSource.transaction(async (manager) => {
      await this.require(manager, 'client', input.clientId, 'clientId');
      const rows = await queryRows<OrderRow>(
        manager,
        `INSERT INTO crm.orders (number, client_id, status, total_amount, currency) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (number) DO NOTHING RETURNING ${ORDER_COLUMNS}`,
        [input.number, input.clientId, input.status ?? 'new', input.totalAmount ?? null, input.currency ?? null],
      );
      if (!rows[0]) throw conflict(`An order numbered ${input.number} exists already`, 'number');
      return rows[0];
    });
  }

  /** Records of one kind by id, in one query (the panel of many chats asks for many at once). */
  async byIds<K extends keyof Tables>(kind: K, ids: readonly string[], executor: Queryable = this.dataSource): Promise<Map<string, Tables[K]>> {
    if (ids.length === 0) return new Map();
    const { table, columns } = TABLE[kind];
    const rows = await queryRows<Tables[K] & { id: string }>(executor, `SELECT ${columns} FROM ${table} WHERE id = ANY($1::uuid[])`, [[...new Set(ids)]]);
    return new Map(rows.map((row) => [row.id, row]));
  }

  async get<K extends keyof Tables>(kind: K, id: string, executor: Queryable = this.dataSource): Promise<Tables[K] | undefined> {
    return (await this.byIds(kind, [id], executor)).get(id);
  }

  async socialProfilesOf(owners: readonly { kind: SocialOwnerKind; id: string }[]): Promise<Map<string, SocialProfileRow[]>> {
    const byOwner = new Map<string, SocialProfileRow[]>();
    if (owners.length === 0) return byOwner;
    const rows = await queryRows<SocialProfileRow>(
      this.dataSource,
      `SELECT ${SOCIAL_COLUMNS} FROM crm.social_profiles
       WHERE (owner_kind, owner_id) IN (SELECT * FROM unnest($1::text[], $2::uuid[]))
       ORDER BY created_at, id`,
      [owners.map((o) => o.kind), owners.map((o) => o.id)],
    );
    for (const row of rows) {
      const key = `${row.owner_kind}:${row.owner_id}`;
      byOwner.set(key, [...(byOwner.get(key) ?? []), row]);
    }
    return byOwner;
  }

  async addSocialProfiles(executor: Queryable, ownerKind: SocialOwnerKind, ownerId: string, profiles: readonly SocialProfileInput[]): Promise<void> {
    for (const profile of profiles) {
      await executor.query(
        `INSERT INTO crm.social_profiles (owner_kind, owner_id, kind, handle, handle_norm, url, customer_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT DO NOTHING`,
        [ownerKind, ownerId, profile.kind, profile.handle ?? null, profile.handle ? (normaliseHandle(profile.handle) ?? null) : null, profile.url ?? null, profile.customerId ?? null],
      );
    }
  }

  /** Fails with TARGET_NOT_FOUND (naming the field) when a referenced record does not exist. */
  async require(executor: Queryable, kind: keyof Tables, id: string, field: string): Promise<void> {
    const found = await queryRows(executor, `SELECT 1 FROM ${TABLE[kind].table} WHERE id = $1`, [id]);
    if (found.length === 0) throw refused(CRM_ERROR_REASONS.targetNotFound, `No ${kind} ${id} in the directory`, field);
  }
}
