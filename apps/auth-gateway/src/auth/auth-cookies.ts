import type { CookieOptions, Response } from 'express';
import type { AuthGatewayConfig } from '../auth-gateway.config';
import { ACCESS_COOKIE, REFRESH_COOKIE } from '../guards/token-extractor';

/** HttpOnly cookies, SameSite, Secure outside local development. The refresh cookie is only sent
 *  to the auth routes. */
export class AuthCookies {
  private readonly secure: boolean;

  constructor(
    private readonly config: AuthGatewayConfig,
    nodeEnv: string,
  ) {
    this.secure =
      config.COOKIE_SECURE === 'auto'
        ? !['development', 'test'].includes(nodeEnv)
        : config.COOKIE_SECURE === 'true';
  }

  set(res: Response, accessToken: string, refreshToken: string): void {
    res.cookie(
      ACCESS_COOKIE,
      accessToken,
      this.options('/', this.config.ACCESS_TOKEN_TTL_SECONDS, 'lax'),
    );
    res.cookie(
      REFRESH_COOKIE,
      refreshToken,
      this.options('/api/v1/auth', this.config.REFRESH_TOKEN_TTL_SECONDS, 'strict'),
    );
  }

  clear(res: Response): void {
    res.clearCookie(ACCESS_COOKIE, this.options('/', 0, 'lax'));
    res.clearCookie(REFRESH_COOKIE, this.options('/api/v1/auth', 0, 'strict'));
  }

  private options(path: string, maxAgeSeconds: number, sameSite: 'lax' | 'strict'): CookieOptions {
    return { httpOnly: true, secure: this.secure, sameSite, path, maxAge: maxAgeSeconds * 1000 };
  }
}
