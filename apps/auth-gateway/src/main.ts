import { bootstrapApp, loadPlatformConfig, runMain } from '@gatehouse/platform';
import { loadAuthGatewayConfig } from './auth-gateway.config';
import { AuthGatewayModule } from './auth-gateway.module';

runMain('auth-gateway', async () => {
  const platform = loadPlatformConfig();
  const own = loadAuthGatewayConfig();
  await bootstrapApp(AuthGatewayModule.forRoot(platform), {
    app: 'auth-gateway',
    port: own.PORT,
    host: own.HTTP_HOST,
    config: platform,
    rpcServer: true,
  });
});
