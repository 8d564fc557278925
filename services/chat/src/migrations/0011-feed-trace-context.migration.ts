import type { SqlMigrationSpec } from '@switchboard/persistence';

/**
 * The W3C traceparent of the write that produced each live-feed entry (decision 0037), so the gateway's
 * delivery to a subscriber continues the message's trace. Nullable and without a default: adding it is
 * instant, and a running older version, which does not name it, keeps working.
 */
export const ChatFeedTraceContextMigration: SqlMigrationSpec = {
  name: 'ChatFeedTraceContext1764000000011',
  up: [`ALTER TABLE chat.feed ADD COLUMN traceparent text`],
  down: [`ALTER TABLE chat.feed DROP COLUMN traceparent`],
};
