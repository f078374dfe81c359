/** Why a token was refused. Callers map every reason in one exhaustive switch (see
 *  `http-auth.util.ts`); messages never carry the token, so the error may be logged as it is. */
export enum TokenRejectionReason {
  /** No token at all (empty string or undefined). */
  Missing = 'missing',
  /** Not a compact JWS, undecodable, an unexpected header (`jku`, `x5u`, `jwk`, `x5c`, `crit`),
   *  no `kid`, or claims that do not have the Gatehouse access-token shape. */
  Malformed = 'malformed',
  /** The signature does not verify with the key the header names (includes empty signatures). */
  BadSignature = 'bad_signature',
  Expired = 'expired',
  NotYetValid = 'not_yet_valid',
  WrongIssuer = 'wrong_issuer',
  WrongAudience = 'wrong_audience',
  /** Header `typ` is not `at+jwt`, or `token_use` is not `access` (a refresh or ID token). */
  WrongType = 'wrong_type',
  /** The `kid` is not in the gateway's JWKS, even after the rate-limited refetch. */
  UnknownKey = 'unknown_key',
  /** `none`, HS256 in JWKS mode (HS/RS key confusion), or anything outside the allow-list. */
  DisallowedAlgorithm = 'disallowed_algorithm',
  /** The JWKS could not be fetched (down, timeout, non-200, not a JWKS): a 503, not the
   *  client's fault, so it must not be reported as an invalid token. */
  JwksUnavailable = 'jwks_unavailable',
}

export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';

  constructor(
    readonly reason: TokenRejectionReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Thrown at construction (boot), never per request: options that would make verification weak
 *  or ambiguous, e.g. a short shared key, an empty audience or `HS256` in the JWKS allow-list. */
export class GatehouseAuthConfigError extends Error {
  override readonly name = 'GatehouseAuthConfigError';
}
