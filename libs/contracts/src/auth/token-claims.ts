/** The claims of a Gatehouse access token. Downstreams read `user_id` and `user_type` like seed
 *  001's middleware; `roles` is `[{system, role}]` as its user-info body shows. */
export interface RoleGrant {
  system: string;
  role: string;
}

export interface AccessTokenClaims {
  sub: string;
  user_id: number;
  user_type: 'staff' | 'employee';
  tenant_id: string;
  username: string;
  systems: string[];
  roles: RoleGrant[];
  /** Admin permissions of the management API (empty for most users). */
  permissions: string[];
  /** The session (refresh family) this token belongs to. */
  sid: string;
  /** Tokens of the `client_credentials` grant: the client application (RFC 9068 `client_id`)
   *  and its granted scopes, space-separated; `user_id` is 0 and `sub` is `client:<client_id>`. */
  client_id?: string;
  scope?: string;
  token_use: 'access';
  iss: string;
  aud?: string | string[];
  iat: number;
  exp: number;
  jti: string;
}

/** The user-info body of seed 001 (`GET /api/v1/tts/user-info/{id}/`). */
export interface UserInfo {
  id: number;
  email: string | null;
  first_name: string;
  last_name: string;
  company_id: string | null;
  systems: string[];
  roles: RoleGrant[];
}
