import type { SqlMigrationSpec } from '@switchboard/persistence';

/**
 * Chats of one operator in activity order (decision 0024).
 *
 * An operator's own chats, "assigned to me" and the operator filter were read through the GIN index on
 * chats.operator_ids: a bitmap of every chat of that operator (thousands at 1M chats), each heap block
 * fetched to apply the other filters, then sorted, although a page needs 30 rows. chat.chat_operators
 * holds one row per (chat, operator) with the chat's activity time and the small filter columns, so
 * such a page is a walk of chat_operators_activity_idx that stops after one page, mostly index-only.
 *
 * The rows are derived from chat.chats by triggers, in the same transaction as the change, so every
 * writer (ingest, sends, actions, deletes) keeps them right without knowing of them, on PostgreSQL and
 * on PGlite alike. chat.chat_operators_refill() rebuilds them from chat.chats (the backfill below, and
 * bulk loads that run with the triggers disabled).
 *
 * chats_channel_activity_idx: an admin's channel filter walked the global activity index and skipped
 * every chat of the other channels (43,000 rows for one page of a 0.5% channel); one walk per channel
 * now starts in that channel.
 */
export const ChatOperatorsMigration: SqlMigrationSpec = {
  name: 'ChatOperators1764000000008',
  up: [
    `CREATE TABLE chat.chat_operators (
       chat_id uuid NOT NULL REFERENCES chat.chats(id) ON DELETE CASCADE,
       employee_id uuid NOT NULL,
       last_message_at timestamptz NOT NULL,
       connection_id uuid NOT NULL,
       channel text NOT NULL,
       status_code text NOT NULL,
       unanswered boolean NOT NULL,
       PRIMARY KEY (chat_id, employee_id)
     )`,
    // A page reads at most one operator's rows (a few thousand): starting parallel workers costs more
    // than that (12-25 ms measured on a busy 2-core machine against under 1 ms of work).
    `ALTER TABLE chat.chat_operators SET (parallel_workers = 0)`,
    `CREATE INDEX chat_operators_activity_idx ON chat.chat_operators (employee_id, last_message_at DESC, chat_id DESC)
       INCLUDE (connection_id, channel, status_code, unanswered)`,
    // Deletes of chats cascade through the foreign key; inserts and updates come through here.
    `CREATE FUNCTION chat.chat_operators_sync() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF TG_OP = 'UPDATE' AND NEW.operator_ids IS DISTINCT FROM OLD.operator_ids THEN
         DELETE FROM chat.chat_operators o WHERE o.chat_id = NEW.id AND o.employee_id <> ALL (NEW.operator_ids);
       END IF;
       INSERT INTO chat.chat_operators AS o (chat_id, employee_id, last_message_at, connection_id, channel, status_code, unanswered)
       SELECT DISTINCT NEW.id, e.id, NEW.last_message_at, NEW.connection_id, NEW.channel, NEW.status_code, NEW.unanswered
       FROM unnest(NEW.operator_ids) AS e(id)
       ON CONFLICT (chat_id, employee_id) DO UPDATE SET
         last_message_at = EXCLUDED.last_message_at, connection_id = EXCLUDED.connection_id, channel = EXCLUDED.channel,
         status_code = EXCLUDED.status_code, unanswered = EXCLUDED.unanswered;
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER chats_operators_insert AFTER INSERT ON chat.chats
       FOR EACH ROW WHEN (cardinality(NEW.operator_ids) > 0) EXECUTE FUNCTION chat.chat_operators_sync()`,
    // Only when a copied column really changes: most chat updates (previews, updated_at) leave them be.
    `CREATE TRIGGER chats_operators_update AFTER UPDATE ON chat.chats
       FOR EACH ROW WHEN (NEW.operator_ids IS DISTINCT FROM OLD.operator_ids
         OR (cardinality(NEW.operator_ids) > 0 AND (NEW.last_message_at, NEW.connection_id, NEW.channel, NEW.status_code, NEW.unanswered)
             IS DISTINCT FROM (OLD.last_message_at, OLD.connection_id, OLD.channel, OLD.status_code, OLD.unanswered)))
       EXECUTE FUNCTION chat.chat_operators_sync()`,
    `CREATE FUNCTION chat.chat_operators_refill() RETURNS void LANGUAGE sql AS $$
       DELETE FROM chat.chat_operators;
       INSERT INTO chat.chat_operators (chat_id, employee_id, last_message_at, connection_id, channel, status_code, unanswered)
       SELECT DISTINCT c.id, e.id, c.last_message_at, c.connection_id, c.channel, c.status_code, c.unanswered
       FROM chat.chats c CROSS JOIN LATERAL unnest(c.operator_ids) AS e(id)
       -- In walk order, so one operator's rows start out in few heap blocks.
       ORDER BY e.id, c.last_message_at DESC, c.id DESC;
     $$`,
    `SELECT chat.chat_operators_refill()`,
    `CREATE INDEX chats_channel_activity_idx ON chat.chats (channel, last_message_at DESC, id DESC)`,
    // Statistics now, not when autovacuum gets there: the planner chooses these walks by them.
    `ANALYZE chat.chat_operators`,
  ],
  down: [
    `DROP INDEX chat.chats_channel_activity_idx`,
    `DROP TRIGGER chats_operators_update ON chat.chats`,
    `DROP TRIGGER chats_operators_insert ON chat.chats`,
    `DROP FUNCTION chat.chat_operators_refill()`,
    `DROP FUNCTION chat.chat_operators_sync()`,
    `DROP TABLE chat.chat_operators`,
  ],
};
