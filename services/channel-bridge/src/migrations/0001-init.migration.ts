import { outboxTableDdl } from '@switchboard/messaging';
import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CHANNEL_BRIDGE_SCHEMA } from '../channel-bridge.config';
import { inboundMediaLinksMigration } from './0002-inbound-media-links.migration';
import { auditLogMigration } from './0003-audit-log.migration';
import { mediaLinkRetentionMigration } from './0004-media-link-retention.migration';

const s = CHANNEL_BRIDGE_SCHEMA;
const outbox = outboxTableDdl(s);

export const initMigration: SqlMigrationSpec = {
  name: 'ChannelBridgeInit1764600000100',
  up: [
    // The secret is stored encrypted (CredentialCipher, bound to the connection id); it is shown once.
    `CREATE TABLE "${s}".connections (
       id uuid PRIMARY KEY,
       name text NOT NULL,
       outbound_url text NOT NULL,
       secret_ciphertext text NOT NULL,
       state text NOT NULL CHECK (state IN ('active', 'disconnected')),
       secret_rotated_at timestamptz NOT NULL DEFAULT now(),
       last_inbound_at timestamptz,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now())`,
    // Idempotency-Key per connection: a repeat with the same body gets the stored answer, a different body 409.
    `CREATE TABLE "${s}".inbound_requests (
       connection_id uuid NOT NULL REFERENCES "${s}".connections (id),
       idempotency_key text NOT NULL,
       body_sha256 text NOT NULL,
       response_status int NOT NULL,
       response_body jsonb NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (connection_id, idempotency_key))`,
    `CREATE INDEX inbound_requests_created_at ON "${s}".inbound_requests (created_at)`,
    // One row per send command: the retry schedule lives here, so a restart loses nothing. seq keeps the
    // order in which commands of one chat arrived (they are delivered in that order).
    `CREATE TABLE "${s}".deliveries (
       command_id uuid PRIMARY KEY,
       seq bigserial NOT NULL UNIQUE,
       connection_id uuid NOT NULL,
       chat_key text NOT NULL,
       command text NOT NULL,
       state text NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'dead')),
       attempts int NOT NULL DEFAULT 0,
       next_attempt_at timestamptz NOT NULL DEFAULT now(),
       lease_until timestamptz,
       last_status int,
       last_error text,
       platform_message_id text,
       failure_code text,
       failure_message text,
       created_at timestamptz NOT NULL DEFAULT now(),
       finished_at timestamptz,
       CHECK (state <> 'sent' OR platform_message_id IS NOT NULL),
       CHECK (state NOT IN ('failed', 'dead') OR failure_code IS NOT NULL))`,
    `CREATE INDEX deliveries_due ON "${s}".deliveries (next_attempt_at) WHERE state = 'pending'`,
    `CREATE INDEX deliveries_chat_pending ON "${s}".deliveries (chat_key, seq) WHERE state = 'pending'`,
    `CREATE INDEX deliveries_dead ON "${s}".deliveries (connection_id, finished_at) WHERE state = 'dead'`,
    ...outbox.up,
  ],
  down: [...outbox.down, `DROP TABLE "${s}".deliveries`, `DROP TABLE "${s}".inbound_requests`, `DROP TABLE "${s}".connections`],
};

export const CHANNEL_BRIDGE_MIGRATIONS: readonly SqlMigrationSpec[] = [initMigration, inboundMediaLinksMigration, auditLogMigration, mediaLinkRetentionMigration];
