export * from './sql-migration';
export * from './service-data-source';
export * from './embedded-postgres';
