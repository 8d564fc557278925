import type { SqlMigrationSpec } from '@switchboard/persistence';

/**
 * Chat list walks that read no chat rows (decision 0024, second round; bench/inbox at 1M chats).
 *
 * - chats.customer_search: the customer's normalised search text (name, username, phone: exactly the
 *   expression customers_search_idx of migration 0003 indexes), copied onto the chat. A keyword search on
 *   a common customer name ("Коваль": 35,717 customers) walked the visible chats newest-first and looked
 *   up each one's customer (4 buffers a chat, 45,000-68,000 buffers a page for an operator). Now the walk
 *   filters on a column of the chat (or of the index it walks), and a rare name, username or phone starts
 *   from chats_customer_search_idx. Kept by triggers, so every writer (ingest, merges, future ones) keeps
 *   it right without knowing of it: set from the customer when a chat is inserted or moved to another
 *   customer (a value written directly is overwritten too), rewritten on the customer's chats when the
 *   customer's name, username or phone changes. plpgsql, so the same on PGlite.
 * - chats_connection_activity_idx covers the list's filter columns (status, unanswered, operators,
 *   channel, customer text): an operator's connection slice with selective filters ("unassigned",
 *   "unanswered", "1 channel + unassigned + new") read one chat row per chat it skipped, and the planner
 *   preferred walking the global activity index (the heap is in activity order) to the connection's.
 *   Now it is an index-only walk that reads a few index pages per page of results.
 * - chats_channel_activity_idx covers status, unanswered and operators for the same reason: an admin's
 *   channel filter walks one channel at a time, and each walk read chat rows to apply the other filters.
 * The two indexes grow (56 -> ~150 MB and 55 -> ~95 MB at 1M chats, measured in decision 0024's notes);
 * they replace the narrow ones, so a chat update still writes the same number of index entries.
 */
export const ChatListCoveringMigration: SqlMigrationSpec = {
  name: 'ChatListCovering1764000000009',
  up: [
    // One definition of the customer's search text, for the triggers, the backfill and bulk loads.
    `CREATE FUNCTION chat.customer_search_text(display_name text, username text, phone text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE
       AS $$ SELECT chat.search_norm(display_name || ' ' || COALESCE(username, '') || ' ' || COALESCE(phone, '')) $$`,
    `ALTER TABLE chat.chats ADD COLUMN customer_search text`,
    // Backfilled before the triggers exist (ADD COLUMN holds the table's lock until commit, so no chat
    // is written in between): with them, each of the chats would look its customer up again.
    `UPDATE chat.chats c SET customer_search = chat.customer_search_text(cu.display_name, cu.username, cu.phone)
     FROM chat.customers cu WHERE cu.id = c.customer_id`,
    // Every chat has a customer (foreign key), so every chat has the text; NULL would hide it from searches.
    `ALTER TABLE chat.chats ALTER COLUMN customer_search SET NOT NULL`,
    `CREATE FUNCTION chat.chats_customer_search_set() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       SELECT chat.customer_search_text(cu.display_name, cu.username, cu.phone) INTO NEW.customer_search
       FROM chat.customers cu WHERE cu.id = NEW.customer_id;
       RETURN NEW;
     END $$`,
    `CREATE TRIGGER chats_customer_search_insert BEFORE INSERT ON chat.chats
       FOR EACH ROW EXECUTE FUNCTION chat.chats_customer_search_set()`,
    // Not on every chat update (each message updates its chat): only when the chat changes customer or
    // something writes the copy itself.
    `CREATE TRIGGER chats_customer_search_update BEFORE UPDATE OF customer_id, customer_search ON chat.chats
       FOR EACH ROW WHEN (NEW.customer_id IS DISTINCT FROM OLD.customer_id OR NEW.customer_search IS DISTINCT FROM OLD.customer_search)
       EXECUTE FUNCTION chat.chats_customer_search_set()`,
    `CREATE FUNCTION chat.customers_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
     DECLARE
       text_now text := chat.customer_search_text(NEW.display_name, NEW.username, NEW.phone);
     BEGIN
       UPDATE chat.chats c SET customer_search = text_now
       WHERE c.customer_id = NEW.id AND c.customer_search IS DISTINCT FROM text_now;
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER customers_search_update AFTER UPDATE OF display_name, username, phone ON chat.customers
       FOR EACH ROW WHEN ((NEW.display_name, NEW.username, NEW.phone) IS DISTINCT FROM (OLD.display_name, OLD.username, OLD.phone))
       EXECUTE FUNCTION chat.customers_search_sync()`,
    // A rare name, username or phone starts here; a common one walks the activity order and filters.
    `CREATE INDEX chats_customer_search_idx ON chat.chats USING gin (customer_search public.gin_trgm_ops)`,
    // The planner picks between those two by the share of chats a pattern matches, estimated from this
    // column's histogram: 1,000 entries tell 0.1% from 3% (the default 100 cannot).
    `ALTER TABLE chat.chats ALTER COLUMN customer_search SET STATISTICS 1000`,
    `DROP INDEX chat.chats_connection_activity_idx`,
    `CREATE INDEX chats_connection_activity_idx ON chat.chats (connection_id, last_message_at DESC, id DESC)
       INCLUDE (channel, status_code, unanswered, operator_ids, customer_search)`,
    `DROP INDEX chat.chats_channel_activity_idx`,
    `CREATE INDEX chats_channel_activity_idx ON chat.chats (channel, last_message_at DESC, id DESC)
       INCLUDE (status_code, unanswered, operator_ids)`,
    `ANALYZE chat.chats`,
  ],
  down: [
    `DROP INDEX chat.chats_channel_activity_idx`,
    `CREATE INDEX chats_channel_activity_idx ON chat.chats (channel, last_message_at DESC, id DESC)`,
    `DROP INDEX chat.chats_connection_activity_idx`,
    `CREATE INDEX chats_connection_activity_idx ON chat.chats (connection_id, last_message_at DESC, id DESC)`,
    `DROP INDEX chat.chats_customer_search_idx`,
    `DROP TRIGGER customers_search_update ON chat.customers`,
    `DROP FUNCTION chat.customers_search_sync()`,
    `DROP TRIGGER chats_customer_search_update ON chat.chats`,
    `DROP TRIGGER chats_customer_search_insert ON chat.chats`,
    `DROP FUNCTION chat.chats_customer_search_set()`,
    `ALTER TABLE chat.chats DROP COLUMN customer_search`,
    `DROP FUNCTION chat.customer_search_text(text, text, text)`,
  ],
};
