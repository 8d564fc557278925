import type { SqlMigrationSpec } from '@switchboard/persistence';
import { liveFeedTableDdl } from '@switchboard/service-kit';

const feed = liveFeedTableDdl('tasks');

/**
 * The live feed (decision 0012, 0022): every fired reminder in commit-safe order, written in the firing
 * transaction, so the gateway can deliver it to its owner's subscription and a reconnecting client can
 * resume from the cursor it last saw.
 */
export const TasksLiveFeedMigration: SqlMigrationSpec = {
  name: 'TasksLiveFeed1765000000002',
  up: feed.up,
  down: feed.down,
};
