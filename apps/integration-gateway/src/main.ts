import { bootstrapApp, loadPlatformConfig, runMain } from '@gatehouse/platform';
import { loadIntegrationGatewayConfig } from './integration-gateway.config';
import { IntegrationGatewayModule } from './integration-gateway.module';
import { mountWebhookFastPath } from './webhooks/webhook-fast-path';

runMain('integration-gateway', async () => {
  const platform = loadPlatformConfig();
  const own = loadIntegrationGatewayConfig();
  await bootstrapApp(IntegrationGatewayModule.forRoot(platform, own), {
    app: 'integration-gateway',
    port: own.PORT,
    host: own.HTTP_HOST,
    config: platform,
    rpcServer: true,
    configure: (app) => {
      mountWebhookFastPath(app);
    },
  });
});
