import type { SqlMigrationSpec } from '@switchboard/persistence';

/**
 * Search (L5, C5): substring matching on a normalised form of the text, served by trigram indexes, so
 * "замовл" finds "замовлення" and "овлен" finds it too, in Ukrainian, Russian and Latin alike.
 * The normalisation must stay identical to search-terms.ts (lower case, ё -> е, one apostrophe).
 */
export const ChatSearchMigration: SqlMigrationSpec = {
  name: 'ChatSearch1764000000003',
  up: [
    // Trusted since PostgreSQL 13: a database owner may create it. Database-wide, hence public.
    `CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`,
    `CREATE FUNCTION chat.search_norm(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
       AS $$ SELECT translate(lower(value), 'ё’ʼ\`', 'е''''''') $$`,
    `CREATE INDEX messages_search_idx ON chat.messages USING gin (chat.search_norm(text) public.gin_trgm_ops)
       WHERE kind IN ('message', 'note')`,
    `CREATE INDEX customers_search_idx ON chat.customers USING gin (
       chat.search_norm(display_name || ' ' || COALESCE(username, '') || ' ' || COALESCE(phone, '')) public.gin_trgm_ops)`,
  ],
  down: [`DROP INDEX chat.customers_search_idx`, `DROP INDEX chat.messages_search_idx`, `DROP FUNCTION chat.search_norm(text)`],
};
