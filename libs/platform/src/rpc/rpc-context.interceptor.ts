import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import { Observable, tap } from 'rxjs';
import { acceptRequestId, requestContext } from '../logging/request-context';
import { MetricsService } from '../metrics/metrics.service';

/** For RPC handlers: restores the caller's request id into the request context and the logger,
 *  and records how long the handler took. */
@Injectable()
export class RpcContextInterceptor implements NestInterceptor {
  constructor(
    private readonly metrics: MetricsService,
    private readonly logger: PinoLogger,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const rpc = context.switchToRpc();
    const data: unknown = rpc.getData();
    const requestId = acceptRequestId(readRequestId(data));
    const pattern = rpc.getContext<{ getChannel?: () => string }>().getChannel?.() ?? 'unknown';
    const started = process.hrtime.bigint();
    const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    const childLogger = this.logger.logger.child({ requestId, pattern });
    return new Observable((subscriber) =>
      requestContext.run({ requestId }, () =>
        storage.run(new Store(childLogger), () =>
          next
            .handle()
            .pipe(
              tap({
                complete: () => {
                  this.metrics.observeRpc(pattern, 'server', 'ok', seconds());
                  childLogger.debug({ ms: Math.round(seconds() * 1000) }, 'rpc handled');
                },
                error: () => {
                  this.metrics.observeRpc(pattern, 'server', 'error', seconds());
                  childLogger.debug({ ms: Math.round(seconds() * 1000) }, 'rpc failed');
                },
              }),
            )
            .subscribe(subscriber),
        ),
      ),
    );
  }
}

function readRequestId(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || !('meta' in data)) return undefined;
  const meta: unknown = data.meta;
  return typeof meta === 'object' && meta !== null && 'requestId' in meta
    ? meta.requestId
    : undefined;
}
