import { outboxTableDdl } from '@switchboard/messaging';
import type { SqlMigrationSpec } from '@switchboard/persistence';

const outbox = outboxTableDdl('chat');

export const ChatInitMigration: SqlMigrationSpec = {
  name: 'ChatInit1764000000001',
  up: [
    `CREATE TABLE chat.statuses (
       code text PRIMARY KEY,
       name text NOT NULL,
       position int NOT NULL,
       is_closed boolean NOT NULL DEFAULT false,
       created_at timestamptz NOT NULL DEFAULT now())`,
    // The default set (FEATURES.md C3/C4); admins will edit the list, codes stay stable.
    `INSERT INTO chat.statuses (code, name, position, is_closed) VALUES
       ('new', 'Новий', 1, false), ('in_progress', 'В обробці', 2, false), ('completed', 'Завершений', 3, true)`,
    `CREATE TABLE chat.customers (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       connection_id uuid NOT NULL,
       channel text NOT NULL,
       external_id text NOT NULL,
       display_name text NOT NULL,
       username text,
       phone text,
       language_code text,
       profile_url text,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now(),
       UNIQUE (connection_id, external_id))`,
    // One row, locked while numbering new chats: numbers are gap-free (#1, #2, ...), unlike a sequence.
    `CREATE TABLE chat.chat_number_counter (id int PRIMARY KEY CHECK (id = 1), last_number bigint NOT NULL)`,
    `INSERT INTO chat.chat_number_counter (id, last_number) VALUES (1, 0)`,
    `CREATE TABLE chat.chats (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       number bigint NOT NULL UNIQUE,
       chat_key text NOT NULL UNIQUE,
       channel text NOT NULL,
       connection_id uuid NOT NULL,
       connection_display_name text NOT NULL,
       external_chat_id text NOT NULL,
       customer_id uuid NOT NULL REFERENCES chat.customers(id),
       status_code text NOT NULL REFERENCES chat.statuses(code),
       unanswered boolean NOT NULL DEFAULT false,
       last_message_at timestamptz,
       last_message_preview text,
       last_message_direction text,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE INDEX chats_activity_idx ON chat.chats (last_message_at DESC NULLS LAST, id DESC)`,
    `CREATE TABLE chat.messages (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       seq bigserial NOT NULL,
       chat_id uuid NOT NULL REFERENCES chat.chats(id) ON DELETE CASCADE,
       direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
       platform_message_id text,
       text text,
       attachments jsonb NOT NULL DEFAULT '[]',
       location jsonb,
       contact jsonb,
       placeholder text,
       raw jsonb,
       reply_to_platform_message_id text,
       media_group_id text,
       reactions jsonb NOT NULL DEFAULT '[]',
       author_employee_id uuid,
       delivery_state text CHECK (delivery_state IN ('pending', 'sent', 'delivered', 'read', 'failed')),
       failure_code text,
       failure_message text,
       sent_at timestamptz NOT NULL,
       edited_at timestamptz,
       deleted_at timestamptz,
       created_at timestamptz NOT NULL DEFAULT now())`,
    // The natural key that makes redelivered platform events harmless (CHANNELS.md rule 3).
    `CREATE UNIQUE INDEX messages_platform_key ON chat.messages (chat_id, direction, platform_message_id)`,
    `CREATE INDEX messages_timeline_idx ON chat.messages (chat_id, sent_at DESC, seq DESC)`,
    ...outbox.up,
  ],
  down: [
    ...outbox.down,
    `DROP TABLE chat.messages`,
    `DROP TABLE chat.chats`,
    `DROP TABLE chat.chat_number_counter`,
    `DROP TABLE chat.customers`,
    `DROP TABLE chat.statuses`,
  ],
};
