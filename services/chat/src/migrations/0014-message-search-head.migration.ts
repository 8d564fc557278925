import type { SqlMigrationSpec } from '@switchboard/persistence';

/**
 * Search's walks probe one chat at a time for a message containing the keywords (decisions 0047, 0049). Each
 * probe read the chat's ~10 messages from the heap, a random page each (44 µs, 13 buffers per chat at 1M
 * chats); a product name in 1.5% of chats meant 4,500 probes, 200 ms. `search_head` is the normalised text
 * (chat.search_norm) as a column, so messages_chat_search_idx can hold it and a probe reads one leaf of that
 * index instead of the heap (decision 0054). A btree entry is at most ~2,700 bytes, so a text whose
 * normalised form is longer than SEARCH_HEAD_MAX_BYTES gets NULL there; those few are probed through the
 * small messages_long_text_idx and their full text.
 *
 * Adding a stored generated column rewrites chat.messages (an ACCESS EXCLUSIVE lock for the rewrite, and
 * every index rebuilt): on a large installation, run the migrate command in a maintenance window.
 */
const SEARCH_HEAD_MAX_BYTES = 2000;

export const ChatMessageSearchHeadMigration: SqlMigrationSpec = {
  name: 'ChatMessageSearchHead1764000000014',
  up: [
    `ALTER TABLE chat.messages ADD COLUMN search_head text GENERATED ALWAYS AS (
       CASE WHEN octet_length(chat.search_norm(text)) <= ${SEARCH_HEAD_MAX_BYTES} THEN chat.search_norm(text) END) STORED`,
    `CREATE INDEX messages_chat_search_idx ON chat.messages (chat_id) INCLUDE (search_head) WHERE kind IN ('message', 'note')`,
    `CREATE INDEX messages_long_text_idx ON chat.messages (chat_id) WHERE kind IN ('message', 'note') AND search_head IS NULL AND text IS NOT NULL`,
  ],
  down: [`DROP INDEX chat.messages_long_text_idx`, `DROP INDEX chat.messages_chat_search_idx`, `ALTER TABLE chat.messages DROP COLUMN search_head`],
};
