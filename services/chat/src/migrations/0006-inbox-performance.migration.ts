import type { SqlMigrationSpec } from '@switchboard/persistence';

/**
 * Inbox latency at 1M chats / 10M messages (bench/inbox, issue 4).
 *
 * - The planner ignores the statistics of partial indexes, so it had no statistics for
 *   chat.search_norm(messages.text) (messages_search_idx is partial) and guessed every keyword to match a
 *   few hundred messages, also "замовлення" that matches 1.4M: it then built hash tables of a million
 *   chat ids or rechecked most of the table through a lossy bitmap (16-23 s per list page or search).
 *   Expression statistics on the whole table give it real frequencies.
 * - Chats by customer (keyword search on the customer's name, username or phone): chats.customer_id
 *   had no index, so every customer match was joined by scanning all chats.
 * - Search ranks the newest 500 matching messages. Without an index in that order it fetched and sorted
 *   every match; walking this index newest-first stops after 500 matches of a common word, while rare
 *   words still go through the trigram index.
 */
export const ChatInboxPerformanceMigration: SqlMigrationSpec = {
  name: 'ChatInboxPerformance1764000000006',
  up: [
    `CREATE STATISTICS chat.messages_search_norm_stats ON (chat.search_norm(text)) FROM chat.messages`,
    `CREATE INDEX chats_customer_idx ON chat.chats (customer_id)`,
    `CREATE INDEX messages_recent_idx ON chat.messages (sent_at DESC, seq DESC) WHERE kind IN ('message', 'note')`,
    // Statistics exist only after an ANALYZE; autovacuum would get there eventually, queries need them now.
    `ANALYZE chat.messages`,
  ],
  down: [`DROP INDEX chat.messages_recent_idx`, `DROP INDEX chat.chats_customer_idx`, `DROP STATISTICS chat.messages_search_norm_stats`],
};
