import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  RequestMethod,
} from '@nestjs/common';
import { urlencoded } from 'express';
import { APP_GUARD } from '@nestjs/core';
import { PersistenceModule } from '@gatehouse/persistence';
import { type PlatformConfig, PlatformModule, RedisModule } from '@gatehouse/platform';
import { DirectoryWriteController } from './directory-write/directory-write.controller';
import { DirectoryWriteSettingsService } from './directory-write/directory-write.service';
import { ApplicationsController } from './applications/applications.controller';
import { ApplicationsRepository } from './applications/applications.repository';
import { ApplicationsService } from './applications/applications.service';
import { OAuthRateLimitStore } from './oauth/oauth-rate-limit.store';
import { OAuthController } from './oauth/oauth.controller';
import { OAuthService } from './oauth/oauth.service';
import { AdminRolesController } from './admin-roles/admin-roles.controller';
import { AdminRolesRepository } from './admin-roles/admin-roles.repository';
import { AdminRolesService } from './admin-roles/admin-roles.service';
import { GrantsController } from './admin-roles/grants.controller';
import { PermissionsController } from './admin-roles/permissions.controller';
import { RolesController } from './admin-roles/roles.controller';
import { RolesRepository } from './admin-roles/roles.repository';
import { RolesService } from './admin-roles/roles.service';
import { AdminUsersController } from './admin-users/admin-users.controller';
import { AdminUsersRepository } from './admin-users/admin-users.repository';
import { AdminUsersService } from './admin-users/admin-users.service';
import { DirectoryWriter } from './admin-users/directory-writer.service';
import { AuditController } from './audit/audit.controller';
import { AuditRepository } from './audit/audit.repository';
import { AuditBackgroundWriter } from './audit/audit-background.writer';
import { AuditService } from './audit/audit.service';
import { StatsController } from './stats/stats.controller';
import { StatsRepository } from './stats/stats.repository';
import { StatsService } from './stats/stats.service';
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
import { LdapDirectorySyncController } from './ldap/ldap-directory-sync.controller';
import { LdapDirectorySyncService } from './ldap/ldap-directory-sync.service';
import { PeersModule } from './peers/peers.module';
import { ProjectsModule } from './projects/projects.module';
import { CsrfMiddleware } from './security/csrf.middleware';
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
        LdapDirectorySyncController,
        AdminUsersController,
        AuditController,
        StatsController,
        RolesController,
        AdminRolesController,
        GrantsController,
        PermissionsController,
        ApplicationsController,
        OAuthController,
        DirectoryWriteController,
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
        LdapDirectorySyncService,
        AuditRepository,
        AuditBackgroundWriter,
        AuditService,
        AdminUsersRepository,
        AdminUsersService,
        DirectoryWriter,
        StatsRepository,
        StatsService,
        RolesRepository,
        RolesService,
        AdminRolesRepository,
        AdminRolesService,
        ApplicationsRepository,
        ApplicationsService,
        OAuthRateLimitStore,
        OAuthService,
        DirectoryWriteSettingsService,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CsrfMiddleware).forRoutes('{*path}');
    // RFC 6749 form encoding on the token endpoint only: no other route takes form bodies.
    consumer
      .apply(urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }))
      .forRoutes({ path: 'api/v1/oauth/token', method: RequestMethod.POST });
  }
}
