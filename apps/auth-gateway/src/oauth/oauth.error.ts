/** RFC 6749 §5.2 error codes of the token endpoint, with the statuses the RFC gives them. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'temporarily_unavailable';

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  // Not a token-endpoint code in RFC 6749; used with 429 and Retry-After when rate limited.
  temporarily_unavailable: 429,
};

/** A token-endpoint failure, answered as `{error, error_description}` (never the envelope). */
export class OAuthError extends Error {
  readonly status: number;

  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
    this.name = 'OAuthError';
    this.status = STATUS[error];
  }
}
