import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The request id of whatever is being handled now (an HTTP request or an RPC message), so logs
 *  and outgoing RPC calls carry it without threading it through every signature. */
export interface RequestContext {
  requestId: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export const REQUEST_ID_HEADER = 'x-request-id';

const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** An incoming id is reused only when it is short and plain, so a caller cannot inject log noise. */
export function acceptRequestId(candidate: unknown): string {
  return typeof candidate === 'string' && ACCEPTABLE_REQUEST_ID.test(candidate)
    ? candidate
    : randomUUID();
}

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}
