/** The one place that turns a rejection into an HTTP answer, shared by the Express middleware
 *  and the Nest guard so both speak exactly the integration guide's bodies. */
import type { GatehouseClaims, GatehouseUserType } from './gatehouse-claims';
import { TokenRejectionReason, type TokenRejectedError } from './token-rejected.exception';

export interface GatehouseAuthHooks {
  /** Called for every refused request, e.g. to log `error.reason` or count 503s. */
  readonly onRejected?: (error: TokenRejectedError) => void;
}

export interface AuthFailureResponse {
  readonly status: 401 | 503;
  readonly body: { readonly error: string };
}

export const AUTHENTICATION_REQUIRED: AuthFailureResponse = {
  status: 401,
  body: { error: 'Authentication required' },
};
export const INVALID_TOKEN: AuthFailureResponse = { status: 401, body: { error: 'Invalid token' } };
/** 503 means "auth service unavailable" in the guide: clients retry instead of logging out. */
export const AUTH_SERVICE_UNAVAILABLE: AuthFailureResponse = {
  status: 503,
  body: { error: 'Auth service unavailable' },
};

export function authFailureResponse(reason: TokenRejectionReason): AuthFailureResponse {
  switch (reason) {
    case TokenRejectionReason.Missing:
      return AUTHENTICATION_REQUIRED;
    case TokenRejectionReason.JwksUnavailable:
      return AUTH_SERVICE_UNAVAILABLE;
    // One body for every invalid token: the reason is for our logs, not for a prober.
    case TokenRejectionReason.Malformed:
    case TokenRejectionReason.BadSignature:
    case TokenRejectionReason.Expired:
    case TokenRejectionReason.NotYetValid:
    case TokenRejectionReason.WrongIssuer:
    case TokenRejectionReason.WrongAudience:
    case TokenRejectionReason.WrongType:
    case TokenRejectionReason.UnknownKey:
    case TokenRejectionReason.DisallowedAlgorithm:
      return INVALID_TOKEN;
  }
}

/** What an authenticated request carries: `user` as in the guide's Express example, `user_id`
 *  and `user_type` as in its Django example. */
export interface GatehouseRequestFields {
  user?: GatehouseClaims;
  user_id?: number;
  user_type?: GatehouseUserType;
}

export function attachClaims(req: object, claims: GatehouseClaims): void {
  const fields: Required<GatehouseRequestFields> = {
    user: claims,
    user_id: claims.user_id,
    user_type: claims.user_type,
  };
  Object.assign(req, fields);
}
