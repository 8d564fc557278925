import { outboxTableDdl } from '@switchboard/messaging';
import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CHANNEL_TELEGRAM_USER_SCHEMA } from '../channel-telegram-user.config';

const s = CHANNEL_TELEGRAM_USER_SCHEMA;
const outbox = outboxTableDdl(s);
/** Telegram user and access-hash ids are 64-bit: kept as decimal text, never as a JS number. */
const LONG = `text CHECK (%s ~ '^-?[0-9]{1,20}$')`;
const long = (column: string) => LONG.replace('%s', column);

export const initMigration: SqlMigrationSpec = {
  name: 'ChannelTelegramUserInit1764000000300',
  up: [
    // One row per Telegram account: logging in again keeps the id (and every chat key of the account).
    `CREATE TABLE "${s}".connections (
       id uuid PRIMARY KEY,
       account_user_id ${long('account_user_id')} NOT NULL UNIQUE,
       phone text NOT NULL,
       username text,
       display_name text NOT NULL,
       session_ciphertext text NOT NULL,
       state text NOT NULL CHECK (state IN ('active', 'error', 'disconnected')),
       last_event_at timestamptz,
       last_error text,
       last_error_at timestamptz,
       -- Private-chat message ids are per account and only grow: the back-fill cursor after a reconnect.
       last_message_id bigint,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now())`,
    // A login between its steps. Its session (a fresh auth key) must carry on to the next step, on any instance.
    `CREATE TABLE "${s}".logins (
       id uuid PRIMARY KEY,
       phone text NOT NULL,
       display_name text,
       step text NOT NULL CHECK (step IN ('code', 'password')),
       phone_code_hash text NOT NULL,
       code_delivery text NOT NULL,
       password_hint text,
       session_ciphertext text NOT NULL,
       expires_at timestamptz NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now())`,
    // Exactly one live MTProto client per account: the holder renews expires_at; the token fences a holder that lost it.
    `CREATE TABLE "${s}".leases (
       connection_id uuid PRIMARY KEY REFERENCES "${s}".connections(id) ON DELETE CASCADE,
       holder text NOT NULL,
       fencing_token bigint NOT NULL,
       acquired_at timestamptz NOT NULL,
       expires_at timestamptz NOT NULL)`,
    // Customers as Telegram described them; the access hash is what lets the account write to them after a restart.
    `CREATE TABLE "${s}".peers (
       connection_id uuid NOT NULL REFERENCES "${s}".connections(id) ON DELETE CASCADE,
       user_id ${long('user_id')} NOT NULL,
       access_hash ${long('access_hash')},
       display_name text NOT NULL,
       username text,
       phone text,
       language_code text,
       read_outbox_max_id integer NOT NULL DEFAULT 0,
       updated_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (connection_id, user_id))`,
    // Every private message seen, in and out: the insert decides whether it is new (live and back-filled alike).
    `CREATE TABLE "${s}".messages (
       connection_id uuid NOT NULL REFERENCES "${s}".connections(id) ON DELETE CASCADE,
       message_id bigint NOT NULL,
       peer_user_id text NOT NULL,
       direction text NOT NULL CHECK (direction IN ('in', 'out')),
       sent_at timestamptz NOT NULL,
       edit_date integer,
       deleted_at timestamptz,
       PRIMARY KEY (connection_id, message_id))`,
    `CREATE INDEX messages_peer_idx ON "${s}".messages (connection_id, peer_user_id, message_id)`,
    // Send commands, queued by whichever instance consumed them and sent by the account's lease holder.
    // 'sending' is written before Telegram is called, so a command interrupted mid-send is never sent twice.
    `CREATE TABLE "${s}".outbound_commands (
       seq bigserial UNIQUE,
       command_id uuid PRIMARY KEY,
       connection_id uuid NOT NULL,
       chat_key text NOT NULL,
       command jsonb NOT NULL,
       state text NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
       attempts integer NOT NULL DEFAULT 0,
       message_id bigint,
       failure_code text,
       failure_message text,
       queued_at timestamptz NOT NULL DEFAULT now(),
       completed_at timestamptz,
       CHECK ((state <> 'sent' OR message_id IS NOT NULL) AND (state <> 'failed' OR failure_code IS NOT NULL)))`,
    `CREATE INDEX outbound_commands_due_idx ON "${s}".outbound_commands (connection_id, seq) WHERE state IN ('queued', 'sending')`,
    ...outbox.up,
  ],
  down: [
    ...outbox.down,
    `DROP TABLE "${s}".outbound_commands`,
    `DROP TABLE "${s}".messages`,
    `DROP TABLE "${s}".peers`,
    `DROP TABLE "${s}".leases`,
    `DROP TABLE "${s}".logins`,
    `DROP TABLE "${s}".connections`,
  ],
};

export const CHANNEL_TELEGRAM_USER_MIGRATIONS: readonly SqlMigrationSpec[] = [initMigration];
