import type { SqlMigrationSpec } from '@switchboard/persistence';
import { FilesInitMigration } from './0001-init.migration';
import { FilesThumbnailsMigration } from './0002-thumbnails.migration';

/** In order; each name ends in its timestamp. */
export const FILES_MIGRATIONS: readonly SqlMigrationSpec[] = [FilesInitMigration, FilesThumbnailsMigration];
