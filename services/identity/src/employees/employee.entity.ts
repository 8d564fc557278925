import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Role } from '@switchboard/service-kit';

/** Mirrors identity.employees; the table itself is defined by the SQL migrations, never synchronised. */
@Entity({ schema: 'identity', name: 'employees' })
export class EmployeeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  role!: Role;

  @Column({ type: 'text', name: 'password_hash' })
  passwordHash!: string;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ type: 'integer', name: 'failed_logins', default: 0 })
  failedLogins!: number;

  @Column({ type: 'timestamptz', name: 'locked_until', nullable: true })
  lockedUntil!: Date | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}

/** What leaves the service: everything but the secrets and the lockout bookkeeping. */
export interface Employee {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
}

export function toEmployee(entity: EmployeeEntity): Employee {
  return { id: entity.id, email: entity.email, name: entity.name, role: entity.role, active: entity.active };
}
