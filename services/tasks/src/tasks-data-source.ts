import { createServiceDataSource } from '@switchboard/persistence';
import type { DataSource } from 'typeorm';
import { TASKS_SCHEMA } from './tasks.config';
import { TASKS_MIGRATIONS } from './migrations';

/** The tasks service's connection pool on its own schema and migrations. */
export function createTasksDataSource(options: { url: string; poolSize?: number; applicationName?: string }): DataSource {
  return createServiceDataSource({
    url: options.url,
    schema: TASKS_SCHEMA,
    migrations: TASKS_MIGRATIONS,
    poolSize: options.poolSize,
    applicationName: options.applicationName ?? 'tasks',
  });
}
