import type { SqlMigrationSpec } from '@switchboard/persistence';
import { TasksInitMigration } from './0001-init.migration';
import { TasksLiveFeedMigration } from './0002-live-feed.migration';

/** In order; each name ends in its timestamp. */
export const TASKS_MIGRATIONS: readonly SqlMigrationSpec[] = [TasksInitMigration, TasksLiveFeedMigration];
