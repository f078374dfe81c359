import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DomainError } from '@gatehouse/contracts';
import { acceptRequestId, MetricsService, REQUEST_ID_HEADER } from '@gatehouse/platform';
import { type FastRoute, pathOf } from '../fast-path/fast-routes';
import { ACCESS_COOKIE } from '../guards/token-extractor';
import { DownstreamService } from './downstream.service';

export const VALIDATE_PATH = '/api/v1/users/token/validate';
const ROUTE_LABEL = `${VALIDATE_PATH}/`;
const logger = new Logger('ValidateFastPath');

/** Token validation is the hottest route: every downstream request may call it. It is answered
 *  on the HTTP server's own request event, ahead of Express and the Nest pipeline (router,
 *  per-request child logger, guards, interceptors), which together cost several times the
 *  verification itself. The work is the same DownstreamService call the RPC pattern makes, so the
 *  answers are identical; the request id is echoed and the duration recorded. Every other request
 *  goes to Express untouched. */
export function validateFastRoute(app: NestExpressApplication): FastRoute {
  const downstream = app.get(DownstreamService);
  const metrics = app.get(MetricsService);
  return {
    takes: (req) => req.method === 'GET' && isValidatePath(req.url),
    handle: (req, res) => validate(downstream, metrics, req, res),
  };
}

function isValidatePath(url: string | undefined): boolean {
  const path = pathOf(url);
  return path === VALIDATE_PATH || path === ROUTE_LABEL;
}

function validate(
  downstream: DownstreamService,
  metrics: MetricsService,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const started = process.hrtime.bigint();
  const finish = (status: number, body: unknown): void => {
    const json = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(json),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      [REQUEST_ID_HEADER]: acceptRequestId(req.headers[REQUEST_ID_HEADER]),
    });
    res.end(json);
    metrics.httpDuration.observe(
      { method: 'GET', route: ROUTE_LABEL, status: String(status) },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
  };
  downstream.validateToken(tokenOf(req)).then(
    (claims) => finish(200, claims),
    (error: unknown) => {
      if (error instanceof DomainError) {
        finish(error.status, { error: error.message, code: error.code });
        return;
      }
      logger.error({ err: error }, 'token validation failed unexpectedly');
      finish(500, { error: 'Internal server error', code: 'INTERNAL_ERROR' });
    },
  );
}

/** Like seed 001's middleware: the `access_token` cookie, else `Authorization: Bearer`. */
export function tokenOf(req: IncomingMessage): string | undefined {
  const cookie = cookieValue(req.headers.cookie, ACCESS_COOKIE);
  if (cookie) return cookie;
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) {
    const token = header.slice(7).trim();
    return token.length > 0 ? token : undefined;
  }
  return undefined;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== name) continue;
    const raw = part.slice(separator + 1).trim();
    try {
      const value = decodeURIComponent(
        raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw,
      );
      return value.length > 0 ? value : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
