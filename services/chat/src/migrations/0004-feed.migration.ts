import type { SqlMigrationSpec } from '@switchboard/persistence';

/**
 * The live feed (issue 4): every chat event in commit-safe order with a global position, kept for a
 * retention period, so a gateway can fan events out to operators and a reconnecting client can resume
 * from the position it last saw. `tx` lets readers skip rows whose lower-positioned neighbours may still
 * be uncommitted (see chat-feed.reader.ts).
 */
export const ChatFeedMigration: SqlMigrationSpec = {
  name: 'ChatFeed1764000000004',
  up: [
    `CREATE TABLE chat.feed (
       position bigserial PRIMARY KEY,
       tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
       chat_id uuid NOT NULL,
       connection_id uuid,
       operator_ids uuid[],
       only_employee_id uuid,
       type text NOT NULL,
       envelope jsonb NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE INDEX feed_created_idx ON chat.feed (created_at)`,
    // The newest position pruned away: a resume from before it cannot be served completely.
    `CREATE TABLE chat.feed_horizon (id int PRIMARY KEY CHECK (id = 1), pruned_through bigint NOT NULL)`,
    `INSERT INTO chat.feed_horizon (id, pruned_through) VALUES (1, 0)`,
  ],
  down: [`DROP TABLE chat.feed_horizon`, `DROP TABLE chat.feed`],
};
