import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { type KeyRing, SecretBox } from '@gatehouse/crypto';
import { LdapConfigEntity, PersistenceModule } from '@gatehouse/persistence';
import { type PlatformConfig, PlatformModule } from '@gatehouse/platform';
import { DirectoryController } from './directory/directory.controller';
import { DirectoryService } from './directory/directory.service';
import { LdapAuthController } from './ldap-auth/ldap-auth.controller';
import { LdapAuthService } from './ldap-auth/ldap-auth.service';
import { LdapConfigRepository } from './ldap-config/ldap-config.repository';
import { LdapConfigService } from './ldap-config/ldap-config.service';
import { LdapSettingsController } from './ldap-settings/ldap-settings.controller';
import { LdapSettingsService } from './ldap-settings/ldap-settings.service';
import { LdapAdapter } from './ldap/ldap.adapter';
import type { LdapSyncConfig } from './ldap-sync.config';
import { PingController } from './ping/ping.controller';

/** The LDAP features' providers, listed once so the medium tests build the same graph on a real
 *  database without Redis and HTTP. The SecretBox holds the key ring parsed at boot. */
export function ldapProviders(keyRing: KeyRing): Provider[] {
  return [
    { provide: SecretBox, useValue: new SecretBox(keyRing) },
    LdapAdapter,
    LdapConfigRepository,
    LdapConfigService,
    LdapAuthService,
    LdapSettingsService,
    DirectoryService,
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
      ],
      controllers: [
        PingController,
        LdapAuthController,
        LdapSettingsController,
        DirectoryController,
      ],
      providers: ldapProviders(own.GATEHOUSE_SECRET_KEYS),
    };
  }
}
