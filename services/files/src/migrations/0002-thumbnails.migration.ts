import type { SqlMigrationSpec } from '@switchboard/persistence';

/**
 * Thumbnails of images (decision 0025, amended): a small WebP next to the original in the storage. Null for
 * files that are not images, images the thumbnailer could not read, and files stored before this migration.
 */
export const FilesThumbnailsMigration: SqlMigrationSpec = {
  name: 'FilesThumbnails1796500000002',
  up: [`ALTER TABLE files.files ADD COLUMN thumbnail_key text`],
  down: [`ALTER TABLE files.files DROP COLUMN thumbnail_key`],
};
