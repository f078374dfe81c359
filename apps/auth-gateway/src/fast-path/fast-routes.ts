import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** A route answered on the HTTP server's own request event, ahead of Express and the Nest
 *  pipeline. `takes` looks at the request line and headers only: what it declines goes to
 *  Express untouched, body and all, and is answered there exactly as before. */
export interface FastRoute {
  takes(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/** Puts `routes` in front of Express, once for all of them. */
export function mountFastRoutes(app: NestExpressApplication, routes: FastRoute[]): void {
  const server: Server = app.getHttpServer();
  const express = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    for (const route of routes) {
      if (route.takes(req)) {
        route.handle(req, res);
        return;
      }
    }
    for (const listener of express) listener(req, res);
  });
}

/** The path of a request line, without its query. */
export function pathOf(url: string | undefined): string {
  if (!url) return '';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
