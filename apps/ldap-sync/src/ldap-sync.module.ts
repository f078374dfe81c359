import { type DynamicModule, Module } from '@nestjs/common';
import { PersistenceModule } from '@gatehouse/persistence';
import { type PlatformConfig, PlatformModule } from '@gatehouse/platform';
import { PingController } from './ping/ping.controller';

@Module({})
export class LdapSyncModule {
  static forRoot(config: PlatformConfig): DynamicModule {
    return {
      module: LdapSyncModule,
      imports: [
        PlatformModule.forRoot({ app: 'ldap-sync', config }),
        PersistenceModule.forRoot(config),
      ],
      controllers: [PingController],
    };
  }
}
