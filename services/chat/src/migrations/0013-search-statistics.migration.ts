import type { SqlMigrationSpec } from '@switchboard/persistence';

/**
 * The planner chooses between the trigram index and walking chats newest-first by how many messages a
 * keyword matches, estimated from the expression statistics of migration 0006. With the default 100
 * histogram entries a word in 0.5% of messages usually matches none of them, and the estimate fell to the
 * floor: "discount" (55,000 messages) was taken for 521, so search read all 55,000 through the index and
 * sorted their chats (1.9 s at 1M chats) instead of walking ~1,300 chats (bench/inbox, decision 0049).
 * 1,000 entries resolve 0.1%, as chats.customer_search already does (migration 0009).
 */
export const ChatSearchStatisticsMigration: SqlMigrationSpec = {
  name: 'ChatSearchStatistics1764000000013',
  up: [
    `ALTER STATISTICS chat.messages_search_norm_stats SET STATISTICS 1000`,
    // Statistics exist only after an ANALYZE; autovacuum would get there eventually, queries need them now.
    `ANALYZE chat.messages`,
  ],
  down: [`ALTER STATISTICS chat.messages_search_norm_stats SET STATISTICS -1`],
};
