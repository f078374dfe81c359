import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '@gatehouse/contracts';
import { acceptRequestId, MetricsService, REQUEST_ID_HEADER } from '@gatehouse/platform';
import { accessTokenOf } from '../guards/token-extractor';
import { DownstreamService } from './downstream.service';

export const VALIDATE_PATH = '/api/v1/users/token/validate';

/** Token validation is the hottest route: every downstream request may call it. It is served
 *  ahead of the Nest pipeline (router, per-request child logger, guards, interceptors), which
 *  costs several times the verification itself, by the same DownstreamService the RPC pattern
 *  uses, so the answers are identical. It still echoes the request id and records its duration;
 *  failures are logged by the service, successes are not access-logged. */
const logger = new Logger('ValidateFastPath');

export function mountValidateFastPath(app: NestExpressApplication): void {
  const downstream = app.get(DownstreamService);
  const metrics = app.get(MetricsService);
  const route = `${VALIDATE_PATH}/`;
  app.use(VALIDATE_PATH, (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' || (req.path !== '/' && req.path !== '')) return next();
    const started = process.hrtime.bigint();
    res.setHeader(REQUEST_ID_HEADER, acceptRequestId(req.headers[REQUEST_ID_HEADER]));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const finish = (status: number, body: unknown): void => {
      res.status(status).json(body);
      metrics.httpDuration.observe(
        { method: 'GET', route, status: String(status) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    };
    downstream.validateToken(accessTokenOf(req)).then(
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
  });
}
