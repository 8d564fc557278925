import type { SqlMigrationSpec } from '@switchboard/persistence';

/**
 * The operator's inbox (issue 4): who may see which chat, who works on it, what each operator has read,
 * notes and activity entries in the timeline, and canned answers.
 */
export const ChatInboxMigration: SqlMigrationSpec = {
  name: 'ChatInbox1764000000002',
  up: [
    // Operators live on the chat row: every list filter ("assigned to me", "unassigned", "operators")
    // is then a predicate on one table, served by one GIN index, with no join per row.
    `ALTER TABLE chat.chats ADD COLUMN operator_ids uuid[] NOT NULL DEFAULT '{}'`,
    `CREATE INDEX chats_operator_ids_idx ON chat.chats USING gin (operator_ids)`,
    `CREATE INDEX chats_connection_activity_idx ON chat.chats (connection_id, last_message_at DESC NULLS LAST, id DESC)`,
    // Which employees work a connected account: an operator sees that account's chats (issue 4 permissions).
    `CREATE TABLE chat.connection_members (
       connection_id uuid NOT NULL,
       employee_id uuid NOT NULL,
       added_by uuid NOT NULL,
       added_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (connection_id, employee_id))`,
    `CREATE INDEX connection_members_employee_idx ON chat.connection_members (employee_id)`,
    // The timeline holds customer/operator messages, internal notes and activity entries in one ordered
    // sequence. Notes and activities have no direction: nothing without one can reach a platform.
    `ALTER TABLE chat.messages ADD COLUMN kind text NOT NULL DEFAULT 'message' CHECK (kind IN ('message', 'note', 'activity'))`,
    `ALTER TABLE chat.messages ALTER COLUMN direction DROP NOT NULL`,
    `ALTER TABLE chat.messages ADD CONSTRAINT messages_direction_iff_message CHECK ((kind = 'message') = (direction IS NOT NULL))`,
    `ALTER TABLE chat.messages ADD COLUMN activity jsonb`,
    `CREATE INDEX messages_inbound_seq_idx ON chat.messages (chat_id, seq) WHERE kind = 'message' AND direction = 'inbound'`,
    // Read state: the newest timeline position each employee has seen in each chat.
    `CREATE TABLE chat.chat_reads (
       chat_id uuid NOT NULL REFERENCES chat.chats(id) ON DELETE CASCADE,
       employee_id uuid NOT NULL,
       last_read_seq bigint NOT NULL,
       read_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (chat_id, employee_id))`,
    // Canned answers: owner NULL = shared with everyone; shortcodes are unique per owner (and among shared ones).
    `CREATE TABLE chat.canned_answers (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       owner_employee_id uuid,
       shortcode text NOT NULL,
       title text NOT NULL,
       body text NOT NULL,
       created_by uuid NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE UNIQUE INDEX canned_answers_shortcode_idx ON chat.canned_answers
       (COALESCE(owner_employee_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(shortcode))`,
  ],
  down: [
    `DROP TABLE chat.canned_answers`,
    `DROP TABLE chat.chat_reads`,
    `DROP INDEX chat.messages_inbound_seq_idx`,
    `DELETE FROM chat.messages WHERE kind <> 'message'`,
    `ALTER TABLE chat.messages DROP CONSTRAINT messages_direction_iff_message`,
    `ALTER TABLE chat.messages DROP COLUMN activity`,
    `ALTER TABLE chat.messages ALTER COLUMN direction SET NOT NULL`,
    `ALTER TABLE chat.messages DROP COLUMN kind`,
    `DROP TABLE chat.connection_members`,
    `DROP INDEX chat.chats_connection_activity_idx`,
    `DROP INDEX chat.chats_operator_ids_idx`,
    `ALTER TABLE chat.chats DROP COLUMN operator_ids`,
  ],
};
