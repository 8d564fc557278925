import type { SqlMigrationSpec } from '@switchboard/persistence';

/**
 * Issue 7 (C10): files of chats. Every file belongs to one chat, so "may this employee download it" is
 * "may this employee see the chat" (asked of the chat service). Bytes live in the storage (disk or S3)
 * under storage_key; this table holds what the inbox shows and where the bytes are.
 */
export const FilesInitMigration: SqlMigrationSpec = {
  name: 'FilesInit1765100000001',
  up: [
    `CREATE TABLE files.files (
       id uuid PRIMARY KEY,
       chat_id uuid NOT NULL,
       origin text NOT NULL CHECK (origin IN ('upload', 'channel')),
       -- Uploads: the employee who uploaded. Channel media: the message and the attachment's position in it.
       uploaded_by uuid,
       message_id uuid,
       attachment_index int,
       platform_file_id text,
       state text NOT NULL CHECK (state IN ('pending', 'stored', 'failed')),
       failure text,
       file_name text,
       mime_type text,
       kind text NOT NULL,
       size_bytes bigint,
       sha256 text,
       storage_key text,
       -- Milliseconds, like the JavaScript dates in page cursors, so a cursor matches its row exactly.
       created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
       stored_at timestamptz,
       CHECK ((origin = 'upload') = (uploaded_by IS NOT NULL)),
       CHECK ((origin = 'channel') = (message_id IS NOT NULL AND attachment_index IS NOT NULL)),
       CHECK ((state = 'stored') = (storage_key IS NOT NULL AND size_bytes IS NOT NULL)))`,
    // A redelivered chat event must not store a message's attachment twice.
    `CREATE UNIQUE INDEX files_message_attachment_idx ON files.files (message_id, attachment_index) WHERE message_id IS NOT NULL`,
    // Chat.files pages, newest first.
    `CREATE INDEX files_chat_idx ON files.files (chat_id, created_at DESC, id DESC)`,
    // Where a chat's media come from (chat.created): the connector to fetch them from.
    `CREATE TABLE files.chats (
       chat_id uuid PRIMARY KEY,
       channel text NOT NULL,
       connection_id uuid NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now())`,
  ],
  down: [`DROP TABLE files.chats`, `DROP TABLE files.files`],
};
