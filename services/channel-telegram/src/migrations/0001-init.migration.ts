import { outboxTableDdl } from '@switchboard/messaging';
import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CHANNEL_TELEGRAM_SCHEMA } from '../channel-telegram.config';
import { auditLogMigration } from './0002-audit-log.migration';
import { sentCommandsRetentionMigration } from './0003-sent-commands-retention.migration';

const s = CHANNEL_TELEGRAM_SCHEMA;
const outbox = outboxTableDdl(s);

export const initMigration: SqlMigrationSpec = {
  name: 'ChannelTelegramInit1764000000100',
  up: [
    // Bot ids fit in 52 bits: bigint, never a JS number. One row per bot, so reconnecting a bot keeps its
    // connection id and with it every chat key that was derived from it.
    `CREATE TABLE "${s}".connections (
       id uuid PRIMARY KEY,
       bot_id bigint NOT NULL UNIQUE,
       bot_username text NOT NULL,
       display_name text NOT NULL,
       token_ciphertext text NOT NULL,
       webhook_secret text NOT NULL CHECK (webhook_secret ~ '^[A-Za-z0-9_-]{64}$'),
       mode text NOT NULL CHECK (mode IN ('webhook', 'polling')),
       polling_offset bigint,
       state text NOT NULL CHECK (state IN ('active', 'error', 'disconnected')),
       last_update_at timestamptz,
       last_error text,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now())`,
    // Idempotency of send commands: a redelivered command re-publishes this result instead of sending again.
    `CREATE TABLE "${s}".sent_commands (
       command_id uuid PRIMARY KEY,
       state text NOT NULL CHECK (state IN ('sent', 'failed')),
       platform_message_id text,
       failure_code text,
       failure_message text,
       created_at timestamptz NOT NULL DEFAULT now(),
       CHECK ((state = 'sent' AND platform_message_id IS NOT NULL) OR (state = 'failed' AND failure_code IS NOT NULL)))`,
    ...outbox.up,
  ],
  down: [...outbox.down, `DROP TABLE "${s}".sent_commands`, `DROP TABLE "${s}".connections`],
};

export const CHANNEL_TELEGRAM_MIGRATIONS: readonly SqlMigrationSpec[] = [initMigration, auditLogMigration, sentCommandsRetentionMigration];
