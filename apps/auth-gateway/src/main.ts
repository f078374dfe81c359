import cookieParser from 'cookie-parser';
import {
  bootstrapApp,
  loadPlatformConfig,
  runMain,
  usePlainErrorsUnder,
} from '@gatehouse/platform';
import { loadAuthGatewayConfig } from './auth-gateway.config';
import { AuthGatewayModule } from './auth-gateway.module';
import { loginFastRoute } from './auth/login-fast-path';
import { validateFastRoute } from './downstream/validate-fast-path';
import { mountFastRoutes } from './fast-path/fast-routes';
import { allowedOrigins } from './security/csrf.middleware';
import { securityHeaders } from './security/security-headers.middleware';

runMain('auth-gateway', async () => {
  const platform = loadPlatformConfig();
  const own = loadAuthGatewayConfig();
  // Seed 001's downstream routes answer plain `{error}` bodies; the rest use the envelope.
  usePlainErrorsUnder(['/api/v1/users/', '/api/v1/tts/', '/api/v1/hdts/']);
  await bootstrapApp(AuthGatewayModule.forRoot(platform, own), {
    app: 'auth-gateway',
    port: own.PORT,
    host: own.HTTP_HOST,
    config: platform,
    rpcServer: true,
    configure: (app) => {
      app.set('trust proxy', trustProxySetting(own.TRUST_PROXY));
      app.use(securityHeaders);
      app.use(cookieParser());
      // After `trust proxy`: the login's fast path reads the compiled setting.
      mountFastRoutes(app, [validateFastRoute(app), loginFastRoute(app)]);
      const origins = allowedOrigins(own.CORS_ORIGINS);
      if (origins.length > 0) app.enableCors({ origin: origins, credentials: true });
    },
  });
});

function trustProxySetting(value: string): boolean | string {
  if (value === 'false') return false;
  if (value === 'true') return true;
  return value;
}
