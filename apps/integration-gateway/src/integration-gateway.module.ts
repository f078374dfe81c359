import { type DynamicModule, Module } from '@nestjs/common';
import { PersistenceModule } from '@gatehouse/persistence';
import { type PlatformConfig, PlatformModule } from '@gatehouse/platform';
import { PingController } from './ping/ping.controller';

@Module({})
export class IntegrationGatewayModule {
  static forRoot(config: PlatformConfig): DynamicModule {
    return {
      module: IntegrationGatewayModule,
      imports: [
        PlatformModule.forRoot({ app: 'integration-gateway', config }),
        PersistenceModule.forRoot(config),
      ],
      controllers: [PingController],
    };
  }
}
