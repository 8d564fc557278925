import { createServiceDataSource } from '@switchboard/persistence';
import type { DataSource } from 'typeorm';
import { FILES_SCHEMA } from './files.config';
import { FILES_MIGRATIONS } from './migrations';

/** The files service's connection pool on its own schema and migrations. */
export function createFilesDataSource(options: { url: string; poolSize?: number; applicationName?: string }): DataSource {
  return createServiceDataSource({
    url: options.url,
    schema: FILES_SCHEMA,
    migrations: FILES_MIGRATIONS,
    poolSize: options.poolSize,
    applicationName: options.applicationName ?? 'files',
  });
}
