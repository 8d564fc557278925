import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import type { DataSource } from 'typeorm';
import { EmployeeEntity } from './employees/employee.entity';
import { IDENTITY_MIGRATIONS } from './migrations/identity.migrations';

/** The identity service's own schema; no other service reads it. */
export const IDENTITY_SCHEMA = 'identity';

export function createIdentityDataSource(databaseUrl: string, options: { poolSize?: number } = {}): DataSource {
  return createServiceDataSource({
    url: databaseUrl,
    schema: IDENTITY_SCHEMA,
    migrations: IDENTITY_MIGRATIONS,
    entities: [EmployeeEntity],
    applicationName: 'identity',
    ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
  });
}

/** Applies pending migrations of the identity schema; returns the names applied. */
export function migrateIdentitySchema(dataSource: DataSource): Promise<string[]> {
  return migrateSchema(dataSource, IDENTITY_SCHEMA);
}
