import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  DomainError,
  ERROR_CODES,
  ErrorCode,
  errorEnvelope,
  type ErrorExtensions,
} from '@gatehouse/contracts';
import { requestIdFor } from '../logging/logging.module';
import { currentRequestId } from '../logging/request-context';

/** The one place an exception becomes an HTTP answer: a domain error by its code, a framework
 *  HttpException by its status, anything else a 500 with a request id and no stack in the body. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    // Body-parser failures happen before the request context exists; the id is made here then.
    const requestId = currentRequestId() ?? requestIdFor(http.getRequest<Request>(), res);
    // originalUrl: inside Nest middleware `path` is relative to the mount point.
    const path = http.getRequest<Request>().originalUrl?.split('?')[0];
    const answer = httpErrorAnswer(exception, requestId, path);
    if (res.headersSent) return;
    if (answer.retryAfterSeconds !== undefined) {
      res.setHeader('Retry-After', String(answer.retryAfterSeconds));
    }
    res.status(answer.status).json(answer.body);
  }
}

/** How an exception is answered: status, body, and the Retry-After a 429 carries. */
export interface HttpErrorAnswer {
  status: number;
  body: unknown;
  retryAfterSeconds?: number;
}

const logger = new Logger('HttpExceptionFilter');

/** The filter's mapping, also used by the routes answered ahead of Express. */
export function httpErrorAnswer(
  exception: unknown,
  requestId: string,
  path: string | undefined,
): HttpErrorAnswer {
  const { status, code, message, extensions } = describe(exception, requestId);
  const retryAfter = extensions.retryAfterSeconds;
  const body = answersPlainErrors(path)
    ? { error: message, code }
    : errorEnvelope(code, message, { requestId, ...extensions });
  return typeof retryAfter === 'number'
    ? { status, body, retryAfterSeconds: retryAfter }
    : { status, body };
}

function describe(
  exception: unknown,
  requestId: string,
): { status: number; code: string; message: string; extensions: ErrorExtensions } {
  if (exception instanceof DomainError) {
    const extensions: ErrorExtensions = { ...exception.details };
    if (exception.fields.length > 0) extensions.errors = exception.fields;
    return {
      status: exception.status,
      code: exception.code,
      message: exception.message,
      extensions,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = codeForStatus(status, exception);
    return { status, code, message: messageFor(code, exception), extensions: {} };
  }
  logger.error(
    { err: exception, requestId },
    `unhandled error answered as 500 (request ${requestId})`,
  );
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    code: ErrorCode.InternalError,
    message: ERROR_CODES[ErrorCode.InternalError].message,
    extensions: {},
  };
}

const plainErrorPrefixes: string[] = [];

/** Routes under these prefixes answer errors as `{error, code}` (the downstream API of seed 001,
 *  whose callers read plain bodies) instead of the management envelope. */
export function usePlainErrorsUnder(prefixes: string[]): void {
  plainErrorPrefixes.push(...prefixes);
}

function answersPlainErrors(path: string | undefined): boolean {
  return typeof path === 'string' && plainErrorPrefixes.some((prefix) => path.startsWith(prefix));
}

/** Express's body parser reports malformed JSON and oversized bodies as HttpExceptions built from
 *  its own error; they keep their status but get our codes. */
function codeForStatus(status: number, exception: HttpException): ErrorCode {
  switch (status) {
    case 400:
      return isBodyParseError(exception) ? ErrorCode.MalformedRequest : ErrorCode.ValidationFailed;
    case 401:
      return ErrorCode.Unauthenticated;
    case 403:
      return ErrorCode.Forbidden;
    case 404:
      return ErrorCode.RouteNotFound;
    case 405:
      return ErrorCode.MethodNotAllowed;
    case 409:
      return ErrorCode.Conflict;
    case 413:
      return ErrorCode.PayloadTooLarge;
    case 429:
      return ErrorCode.TooManyRequests;
    case 503:
      return ErrorCode.PeerUnavailable;
    default:
      return status >= 500 ? ErrorCode.InternalError : ErrorCode.ValidationFailed;
  }
}

function isBodyParseError(exception: HttpException): boolean {
  const cause: unknown = exception.cause;
  return (
    exception.message.includes('JSON') ||
    (typeof cause === 'object' &&
      cause !== null &&
      'type' in cause &&
      cause.type === 'entity.parse.failed')
  );
}

function messageFor(code: ErrorCode, exception: HttpException): string {
  // Framework messages for 404s name the method and path, which is useful and safe; parse errors
  // quote the body, which is neither, so they get the registry's message.
  if (code === ErrorCode.RouteNotFound) return exception.message;
  return ERROR_CODES[code].message;
}
