import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service';

/** Records each request's duration under its route template (`/users/:id`, not the raw path) so
 *  label cardinality stays bounded; unmatched paths share one label. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = routeTemplate(req);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.httpDuration.observe(
        { method: req.method, route, status: String(res.statusCode) },
        seconds,
      );
    });
    next();
  }
}

function routeTemplate(req: Request): string {
  const route: unknown = req.route;
  if (typeof route === 'object' && route !== null && 'path' in route) {
    const path = route.path;
    // Nest answers unknown paths from a catch-all route; those share the unmatched label.
    if (typeof path === 'string' && !path.includes('*')) return `${req.baseUrl}${path}`;
  }
  return '<unmatched>';
}
