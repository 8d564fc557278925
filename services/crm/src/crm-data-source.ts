import { createServiceDataSource } from '@switchboard/persistence';
import type { DataSource } from 'typeorm';
import { CRM_SCHEMA } from './crm.config';
import { CRM_MIGRATIONS } from './migrations';

/** The crm service's connection pool on its own schema and migrations. */
export function createCrmDataSource(options: { url: string; poolSize?: number; applicationName?: string }): DataSource {
  return createServiceDataSource({
    url: options.url,
    schema: CRM_SCHEMA,
    migrations: CRM_MIGRATIONS,
    poolSize: options.poolSize,
    applicationName: options.applicationName ?? 'crm',
  });
}
