import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ChainableCommander } from 'ioredis';
import {
  type AccessTokenClaims,
  DomainError,
  ErrorCode,
  type UserInfo,
} from '@gatehouse/contracts';
import { AuditService } from '../audit/audit.service';
import { AUTH_GATEWAY_CONFIG, type AuthGatewayConfig } from '../auth-gateway.config';
import { TokenService } from '../tokens/token.service';
import { type UserAccess, UserRepository, type UserRow } from '../users/user.repository';
import { systemsOf, toUserInfo } from '../users/user-info.service';
import { newFamilyId, SessionStore } from './session.store';

export interface IssuedSession {
  user: UserInfo;
  accessToken: string;
  claims: AccessTokenClaims;
  refreshToken: string;
  expiresIn: number;
}

/** Sessions: a login starts a refresh family; each refresh rotates its token and issues a fresh
 *  access token from the user's current roles; logout and revocation end the family. */
@Injectable()
export class SessionService {
  private readonly logger = new Logger(SessionService.name);

  constructor(
    private readonly store: SessionStore,
    private readonly tokens: TokenService,
    private readonly users: UserRepository,
    @Inject(AUTH_GATEWAY_CONFIG) private readonly config: AuthGatewayConfig,
    private readonly audit: AuditService,
  ) {}

  /** A new session of `user`, just authenticated (its row as read by the login). The session is
   *  stored while the grants are read (unless the login read them with the row: `access`) and the
   *  access token signed; the answer waits for both. `alongside` adds the caller's Redis commands
   *  to the session's transaction. */
  async start(
    tenantId: string,
    user: UserRow,
    options: { access?: UserAccess; alongside?: (tx: ChainableCommander) => void } = {},
  ): Promise<IssuedSession | undefined> {
    if (!user.active) return undefined;
    const familyId = newFamilyId();
    const [{ refreshToken }, issued] = await Promise.all([
      this.store.create(tenantId, user.id, this.config.REFRESH_TOKEN_TTL_SECONDS, {
        alongside: options.alongside,
        familyId,
      }),
      (options.access
        ? Promise.resolve(options.access)
        : this.users.accessOf(tenantId, user.id)
      ).then((access) => this.issueFor(tenantId, user, access, familyId)),
    ]);
    return { ...issued, refreshToken };
  }

  async refresh(refreshToken: unknown): Promise<IssuedSession> {
    if (
      typeof refreshToken !== 'string' ||
      !refreshToken.startsWith('rt1.') ||
      refreshToken.length > 128
    ) {
      throw invalidRefresh();
    }
    const outcome = await this.store.rotate(
      refreshToken,
      this.config.REFRESH_TOKEN_TTL_SECONDS,
      this.config.REFRESH_REUSE_GRACE_SECONDS,
    );
    switch (outcome.kind) {
      case 'ok': {
        const issued = await this.issueAccess(outcome.tenantId, outcome.userId, outcome.familyId);
        if (!issued) {
          await this.store.revokeFamily(outcome.familyId);
          throw invalidRefresh();
        }
        return { ...issued, refreshToken: outcome.refreshToken };
      }
      case 'reuse':
        this.logger.warn(
          { familyId: outcome.familyId, userId: outcome.userId },
          'rotated refresh token presented again: session family revoked',
        );
        this.audit.familyRevoked(outcome.tenantId, outcome.userId, outcome.familyId);
        throw invalidRefresh();
      case 'race':
      case 'revoked':
      case 'invalid':
        throw invalidRefresh();
    }
  }

  async logout(refreshToken: unknown, sessionId: string | undefined): Promise<void> {
    const family =
      typeof refreshToken === 'string' && refreshToken.length <= 128
        ? await this.store.familyOf(refreshToken)
        : undefined;
    const target = family ?? sessionId;
    if (target) await this.store.revokeFamily(target);
  }

  isActive(sessionId: string): Promise<boolean> {
    return this.store.isActive(sessionId);
  }

  revokeUser(tenantId: string, userId: string): Promise<number> {
    return this.store.revokeUser(tenantId, userId);
  }

  private async issueAccess(
    tenantId: string,
    userId: string,
    familyId: string,
  ): Promise<Omit<IssuedSession, 'refreshToken'> | undefined> {
    const user = await this.users.findById(tenantId, userId);
    if (!user?.active) return undefined;
    return this.issueFor(tenantId, user, await this.users.accessOf(tenantId, user.id), familyId);
  }

  private async issueFor(
    tenantId: string,
    user: UserRow,
    { roles, permissions }: UserAccess,
    familyId: string,
  ): Promise<Omit<IssuedSession, 'refreshToken'>> {
    const { token, claims } = await this.tokens.issue({
      sub: user.id,
      user_id: Number(user.id),
      user_type: user.userType,
      tenant_id: tenantId,
      username: user.username,
      systems: systemsOf(roles),
      roles,
      permissions,
      sid: familyId,
    });
    return {
      user: toUserInfo(user, roles),
      accessToken: token,
      claims,
      expiresIn: this.tokens.accessTtlSeconds,
    };
  }
}

function invalidRefresh(): DomainError {
  return new DomainError(ErrorCode.Unauthenticated, 'Invalid or expired refresh token');
}
