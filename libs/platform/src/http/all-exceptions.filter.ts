import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { RpcErrorFilter } from '../rpc/rpc-error.filter';
import { HttpExceptionFilter } from './http-exception.filter';

/** The global filter: hands each exception to the mapper of the transport it arose on. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly http = new HttpExceptionFilter();
  private readonly rpc = new RpcErrorFilter();

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return this.rpc.catch(exception, host);
    this.http.catch(exception, host);
  }
}
