import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { acceptRequestId, REQUEST_ID_HEADER } from './request-context';

type RequestWithId = IncomingMessage & { id?: string | number | object };

/** Reads or creates the request id once per request and echoes it in the response header. */
export function requestIdFor(req: RequestWithId, res: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const id = acceptRequestId(req.headers[REQUEST_ID_HEADER]);
  req.id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** JSON logs through pino. Request headers are never logged, so no credential can leak through
 *  them; probes and metrics are not logged, so a scraped app does not drown its own logs. */
@Module({})
export class LoggingModule {
  static forRoot(app: string, level: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level,
            base: { app },
            messageKey: 'msg',
            genReqId: requestIdFor,
            customProps: (req: RequestWithId) => ({ requestId: req.id }),
            // Lean access-log lines: the default serializers copy every header of every request,
            // which costs more CPU than a token validation itself.
            serializers: {
              req: (req: { method?: string; url?: string; remoteAddress?: string }) => ({
                method: req.method,
                url: req.url,
                remoteAddress: req.remoteAddress,
              }),
              res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
            },
            autoLogging: {
              ignore: (req: IncomingMessage) =>
                req.url === '/health' || req.url === '/ready' || req.url === '/metrics',
            },
            // A 503 from an unavailable peer is expected degradation, not a bug: warn, not error.
            customLogLevel: (_req, res, err) =>
              err || (res.statusCode >= 500 && res.statusCode !== 503)
                ? 'error'
                : res.statusCode >= 400
                  ? 'warn'
                  : 'info',
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
