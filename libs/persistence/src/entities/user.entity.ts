import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type UserSource = 'local' | 'ldap';
export type UserType = 'staff' | 'employee';

/** A person who can log in: a local account (argon2id password hash) or one sourced from the
 *  tenant's directory (identified by its entryUUID/objectGUID, never by DN). */
@Entity({ name: 'users' })
export class UserEntity {
  /** bigint: pg returns it as a string; the API answers it as a number (seed 001: "id": 123). */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 64 })
  tenantId!: string;

  @Column({ type: 'varchar', length: 256 })
  username!: string;

  @Column({ type: 'varchar', length: 8 })
  source!: UserSource;

  @Column({ name: 'user_type', type: 'varchar', length: 16, default: 'staff' })
  userType!: UserType;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email!: string | null;

  @Column({ name: 'first_name', type: 'varchar', length: 200, default: '' })
  firstName!: string;

  @Column({ name: 'last_name', type: 'varchar', length: 200, default: '' })
  lastName!: string;

  @Column({ name: 'company_id', type: 'varchar', length: 64, nullable: true })
  companyId!: string | null;

  @Column({ name: 'employee_number', type: 'varchar', length: 64, nullable: true })
  employeeNumber!: string | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'password_hash', type: 'text', nullable: true, select: false })
  passwordHash!: string | null;

  @Column({ name: 'ldap_uuid', type: 'varchar', length: 64, nullable: true })
  ldapUuid!: string | null;

  @Column({ name: 'ldap_dn', type: 'text', nullable: true })
  ldapDn!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
