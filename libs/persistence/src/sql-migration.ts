import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Migrations are plain SQL, written by hand and reviewed like code (never synchronize). The name must
 * end in a millisecond timestamp: TypeORM orders and records migrations by it.
 */
export interface SqlMigrationSpec {
  readonly name: string;
  readonly up: readonly string[];
  readonly down: readonly string[];
}

export function toTypeOrmMigration(spec: SqlMigrationSpec): new () => MigrationInterface {
  if (!/\d{13}$/.test(spec.name)) throw new Error(`Migration name "${spec.name}" must end in a 13-digit timestamp`);
  const migration = class implements MigrationInterface {
    name = spec.name;
    async up(runner: QueryRunner): Promise<void> {
      for (const sql of spec.up) await runner.query(sql);
    }
    async down(runner: QueryRunner): Promise<void> {
      for (const sql of spec.down) await runner.query(sql);
    }
  };
  Object.defineProperty(migration, 'name', { value: spec.name });
  return migration;
}
