/** The claims of a Gatehouse access token, and the shape check that lets the verifier return
 *  them typed: a signed token from the right issuer can still be the wrong kind of token, and
 *  handlers should not have to re-validate `user_id` or `roles` before trusting them. */
import { TokenRejectedError, TokenRejectionReason } from './token-rejected.exception';

export type GatehouseUserType = 'staff' | 'employee';

export interface GatehouseRole {
  readonly system: string;
  readonly role: string;
}

export interface GatehouseClaims {
  /** The user id as a string (JWT convention); `user_id` is the same id as a number. */
  readonly sub: string;
  readonly user_id: number;
  readonly user_type: GatehouseUserType;
  readonly tenant_id: string;
  readonly systems: readonly string[];
  readonly roles: readonly GatehouseRole[];
  /** Always present in JWKS mode (checked); optional in legacy shared-key mode. */
  readonly iss?: string;
  readonly aud?: string | readonly string[];
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  /** Session id: lets a downstream tie the request to a gateway session (logout, revocation). */
  readonly sid: string;
  readonly token_use: 'access';
}

type Payload = Readonly<Record<string, unknown>>;

const isString = (value: unknown): value is string => typeof value === 'string' && value !== '';

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

const isRole = (value: unknown): value is GatehouseRole =>
  typeof value === 'object' &&
  value !== null &&
  isString((value as Payload).system) &&
  isString((value as Payload).role);

const isRoleArray = (value: unknown): value is GatehouseRole[] =>
  Array.isArray(value) && value.every(isRole);

const isUserType = (value: unknown): value is GatehouseUserType =>
  value === 'staff' || value === 'employee';

const isEpochSeconds = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

const malformed = (claim: string): TokenRejectedError =>
  new TokenRejectedError(
    TokenRejectionReason.Malformed,
    `claim "${claim}" is missing or has the wrong type`,
  );

/** Narrows an already signature- and time-checked payload to `GatehouseClaims`. `token_use` is
 *  checked first because a refresh-shaped token is a type error, not a malformed one. */
export function parseGatehouseClaims(payload: Payload): GatehouseClaims {
  if (payload.token_use !== 'access') {
    throw new TokenRejectedError(TokenRejectionReason.WrongType, 'token_use is not "access"');
  }
  const { sub, user_id, user_type, tenant_id, systems, roles, iss, aud, iat, exp, jti, sid } =
    payload;
  if (!isString(sub)) throw malformed('sub');
  if (typeof user_id !== 'number' || !Number.isSafeInteger(user_id)) throw malformed('user_id');
  if (!isUserType(user_type)) throw malformed('user_type');
  if (!isString(tenant_id)) throw malformed('tenant_id');
  if (!isStringArray(systems)) throw malformed('systems');
  if (!isRoleArray(roles)) throw malformed('roles');
  if (iss !== undefined && typeof iss !== 'string') throw malformed('iss');
  if (aud !== undefined && typeof aud !== 'string' && !isStringArray(aud)) throw malformed('aud');
  if (!isEpochSeconds(iat)) throw malformed('iat');
  if (!isEpochSeconds(exp)) throw malformed('exp');
  if (!isString(jti)) throw malformed('jti');
  if (!isString(sid)) throw malformed('sid');
  return {
    sub,
    user_id,
    user_type,
    tenant_id,
    systems,
    // Copy only the two known fields so extra role properties never leak into handlers.
    roles: roles.map(({ system, role }) => ({ system, role })),
    ...(iss === undefined ? {} : { iss }),
    ...(aud === undefined ? {} : { aud }),
    iat,
    exp,
    jti,
    sid,
    token_use: 'access',
  };
}
