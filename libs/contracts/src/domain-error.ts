import { ERROR_CODES, type ErrorCode } from './error-codes';
import type { FieldError } from './envelope';

/** The one error class features throw for expected failures. Transports map it by `code`: the
 *  HTTP exception filter to a status and envelope, the RPC filter to an RpcException. */
export class DomainError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly fields: FieldError[] = [],
    readonly details: Record<string, unknown> = {},
  ) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'DomainError';
    this.status = ERROR_CODES[code].status;
  }
}
