import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { SecretBox } from '@gatehouse/crypto';
import { PersistenceModule } from '@gatehouse/persistence';
import {
  type PlatformConfig,
  PlatformModule,
  RedisModule,
  redisOptionsFromUrl,
} from '@gatehouse/platform';
import { ConnectionTestService } from './connection-test/connection-test.service';
import type { IntegrationGatewayConfig } from './integration-gateway.config';
import { INTEGRATION_GATEWAY_CONFIG } from './integration-gateway.tokens';
import { guardedAgent } from './outbound/guarded-agent';
import { OUTBOUND_AGENT } from './outbound/outbound.tokens';
import { PingController } from './ping/ping.controller';
import { INTEGRATION_POLL_QUEUE } from './polling/polling.options';
import { PollingProcessor } from './polling/polling.processor';
import { PollingService } from './polling/polling.service';
import { IntegrationAdminService } from './projects/integration-admin.service';
import { IntegrationConfigRepository } from './projects/integration-config.repository';
import { IntegrationConfigService } from './projects/integration-config.service';
import { ProjectsController } from './projects/projects.controller';
import { ProjectsRepository } from './projects/projects.repository';
import { ProjectsService } from './projects/projects.service';
import { SseLease } from './sse/sse-lease';
import { SseSupervisor } from './sse/sse.supervisor';
import { StatusEventsPublisher } from './statuses/status-events.publisher';
import { UnitStatusBatcher } from './statuses/unit-status.batcher';
import { UnitStatusRepository } from './statuses/unit-status.repository';
import { UnitStatusService } from './statuses/unit-status.service';
import { WebhooksService } from './webhooks/webhooks.service';

@Module({})
export class IntegrationGatewayModule {
  static forRoot(config: PlatformConfig, own: IntegrationGatewayConfig): DynamicModule {
    return {
      module: IntegrationGatewayModule,
      imports: [
        PlatformModule.forRoot({ app: 'integration-gateway', config }),
        PersistenceModule.forRoot(config),
        RedisModule,
        // BullMQ blocks on Redis by design: it needs maxRetriesPerRequest null.
        BullModule.forRoot({
          connection: {
            ...redisOptionsFromUrl(config.REDIS_URL),
            maxRetriesPerRequest: null,
            connectionName: 'gatehouse:integration-gateway:bullmq',
          },
        }),
        BullModule.registerQueue({ name: INTEGRATION_POLL_QUEUE }),
      ],
      controllers: [PingController, ProjectsController],
      providers: [
        { provide: INTEGRATION_GATEWAY_CONFIG, useValue: own },
        { provide: SecretBox, useValue: new SecretBox(own.GATEHOUSE_SECRET_KEYS) },
        {
          provide: OUTBOUND_AGENT,
          useValue: guardedAgent({
            allowList: own.INTEGRATION_ALLOWED_HOSTS,
            allowPrivateNetworks: own.INTEGRATION_ALLOW_PRIVATE_NETWORKS,
          }),
        },
        ProjectsRepository,
        IntegrationConfigRepository,
        UnitStatusRepository,
        UnitStatusBatcher,
        ProjectsService,
        IntegrationConfigService,
        StatusEventsPublisher,
        UnitStatusService,
        ConnectionTestService,
        PollingService,
        PollingProcessor,
        WebhooksService,
        SseLease,
        SseSupervisor,
        IntegrationAdminService,
      ],
    };
  }
}
