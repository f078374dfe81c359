import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  type AccessTokenClaims,
  type ApiEnvelope,
  successEnvelope,
  type UserInfo,
} from '@gatehouse/contracts';
import { AuditService } from '../audit/audit.service';
import { type AuthenticatedRequest, Caller, Public } from '../guards/auth.decorators';
import { accessTokenOf, refreshTokenOf } from '../guards/token-extractor';
import { SessionService, type IssuedSession } from '../sessions/session.service';
import { TokenService } from '../tokens/token.service';
import { AuthCookies } from './auth-cookies';
import { LoginService } from './login.service';

interface SessionBody extends UserInfo {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: 'Bearer';
}

/** Login, refresh, logout and me. The login body is read raw on purpose: a password that is
 *  missing, null, an array or an object is a failed login (401), not a validation error. */
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly logins: LoginService,
    private readonly sessions: SessionService,
    private readonly tokens: TokenService,
    @Inject(AuthCookies) private readonly cookies: AuthCookies,
    private readonly audit: AuditService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ApiEnvelope<SessionBody>> {
    const fields =
      typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const session = await this.audit.trackLogin(
      fields,
      req.ip,
      this.logins.login({
        username: fields.username,
        password: fields.password,
        tenantId: fields.tenantId,
        address: req.ip ?? 'unknown',
      }),
    );
    return successEnvelope(this.answer(res, session), '登录成功');
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  async refresh(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ApiEnvelope<SessionBody>> {
    const session = await this.sessions.refresh(refreshTokenOf(req));
    return successEnvelope(this.answer(res, session));
  }

  /** Ends the session of the refresh token (cookie or body), or of the access token presented. */
  @Public()
  @Post('logout')
  @HttpCode(200)
  async logout(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ApiEnvelope<null>> {
    const access = accessTokenOf(req);
    const sid = access
      ? await this.tokens.verify(access).then(
          (claims) => claims.sid,
          () => undefined,
        )
      : undefined;
    await this.sessions.logout(refreshTokenOf(req), sid);
    this.cookies.clear(res);
    return successEnvelope(null, '已退出登录');
  }

  @Get('me')
  me(@Caller() caller: AccessTokenClaims): ApiEnvelope<AccessTokenClaims> {
    return successEnvelope(caller);
  }

  private answer(res: Response, session: IssuedSession): SessionBody {
    this.cookies.set(res, session.accessToken, session.refreshToken);
    return {
      ...session.user,
      access_token: session.accessToken,
      refresh_token: session.refreshToken,
      expires_in: session.expiresIn,
      token_type: 'Bearer',
    };
  }
}
