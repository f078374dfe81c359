import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { type KeyRing, SecretBox } from '@gatehouse/crypto';
import { LdapConfigEntity, PersistenceModule } from '@gatehouse/persistence';
import {
  type PlatformConfig,
  PlatformModule,
  RedisModule,
  redisOptionsFromUrl,
} from '@gatehouse/platform';
import { AuditLogRepository } from './audit/audit-log.repository';
import { SyncAuditService } from './audit/sync-audit.service';
import { DirectoryController } from './directory/directory.controller';
import { DirectoryService } from './directory/directory.service';
import { LdapAuthController } from './ldap-auth/ldap-auth.controller';
import { LdapAuthService } from './ldap-auth/ldap-auth.service';
import { LdapConfigRepository } from './ldap-config/ldap-config.repository';
import { LdapConfigService } from './ldap-config/ldap-config.service';
import { LdapSettingsController } from './ldap-settings/ldap-settings.controller';
import { LdapSettingsService } from './ldap-settings/ldap-settings.service';
import { LdapAdapter } from './ldap/ldap.adapter';
import { LdapConnectionPool } from './ldap/ldap-connection-pool';
import type { LdapSyncConfig } from './ldap-sync.config';
import { PingController } from './ping/ping.controller';
import { SyncController } from './sync/sync.controller';
import { LDAP_SYNC_QUEUE, SYNC_OPTIONS, type SyncOptions } from './sync/sync.options';
import { SyncProcessor } from './sync/sync.processor';
import { SyncRepository } from './sync/sync.repository';
import { SyncService } from './sync/sync.service';
import { SyncRunExtrasRepository } from './sync/sync-run-extras.repository';
import { GroupSyncRepository } from './groups/group-sync.repository';
import { GroupSyncService } from './groups/group-sync.service';
import { GroupRoleMappingController } from './groups/group-role-mapping.controller';
import { GroupRoleMappingRepository } from './groups/group-role-mapping.repository';
import { GroupRoleMappingService } from './groups/group-role-mapping.service';
import { UserResyncController } from './user-resync/user-resync.controller';
import { UserResyncRepository } from './user-resync/user-resync.repository';
import { UserResyncService } from './user-resync/user-resync.service';
import { DirectoryWriteController } from './directory-write/directory-write.controller';
import { DirectoryWriteRepository } from './directory-write/directory-write.repository';
import { DirectoryWriteService } from './directory-write/directory-write.service';

/** The LDAP features' providers, listed once so the medium tests build the same graph on a real
 *  database without Redis and HTTP. The SecretBox holds the key ring parsed at boot. */
export function ldapProviders(keyRing: KeyRing): Provider[] {
  return [
    { provide: SecretBox, useValue: new SecretBox(keyRing) },
    LdapAdapter,
    LdapConnectionPool,
    LdapConfigRepository,
    LdapConfigService,
    LdapAuthService,
    LdapSettingsService,
    DirectoryService,
    DirectoryWriteRepository,
    DirectoryWriteService,
  ];
}

@Module({})
export class LdapSyncModule {
  static forRoot(config: PlatformConfig, own: LdapSyncConfig): DynamicModule {
    return {
      module: LdapSyncModule,
      imports: [
        PlatformModule.forRoot({ app: 'ldap-sync', config }),
        PersistenceModule.forRoot(config),
        TypeOrmModule.forFeature([LdapConfigEntity]),
        RedisModule,
        // BullMQ blocks on Redis by design: it needs maxRetriesPerRequest null.
        BullModule.forRoot({
          connection: {
            ...redisOptionsFromUrl(config.REDIS_URL),
            maxRetriesPerRequest: null,
            connectionName: 'gatehouse:ldap-sync:bullmq',
          },
        }),
        BullModule.registerQueue({ name: LDAP_SYNC_QUEUE }),
      ],
      controllers: [
        PingController,
        LdapAuthController,
        LdapSettingsController,
        DirectoryController,
        SyncController,
        GroupRoleMappingController,
        UserResyncController,
        DirectoryWriteController,
      ],
      providers: [
        ...ldapProviders(own.GATEHOUSE_SECRET_KEYS),
        { provide: SYNC_OPTIONS, useValue: syncOptions(own) },
        SyncRepository,
        SyncService,
        SyncProcessor,
        // -- groups, group roles, incremental runs, progress, single-user re-sync --
        SyncRunExtrasRepository,
        GroupSyncRepository,
        GroupSyncService,
        GroupRoleMappingRepository,
        GroupRoleMappingService,
        UserResyncRepository,
        UserResyncService,
        // -- audit rows of runs, re-syncs and the sessions they end --
        AuditLogRepository,
        SyncAuditService,
      ],
    };
  }
}

function syncOptions(own: LdapSyncConfig): SyncOptions {
  return {
    pageSize: own.LDAP_SYNC_PAGE_SIZE,
    batchSize: own.LDAP_SYNC_BATCH_SIZE,
    writeConcurrency: own.LDAP_SYNC_WRITE_CONCURRENCY,
    maxDeleteRatio: own.LDAP_SYNC_MAX_DELETE_PERCENT / 100,
    staleRunSeconds: own.LDAP_SYNC_STALE_RUN_SECONDS,
    modePolicy: {
      fullEveryRuns: own.LDAP_SYNC_FULL_EVERY_RUNS,
      fullMaxAgeHours: own.LDAP_SYNC_FULL_MAX_AGE_HOURS,
      overlapMs: own.LDAP_SYNC_OVERLAP_SECONDS * 1000,
    },
    progressIntervalMs: own.LDAP_SYNC_PROGRESS_INTERVAL_MS,
  };
}
