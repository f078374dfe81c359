import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DomainError, ErrorCode } from '@gatehouse/contracts';
import { AUTH_GATEWAY_CONFIG, type AuthGatewayConfig } from '../auth-gateway.config';
import { ACCESS_COOKIE, REFRESH_COOKIE } from '../guards/token-extractor';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Cookie-authenticated state changes must come from an allowed origin. SameSite cookies stop
 *  most cross-site requests already; the Origin check covers older browsers and same-site
 *  subdomains. A request without auth cookies carries no ambient credential and passes. */
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
