import { outboxTableDdl, sentCommandsTableDdl } from '@switchboard/messaging';
import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CHANNEL_META_SCHEMA } from '../channel-meta.config';
import { auditLogMigration } from './0002-audit-log.migration';
import { inboundMediaLinksMigration } from './0003-inbound-media-links.migration';
import { mediaLinkRetentionMigration } from './0004-media-link-retention.migration';
import { sentCommandsRetentionMigration } from './0005-sent-commands-retention.migration';

const s = CHANNEL_META_SCHEMA;
const outbox = outboxTableDdl(s);
const sentCommands = sentCommandsTableDdl(s);

export const initMigration: SqlMigrationSpec = {
  name: 'ChannelMetaInit1764000000400',
  up: [
    // One row per Page: reconnecting keeps the connection id, and with it every chat key of its four sources.
    // The verify token is only ever compared, so a hash is stored instead of the token.
    `CREATE TABLE "${s}".connections (
       id uuid PRIMARY KEY,
       page_id text NOT NULL UNIQUE,
       page_name text NOT NULL,
       instagram_account_id text UNIQUE,
       instagram_username text,
       display_name text NOT NULL,
       access_token_ciphertext text NOT NULL,
       app_secret_ciphertext text NOT NULL,
       verify_token_sha256 text NOT NULL,
       state text NOT NULL CHECK (state IN ('active', 'error', 'disconnected')),
       subscription_lost_at timestamptz,
       last_webhook_at timestamptz,
       last_error text,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE INDEX connections_verify_token ON "${s}".connections (verify_token_sha256)`,
    ...sentCommands.up,
    // Echoes of our own sends are recognised by their mid.
    `CREATE INDEX sent_commands_platform_message_id ON "${s}".sent_commands (platform_message_id) WHERE platform_message_id IS NOT NULL`,
    // Comments customers wrote (CHANNELS.md 7): which comment an answer goes under, and the one private reply per comment.
    `CREATE TABLE "${s}".comments (
       comment_id text PRIMARY KEY,
       connection_id uuid NOT NULL REFERENCES "${s}".connections (id),
       source text NOT NULL CHECK (source IN ('facebook', 'instagram')),
       chat_key text NOT NULL,
       post_id text NOT NULL,
       commenter_id text NOT NULL,
       created_at timestamptz NOT NULL,
       private_reply_at timestamptz,
       private_reply_message_id text)`,
    `CREATE INDEX comments_chat ON "${s}".comments (chat_key, created_at DESC)`,
    ...outbox.up,
  ],
  down: [...outbox.down, `DROP TABLE "${s}".comments`, ...sentCommands.down, `DROP TABLE "${s}".connections`],
};

export const CHANNEL_META_MIGRATIONS: readonly SqlMigrationSpec[] = [initMigration, auditLogMigration, inboundMediaLinksMigration, mediaLinkRetentionMigration, sentCommandsRetentionMigration];
