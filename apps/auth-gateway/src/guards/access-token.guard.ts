import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ErrorCode, grants, type Permission } from '@gatehouse/contracts';
import { SessionService } from '../sessions/session.service';
import { TokenService } from '../tokens/token.service';
import { type AuthenticatedRequest, IS_PUBLIC, REQUIRED_PERMISSION } from './auth.decorators';
import { accessTokenOf } from './token-extractor';

/** The gateway's global guard: every HTTP route needs a valid access token of a live session
 *  unless marked @Public(); a route with @RequirePermission() also needs that permission (403). */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly sessions: SessionService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = accessTokenOf(req);
    if (!token) throw new DomainError(ErrorCode.Unauthenticated, 'Authentication required');
    const claims = await this.tokens.verify(token);
    if (!(await this.sessions.isActive(claims.sid))) {
      throw new DomainError(ErrorCode.Unauthenticated, 'Invalid token', [], {
        reason: 'session ended',
      });
    }
    req.auth = claims;
    const needed = this.reflector.getAllAndOverride<Permission | undefined>(
      REQUIRED_PERMISSION,
      targets,
    );
    if (needed && !grants(claims.permissions, needed)) {
      throw new DomainError(ErrorCode.Forbidden, `Permission ${needed} required`);
    }
    return true;
  }
}
