import type { SqlMigrationSpec } from '@switchboard/persistence';

/**
 * The chat list is ordered by last activity. With a nullable column the query had to sort by
 * COALESCE(...), which no index serves, so every list page sorted all visible chats. A chat always starts
 * with a message, so its creation time is its first activity: the column becomes NOT NULL and the list
 * walks the index in order and stops after one page.
 */
export const ChatActivityOrderMigration: SqlMigrationSpec = {
  name: 'ChatActivityOrder1764000000005',
  up: [
    `UPDATE chat.chats SET last_message_at = created_at WHERE last_message_at IS NULL`,
    `ALTER TABLE chat.chats ALTER COLUMN last_message_at SET NOT NULL`,
    `ALTER TABLE chat.chats ALTER COLUMN last_message_at SET DEFAULT now()`,
    `DROP INDEX chat.chats_activity_idx`,
    `CREATE INDEX chats_activity_idx ON chat.chats (last_message_at DESC, id DESC)`,
    `DROP INDEX chat.chats_connection_activity_idx`,
    `CREATE INDEX chats_connection_activity_idx ON chat.chats (connection_id, last_message_at DESC, id DESC)`,
  ],
  down: [
    `DROP INDEX chat.chats_connection_activity_idx`,
    `CREATE INDEX chats_connection_activity_idx ON chat.chats (connection_id, last_message_at DESC NULLS LAST, id DESC)`,
    `DROP INDEX chat.chats_activity_idx`,
    `CREATE INDEX chats_activity_idx ON chat.chats (last_message_at DESC NULLS LAST, id DESC)`,
    `ALTER TABLE chat.chats ALTER COLUMN last_message_at DROP DEFAULT`,
    `ALTER TABLE chat.chats ALTER COLUMN last_message_at DROP NOT NULL`,
  ],
};
