import { outboxTableDdl } from '@switchboard/messaging';
import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CHANNEL_WHATSAPP_SCHEMA } from '../channel-whatsapp.config';
import { auditLogMigration } from './0002-audit-log.migration';
import { sentCommandsRetentionMigration } from './0003-sent-commands-retention.migration';

const s = CHANNEL_WHATSAPP_SCHEMA;
const outbox = outboxTableDdl(s);

export const initMigration: SqlMigrationSpec = {
  name: 'ChannelWhatsAppInit1764000000300',
  up: [
    // One row per phone number: reconnecting a number keeps its connection id, and with it every chat key.
    // The verify token is only ever compared, so a hash is stored (and looked up) instead of the token.
    `CREATE TABLE "${s}".connections (
       id uuid PRIMARY KEY,
       phone_number_id text NOT NULL UNIQUE,
       waba_id text NOT NULL,
       display_phone_number text NOT NULL,
       verified_name text NOT NULL,
       display_name text NOT NULL,
       access_token_ciphertext text NOT NULL,
       app_secret_ciphertext text NOT NULL,
       verify_token_sha256 text NOT NULL,
       state text NOT NULL CHECK (state IN ('active', 'error', 'disconnected')),
       last_webhook_at timestamptz,
       last_error text,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE INDEX connections_verify_token ON "${s}".connections (verify_token_sha256)`,
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

export const CHANNEL_WHATSAPP_MIGRATIONS: readonly SqlMigrationSpec[] = [initMigration, auditLogMigration, sentCommandsRetentionMigration];
