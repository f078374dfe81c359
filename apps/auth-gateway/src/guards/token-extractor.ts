import type { Request } from 'express';

export const ACCESS_COOKIE = 'access_token';
export const REFRESH_COOKIE = 'refresh_token';

/** Like seed 001's middleware: the `access_token` cookie, else `Authorization: Bearer`. Never the
 *  query string. */
export function accessTokenOf(req: Request): string | undefined {
  const cookies = req.cookies as Record<string, unknown> | undefined;
  const cookie = cookies?.[ACCESS_COOKIE];
  if (typeof cookie === 'string' && cookie.length > 0) return cookie;
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) {
    const token = header.slice(7).trim();
    return token.length > 0 ? token : undefined;
  }
  return undefined;
}

export function refreshTokenOf(req: Request): unknown {
  const cookies = req.cookies as Record<string, unknown> | undefined;
  const cookie = cookies?.[REFRESH_COOKIE];
  if (typeof cookie === 'string' && cookie.length > 0) return cookie;
  const body: unknown = req.body;
  if (typeof body === 'object' && body !== null && 'refresh_token' in body)
    return body.refresh_token;
  return undefined;
}
