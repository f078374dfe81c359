import type { ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { Request } from 'express';
import { requestIdFor } from './logging.module';
import { requestContext } from './request-context';

/** Runs the rest of the request inside its request context, so RPC calls made while handling it
 *  carry its id. */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(req: Request, res: ServerResponse, next: () => void): void {
    requestContext.run({ requestId: requestIdFor(req, res) }, next);
  }
}
