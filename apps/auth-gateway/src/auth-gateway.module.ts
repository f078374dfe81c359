import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PersistenceModule } from '@gatehouse/persistence';
import { type PlatformConfig, PlatformModule, RedisModule } from '@gatehouse/platform';
import { ApiKeyGuard } from './api-keys/api-key.guard';
import { ApiKeyRepository } from './api-keys/api-key.repository';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { AUTH_GATEWAY_CONFIG, type AuthGatewayConfig } from './auth-gateway.config';
import { AuthCookies } from './auth/auth-cookies';
import { AuthController } from './auth/auth.controller';
import { LoginThrottleStore } from './auth/login-throttle.store';
import { LoginService } from './auth/login.service';
import { IdentityBootstrapService } from './bootstrap/identity-bootstrap.service';
import { DownstreamController } from './downstream/downstream.controller';
import { DownstreamRpcController } from './downstream/downstream.rpc-controller';
import { DownstreamService } from './downstream/downstream.service';
import { RoundRobinStore } from './downstream/round-robin.store';
import { AccessTokenGuard } from './guards/access-token.guard';
import { JwksController } from './jwks/jwks.controller';
import { LdapAdminService } from './ldap/ldap-admin.service';
import { LdapController } from './ldap/ldap.controller';
import { PeersModule } from './peers/peers.module';
import { ProjectsModule } from './projects/projects.module';
import { CsrfMiddleware } from './security/csrf.middleware';
import { SecurityHeadersMiddleware } from './security/security-headers.middleware';
import { SessionService } from './sessions/session.service';
import { SessionStore } from './sessions/session.store';
import { TokenService } from './tokens/token.service';
import { UserInfoService } from './users/user-info.service';
import { UserRepository } from './users/user.repository';

@Module({})
export class AuthGatewayModule implements NestModule {
  static forRoot(config: PlatformConfig, own: AuthGatewayConfig): DynamicModule {
    return {
      module: AuthGatewayModule,
      imports: [
        PlatformModule.forRoot({ app: 'auth-gateway', config }),
        PersistenceModule.forRoot(config),
        RedisModule,
        PeersModule,
        ProjectsModule,
      ],
      controllers: [
        AuthController,
        DownstreamController,
        DownstreamRpcController,
        JwksController,
        ApiKeysController,
        LdapController,
      ],
      providers: [
        { provide: AUTH_GATEWAY_CONFIG, useValue: own },
        { provide: AuthCookies, useValue: new AuthCookies(own, config.NODE_ENV) },
        { provide: APP_GUARD, useClass: AccessTokenGuard },
        TokenService,
        SessionStore,
        SessionService,
        LoginThrottleStore,
        LoginService,
        UserRepository,
        UserInfoService,
        RoundRobinStore,
        DownstreamService,
        ApiKeyRepository,
        ApiKeyGuard,
        IdentityBootstrapService,
        LdapAdminService,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SecurityHeadersMiddleware, CsrfMiddleware).forRoutes('{*path}');
  }
}
