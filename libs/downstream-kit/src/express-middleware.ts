/** Express middleware for downstream services. Types only from express, so services on
 *  Express 4 or 5 (or anything with the same req/res shape) can use it without a runtime
 *  dependency from this lib. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  attachClaims,
  authFailureResponse,
  type GatehouseAuthHooks,
  type GatehouseRequestFields,
} from './http-auth.util';
import { extractToken } from './token-extractor';
import { TokenRejectedError } from './token-rejected.exception';
import {
  createTokenVerifier,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './token-verifier';

export type GatehouseAuthOptions = TokenVerifierOptions &
  GatehouseAuthHooks & {
    /** Public routes (health checks, webhooks with their own auth). Default: none. */
    readonly skip?: (req: Request) => boolean;
  };

export type GatehouseRequest = Request & GatehouseRequestFields;

export function gatehouseAuth(options: GatehouseAuthOptions): RequestHandler {
  // One verifier per middleware: its JWKS cache must outlive the request.
  return gatehouseAuthWith(createTokenVerifier(options), options);
}

/** The same middleware on a verifier the caller already has (shared cache, or a fake in tests). */
export function gatehouseAuthWith(
  verifier: TokenVerifier,
  options: GatehouseAuthHooks & { readonly skip?: (req: Request) => boolean } = {},
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (options.skip?.(req) === true) {
      next();
      return;
    }
    // A missing token goes through the verifier too, so `onRejected` sees every refusal.
    // Express 4 ignores a returned promise, so errors are routed to `next` explicitly; the final
    // catch covers a throwing `onRejected` hook instead of leaving an unhandled rejection.
    verifier
      .verify(extractToken(req))
      .then(
        (claims) => {
          attachClaims(req, claims);
          next();
        },
        (error: unknown) => {
          if (!(error instanceof TokenRejectedError)) {
            next(error);
            return;
          }
          options.onRejected?.(error);
          const { status, body } = authFailureResponse(error.reason);
          res.status(status).json(body);
        },
      )
      .catch(next);
  };
}
