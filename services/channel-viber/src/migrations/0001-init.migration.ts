import { outboxTableDdl } from '@switchboard/messaging';
import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CHANNEL_VIBER_SCHEMA } from '../channel-viber.config';
import { auditLogMigration } from './0002-audit-log.migration';
import { mediaRetentionMigration } from './0003-media-retention.migration';
import { sentCommandsRetentionMigration } from './0004-sent-commands-retention.migration';

const s = CHANNEL_VIBER_SCHEMA;
const outbox = outboxTableDdl(s);
/** Viber message tokens are unsigned 64-bit integers: kept as their decimal text, never as a JS number. */
const TOKEN = `text CHECK (message_token ~ '^[0-9]{1,20}$')`;

export const initMigration: SqlMigrationSpec = {
  name: 'ChannelViberInit1764000000200',
  up: [
    // Viber names a bot by its account id; one row per bot keeps the connection id (and every chat key) on reconnect.
    `CREATE TABLE "${s}".connections (
       id uuid PRIMARY KEY,
       account_id text NOT NULL UNIQUE,
       account_name text NOT NULL,
       uri text,
       display_name text NOT NULL,
       sender_name text NOT NULL CHECK (char_length(sender_name) BETWEEN 1 AND 28),
       welcome_message text CHECK (char_length(welcome_message) BETWEEN 1 AND 7000),
       token_ciphertext text NOT NULL,
       state text NOT NULL CHECK (state IN ('active', 'error', 'disconnected')),
       last_event_at timestamptz,
       last_error text,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now())`,
    // One row per callback Viber may repeat (it retries for an hour): the insert decides whether it is new.
    `CREATE TABLE "${s}".inbound_callbacks (
       connection_id uuid NOT NULL REFERENCES "${s}".connections(id),
       dedupe_key text NOT NULL,
       event text NOT NULL,
       message_token ${TOKEN},
       user_id text,
       occurred_at timestamptz NOT NULL,
       received_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (connection_id, dedupe_key))`,
    // Only subscribed users may be messaged; the state moves by Viber's timestamps, not by arrival order.
    `CREATE TABLE "${s}".subscribers (
       connection_id uuid NOT NULL REFERENCES "${s}".connections(id),
       user_id text NOT NULL,
       name text,
       subscribed boolean NOT NULL,
       changed_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (connection_id, user_id))`,
    // Media Viber links to expire: the bytes are kept here until a files service takes them over.
    `CREATE TABLE "${s}".inbound_media (
       connection_id uuid NOT NULL REFERENCES "${s}".connections(id),
       message_token ${TOKEN} NOT NULL,
       source_url text NOT NULL,
       state text NOT NULL CHECK (state IN ('stored', 'too_large', 'failed')),
       mime_type text,
       size_bytes bigint,
       sha256 text,
       content bytea,
       error text,
       fetched_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (connection_id, message_token),
       CHECK ((state = 'stored') = (content IS NOT NULL)))`,
    // Idempotency of send commands. 'sending' is written before Viber is called, so a command redelivered
    // after a crash mid-send is reported failed instead of being sent a second time.
    `CREATE TABLE "${s}".sent_commands (
       command_id uuid PRIMARY KEY,
       connection_id uuid NOT NULL,
       state text NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
       message_token ${TOKEN},
       failure_code text,
       failure_message text,
       created_at timestamptz NOT NULL DEFAULT now(),
       completed_at timestamptz,
       CHECK ((state <> 'sent' OR message_token IS NOT NULL) AND (state <> 'failed' OR failure_code IS NOT NULL)))`,
    ...outbox.up,
  ],
  down: [
    ...outbox.down,
    `DROP TABLE "${s}".sent_commands`,
    `DROP TABLE "${s}".inbound_media`,
    `DROP TABLE "${s}".subscribers`,
    `DROP TABLE "${s}".inbound_callbacks`,
    `DROP TABLE "${s}".connections`,
  ],
};

export const CHANNEL_VIBER_MIGRATIONS: readonly SqlMigrationSpec[] = [initMigration, auditLogMigration, mediaRetentionMigration, sentCommandsRetentionMigration];
