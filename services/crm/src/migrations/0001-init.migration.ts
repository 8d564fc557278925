import { outboxTableDdl } from '@switchboard/messaging';
import type { SqlMigrationSpec } from '@switchboard/persistence';

const outbox = outboxTableDdl('crm');

/**
 * The text a record is searched by (decision 0011's idea): normalised like crm.search_norm and indexed
 * with trigrams, so the picker finds a record by any part of its name, e-mail, phone or order number.
 */
const searchText = (expression: string) => `search_text text GENERATED ALWAYS AS (crm.search_norm(${expression})) STORED`;
const contactColumns = `
  email text,
  email_norm text,
  phone text,
  phone_digits text`;

/**
 * Issue 7 (D1, D2 Вибрати зв'язок): the directory a chat links to (clients, companies, leads, orders,
 * social profiles) and the chats' links. A link is a typed reference (kind + id), not a foreign key: the
 * same shape another CRM module uses when it replaces this directory.
 */
export const CrmInitMigration: SqlMigrationSpec = {
  name: 'CrmInit1766000000001',
  up: [
    // Trusted since PostgreSQL 13: a database owner may create it. Database-wide, hence public.
    `CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`,
    // Must stay identical to normaliseForSearch() in directory/search-terms.ts.
    `CREATE FUNCTION crm.search_norm(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
       AS $$ SELECT translate(lower(value), 'ё’ʼ\`', 'е''''''') $$`,
    `CREATE TABLE crm.companies (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       name text NOT NULL,
       website text,
       ${contactColumns},
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now(),
       ${searchText(`name || ' ' || COALESCE(email, '') || ' ' || COALESCE(phone_digits, '')`)})`,
    `CREATE TABLE crm.clients (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       name text NOT NULL,
       company_id uuid REFERENCES crm.companies (id),
       ${contactColumns},
       -- The chat service's customer this client was created for (CRM_UNMATCHED_CUSTOMER=client): unique, so a
       -- redelivered chat.created, or two chats of one new customer, never create a second record.
       origin_customer_id uuid UNIQUE,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now(),
       ${searchText(`name || ' ' || COALESCE(email, '') || ' ' || COALESCE(phone_digits, '')`)})`,
    `CREATE INDEX clients_phone_idx ON crm.clients (phone_digits)`,
    `CREATE INDEX clients_email_idx ON crm.clients (email_norm)`,
    `CREATE TABLE crm.leads (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       title text NOT NULL,
       -- The person behind the lead while they are not a client yet.
       contact_name text NOT NULL,
       client_id uuid REFERENCES crm.clients (id),
       status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in_progress', 'won', 'lost')),
       ${contactColumns},
       origin_customer_id uuid UNIQUE,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now(),
       ${searchText(`title || ' ' || contact_name || ' ' || COALESCE(email, '') || ' ' || COALESCE(phone_digits, '')`)})`,
    `CREATE INDEX leads_phone_idx ON crm.leads (phone_digits)`,
    `CREATE INDEX leads_email_idx ON crm.leads (email_norm)`,
    `CREATE TABLE crm.orders (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       number text NOT NULL UNIQUE,
       client_id uuid NOT NULL REFERENCES crm.clients (id),
       status text NOT NULL DEFAULT 'new',
       total_amount numeric(14, 2),
       currency text CHECK (currency ~ '^[A-Z]{3}$'),
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now(),
       ${searchText(`number`)})`,
    `CREATE INDEX orders_client_idx ON crm.orders (client_id)`,
    ...['companies', 'clients', 'leads', 'orders'].map((table) => `CREATE INDEX ${table}_search_idx ON crm.${table} USING gin (search_text public.gin_trgm_ops)`),
    // A person's (or company's) profiles on social networks and messengers: what "social id" matching reads.
    `CREATE TABLE crm.social_profiles (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       owner_kind text NOT NULL CHECK (owner_kind IN ('client', 'company', 'lead')),
       owner_id uuid NOT NULL,
       -- A channel kind of the contracts (telegram, viber, ...) or another network (facebook, linkedin).
       kind text NOT NULL,
       handle text,
       handle_norm text,
       url text,
       -- The chat service's customer id (one person on one connection), when the profile came from a chat.
       customer_id uuid,
       created_at timestamptz NOT NULL DEFAULT now(),
       CHECK (handle IS NOT NULL OR url IS NOT NULL OR customer_id IS NOT NULL))`,
    `CREATE INDEX social_profiles_owner_idx ON crm.social_profiles (owner_kind, owner_id)`,
    `CREATE INDEX social_profiles_handle_idx ON crm.social_profiles (kind, handle_norm) WHERE handle_norm IS NOT NULL`,
    `CREATE INDEX social_profiles_customer_idx ON crm.social_profiles (customer_id) WHERE customer_id IS NOT NULL`,
    `CREATE UNIQUE INDEX social_profiles_owner_customer_key ON crm.social_profiles (owner_kind, owner_id, customer_id) WHERE customer_id IS NOT NULL`,
    // One row per chat that has, or had by an employee's choice, a link. target NULL with origin 'employee'
    // records "an employee removed the link": automatic matching never relinks such a chat.
    `CREATE TABLE crm.chat_links (
       chat_id uuid PRIMARY KEY,
       target_kind text CHECK (target_kind IN ('client', 'lead', 'order')),
       target_id uuid,
       origin text NOT NULL CHECK (origin IN ('employee', 'matched', 'created')),
       matched_by text CHECK (matched_by IN ('phone', 'email', 'social')),
       linked_by uuid,
       linked_at timestamptz NOT NULL DEFAULT now(),
       CHECK ((target_kind IS NULL) = (target_id IS NULL)))`,
    `CREATE INDEX chat_links_target_idx ON crm.chat_links (target_kind, target_id) WHERE target_id IS NOT NULL`,
    // Chats the chat service reported deleted: a redelivered chat.created or a racing linkChat cannot link them again.
    `CREATE TABLE crm.deleted_chats (chat_id uuid PRIMARY KEY, deleted_at timestamptz NOT NULL)`,
    ...outbox.up,
  ],
  down: [
    ...outbox.down,
    `DROP TABLE crm.deleted_chats`,
    `DROP TABLE crm.chat_links`,
    `DROP TABLE crm.social_profiles`,
    `DROP TABLE crm.orders`,
    `DROP TABLE crm.leads`,
    `DROP TABLE crm.clients`,
    `DROP TABLE crm.companies`,
    `DROP FUNCTION crm.search_norm(text)`,
  ],
};
