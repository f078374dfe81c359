import { type ArgumentsHost, Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type Observable, throwError } from 'rxjs';
import { DomainError, ERROR_CODES, ErrorCode, type RpcErrorPayload } from '@gatehouse/contracts';

/** The one place an exception in an RPC handler becomes the error the caller receives: a domain
 *  error keeps its code, anything else is an INTERNAL_ERROR with an id that is also logged. */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('RpcErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const pattern = host.switchToRpc().getContext<{ getChannel?: () => string }>().getChannel?.();
    if (exception instanceof DomainError) {
      const payload: RpcErrorPayload = {
        code: exception.code,
        message: exception.message,
        status: exception.status,
        fields: exception.fields,
      };
      return throwError(() => payload);
    }
    const errorId = randomUUID();
    this.logger.error(
      { err: exception, errorId, pattern },
      `RPC handler failed (error ${errorId})`,
    );
    const payload: RpcErrorPayload = {
      code: ErrorCode.InternalError,
      message: `${ERROR_CODES[ErrorCode.InternalError].message} (error ${errorId})`,
      status: ERROR_CODES[ErrorCode.InternalError].status,
    };
    return throwError(() => payload);
  }
}
