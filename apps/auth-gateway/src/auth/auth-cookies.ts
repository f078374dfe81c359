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
    res.append('Set-Cookie', this.headerValues(accessToken, refreshToken));
  }

  /** The two Set-Cookie values of a session, as Express's `res.cookie` writes them (the login
   *  answered ahead of Express sends the same). */
  headerValues(accessToken: string, refreshToken: string): string[] {
    return [
      this.serialize(ACCESS_COOKIE, accessToken, '/', this.config.ACCESS_TOKEN_TTL_SECONDS, 'Lax'),
      this.serialize(
        REFRESH_COOKIE,
        refreshToken,
        '/api/v1/auth',
        this.config.REFRESH_TOKEN_TTL_SECONDS,
        'Strict',
      ),
    ];
  }

  clear(res: Response): void {
    res.clearCookie(ACCESS_COOKIE, this.options('/', 0, 'lax'));
    res.clearCookie(REFRESH_COOKIE, this.options('/api/v1/auth', 0, 'strict'));
  }

  private serialize(
    name: string,
    value: string,
    path: string,
    maxAgeSeconds: number,
    sameSite: 'Lax' | 'Strict',
  ): string {
    const expires = new Date(Date.now() + maxAgeSeconds * 1000).toUTCString();
    return (
      `${name}=${encodeURIComponent(value)}; Max-Age=${maxAgeSeconds}; Path=${path}; ` +
      `Expires=${expires}; HttpOnly${this.secure ? '; Secure' : ''}; SameSite=${sameSite}`
    );
  }

  private options(path: string, maxAgeSeconds: number, sameSite: 'lax' | 'strict'): CookieOptions {
    return { httpOnly: true, secure: this.secure, sameSite, path, maxAge: maxAgeSeconds * 1000 };
  }
}
