import { type DynamicModule, Module } from '@nestjs/common';
import { PersistenceModule } from '@gatehouse/persistence';
import { type PlatformConfig, PlatformModule } from '@gatehouse/platform';
import { PeersModule } from './peers/peers.module';

@Module({})
export class AuthGatewayModule {
  static forRoot(config: PlatformConfig): DynamicModule {
    return {
      module: AuthGatewayModule,
      imports: [
        PlatformModule.forRoot({ app: 'auth-gateway', config }),
        PersistenceModule.forRoot(config),
        PeersModule,
      ],
    };
  }
}
