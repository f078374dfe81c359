import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The field mapping of seed 003: Gatehouse field → directory attribute. */
export interface LdapFieldMapping {
  username: string;
  name: string;
  email: string;
  phone: string;
  department: string;
  title: string;
  employeeNumber: string;
  /** Optional extensions: where first and last names come from (default givenName and sn). */
  firstName?: string;
  lastName?: string;
}

/** A tenant's directory connection (owned by ldap-sync). The bind password is stored encrypted
 *  by libs/crypto with associated data `ldap_configs:<tenantId>:bind_password`. */
@Entity({ name: 'ldap_configs' })
export class LdapConfigEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 64, unique: true })
  tenantId!: string;

  @Column({ name: 'is_enabled', type: 'boolean', default: false })
  isEnabled!: boolean;

  @Column({ type: 'text' })
  server!: string;

  @Column({ name: 'base_dn', type: 'text' })
  baseDn!: string;

  @Column({ name: 'bind_dn', type: 'text', default: '' })
  bindDn!: string;

  @Column({ name: 'bind_password_enc', type: 'text', nullable: true })
  bindPasswordEnc!: string | null;

  @Column({ name: 'user_search_base', type: 'text' })
  userSearchBase!: string;

  @Column({ name: 'user_search_filter', type: 'text', default: '(uid={0})' })
  userSearchFilter!: string;

  @Column({ name: 'group_search_base', type: 'text', default: '' })
  groupSearchBase!: string;

  @Column({ name: 'group_search_filter', type: 'text', default: '(member={0})' })
  groupSearchFilter!: string;

  @Column({ name: 'use_ssl', type: 'boolean', default: false })
  useSsl!: boolean;

  @Column({ name: 'tls_ca_cert', type: 'text', nullable: true })
  tlsCaCert!: string | null;

  @Column({ name: 'tls_verify', type: 'boolean', default: true })
  tlsVerify!: boolean;

  @Column({ name: 'timeout_ms', type: 'integer', default: 5000 })
  timeoutMs!: number;

  @Column({ name: 'sync_enabled', type: 'boolean', default: false })
  syncEnabled!: boolean;

  @Column({ name: 'sync_interval', type: 'integer', default: 3600 })
  syncInterval!: number;

  @Column({ name: 'last_sync_time', type: 'timestamptz', nullable: true })
  lastSyncTime!: Date | null;

  @Column({ name: 'field_mapping', type: 'jsonb' })
  fieldMapping!: LdapFieldMapping;

  @Column({ name: 'created_by', type: 'varchar', length: 64 })
  createdBy!: string;

  @Column({ type: 'varchar', length: 200 })
  creator!: string;

  @Column({ name: 'created_date', type: 'timestamptz' })
  createdDate!: Date;

  @Column({ name: 'modified_by', type: 'varchar', length: 64 })
  modifiedBy!: string;

  @Column({ type: 'varchar', length: 200 })
  modifier!: string;

  @Column({ name: 'modified_date', type: 'timestamptz' })
  modifiedDate!: Date;
}

export function bindPasswordAad(tenantId: string): string {
  return `ldap_configs:${tenantId}:bind_password`;
}
