import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type AccessTokenClaims, type ApiEnvelope, successEnvelope } from '@gatehouse/contracts';
import { type AuthenticatedRequest, Caller, Public } from '../guards/auth.decorators';
import { accessTokenOf, refreshTokenOf } from '../guards/token-extractor';
import { SessionService, type IssuedSession } from '../sessions/session.service';
import { TokenService } from '../tokens/token.service';
import { AuthCookies } from './auth-cookies';
import { LoginService } from './login.service';
import { LOGIN_SUCCESS_MESSAGE, loginFields, type SessionBody, sessionBody } from './session-body';

/** Login, refresh, logout and me. The login body is read raw on purpose: a password that is
 *  missing, null, an array or an object is a failed login (401), not a validation error. */
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly logins: LoginService,
    private readonly sessions: SessionService,
    private readonly tokens: TokenService,
    @Inject(AuthCookies) private readonly cookies: AuthCookies,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ApiEnvelope<SessionBody>> {
    const session = await this.logins.attempt(loginFields(body), req.ip);
    return successEnvelope(this.answer(res, session), LOGIN_SUCCESS_MESSAGE);
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
    return sessionBody(session);
  }
}
