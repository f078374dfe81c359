import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

/** A JSON API needs few headers, but these few it always sends: nothing sniffed, framed, cached
 *  or leaked through the referrer. Mounted on Express ahead of the body parser, so a body that
 *  does not parse is answered with them too. */
export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  setSecurityHeaders(res);
  next();
}

/** The headers themselves, for routes answered ahead of Express as well. */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  res.setHeader('Cache-Control', 'no-store');
}
