import type { SqlMigrationSpec } from '@switchboard/persistence';

/**
 * Who is typing in which chat, for the live feed's ephemeral channel (decision 0042): rows live a few
 * seconds and are pruned. UNLOGGED: no WAL, and a crash empties the table, which loses nothing that
 * matters (typing lasts ~6 s). Not part of the timeline, the feed or the outbox: never replayed. `seq` is
 * the gateway's ephemeral cursor; the chat service instance that consumed the event need not be the one
 * the gateway polls, hence a table and not memory.
 */
export const ChatTypingMigration: SqlMigrationSpec = {
  name: 'ChatTyping1764000000012',
  up: [
    `CREATE UNLOGGED TABLE chat.typing (
       seq bigserial PRIMARY KEY,
       chat_id uuid NOT NULL,
       actor_kind text NOT NULL CHECK (actor_kind IN ('customer', 'employee')),
       actor_id uuid NOT NULL,
       actor_name text NOT NULL,
       activity text NOT NULL,
       occurred_at timestamptz NOT NULL,
       expires_at timestamptz NOT NULL)`,
    `CREATE INDEX typing_expires_idx ON chat.typing (expires_at)`,
  ],
  down: [`DROP TABLE chat.typing`],
};
