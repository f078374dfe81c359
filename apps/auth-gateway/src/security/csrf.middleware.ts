import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DomainError, ErrorCode } from '@gatehouse/contracts';
import { AUTH_GATEWAY_CONFIG, type AuthGatewayConfig } from '../auth-gateway.config';
import { ACCESS_COOKIE, REFRESH_COOKIE } from '../guards/token-extractor';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Seed 001's downstream API, which its services call server to server with the user's cookie. */
const DOWNSTREAM_PREFIXES = ['/api/v1/tts/', '/api/v1/users/', '/api/v1/hdts/'];

/** Cookie-authenticated state changes must come from an allowed origin. SameSite cookies stop
 *  most cross-site requests already; the Origin check covers older browsers and same-site
 *  subdomains. A request without auth cookies carries no ambient credential and passes.
 *
 *  One exception, for seed 001's downstream API: a request with neither Origin nor Referer (a
 *  service calling server to server, as seed 001's own client does) passes. Browsers send Origin
 *  on every cross-origin POST, and the access cookie is SameSite=Lax, so a cross-site page can
 *  neither omit the header nor get the cookie sent; a foreign Origin is still refused. */
@Injectable()
export class CsrfMiddleware implements NestMiddleware {
  private readonly allowed: Set<string>;

  constructor(@Inject(AUTH_GATEWAY_CONFIG) config: AuthGatewayConfig) {
    this.allowed = new Set(allowedOrigins(config.CORS_ORIGINS));
  }

  use(req: Request, _res: Response, next: NextFunction): void {
    // Checked whenever an auth cookie rides along, even beside a Bearer header: the cookie may be
    // what authenticates the request.
    if (SAFE_METHODS.has(req.method)) return next();
    const cookies = req.cookies as Record<string, unknown> | undefined;
    if (!cookies?.[ACCESS_COOKIE] && !cookies?.[REFRESH_COOKIE]) return next();
    const origin = originOf(req);
    if (origin === undefined && !hasOriginHeaders(req) && isDownstream(req.originalUrl))
      return next();
    const ownOrigin = `${req.protocol}://${req.get('host') ?? ''}`;
    if (origin && (origin === ownOrigin || this.allowed.has(origin))) return next();
    throw new DomainError(ErrorCode.Forbidden, 'Cross-site request refused (Origin not allowed)');
  }
}

export function allowedOrigins(setting: string): string[] {
  if (setting === 'none') return [];
  return setting
    .split(',')
    .map((origin) => origin.trim().replace(/\/$/, ''))
    .filter(Boolean);
}

function hasOriginHeaders(req: Request): boolean {
  return req.headers.origin !== undefined || req.headers.referer !== undefined;
}

function isDownstream(path: string): boolean {
  return DOWNSTREAM_PREFIXES.some((prefix) => path.startsWith(prefix));
}

function originOf(req: Request): string | undefined {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') return origin;
  const referer = req.headers.referer;
  if (typeof referer !== 'string') return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}
