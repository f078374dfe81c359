import type { DataSourceOptions } from 'typeorm';
import { LdapConfigEntity } from './entities/ldap-config.entity';
import { TenantEntity } from './entities/tenant.entity';
import { UserEntity } from './entities/user.entity';
import { CreateTenants1764270000000 } from './migrations/1764270000000-create-tenants';
import { CreateIdentity1764280000000 } from './migrations/1764280000000-create-identity';
import { CreateLdapSync1764290000000 } from './migrations/1764290000000-create-ldap-sync';
import { CreateLdapGroups1764300000000 } from './migrations/1764300000000-create-ldap-groups';
import { CreateAdmin1764310000000 } from './migrations/1764310000000-create-admin';
import { CreateIntegrations1764320000000 } from './migrations/1764320000000-create-integrations';
import { SyncItemPages1764330000000 } from './migrations/1764330000000-sync-item-pages';
import { InheritedMemberships1764340000000 } from './migrations/1764340000000-inherited-memberships';
import { MembershipChecksPerStatement1764350000000 } from './migrations/1764350000000-membership-checks-per-statement';
import { MembershipTruncateTriggers1764360000000 } from './migrations/1764360000000-membership-truncate-triggers';
import { MembershipGuardLock1764370000000 } from './migrations/1764370000000-membership-guard-lock';

/** Entities and migrations are listed, not globbed, so the compiled output needs no file scan and
 *  a missing import is a compile error. Schema changes happen by migration only. */
export const ENTITIES = [TenantEntity, UserEntity, LdapConfigEntity];
export const MIGRATIONS = [
  CreateTenants1764270000000,
  CreateIdentity1764280000000,
  CreateLdapSync1764290000000,
  CreateLdapGroups1764300000000,
  CreateAdmin1764310000000,
  CreateIntegrations1764320000000,
  SyncItemPages1764330000000,
  InheritedMemberships1764340000000,
  MembershipChecksPerStatement1764350000000,
  MembershipTruncateTriggers1764360000000,
  MembershipGuardLock1764370000000,
];

export function buildDataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    extra: {
      max: poolSize,
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 30000,
      application_name: process.env.GATEHOUSE_APP ?? 'gatehouse',
    },
  };
}
