/** Verifies Gatehouse access tokens locally, without a call to the gateway per request.
 *  JWKS mode (the default): asymmetric keys fetched from the gateway, `typ: at+jwt` required.
 *  Shared-key mode: the legacy HS256 set-up of the integration guide, where downstreams hold
 *  `JWT_SIGNING_KEY`; kept only until they move to JWKS. The algorithm allow-list is fixed per
 *  mode, so a token can never choose how it is checked (RFC 8725 section 3.1). */
import {
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  type ProtectedHeaderParameters,
} from 'jose';
import { parseGatehouseClaims, type GatehouseClaims } from './gatehouse-claims';
import { createJwksKeyResolver } from './jwks-key-resolver';
import {
  GatehouseAuthConfigError,
  TokenRejectedError,
  TokenRejectionReason,
} from './token-rejected.exception';

export type JwksAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

export interface JwksVerifierOptions {
  /** The gateway's `/.well-known/jwks.json`. */
  readonly jwksUrl: string;
  readonly issuer: string;
  /** This service's audience; a token for another service is refused. */
  readonly audience: string | readonly string[];
  /** Default: all three the gateway can sign with; the JWKS decides which key fits which. */
  readonly algorithms?: readonly JwksAlgorithm[];
  /** Default 5. Applied to `exp` and `nbf`. */
  readonly clockToleranceSeconds?: number;
  /** Minimum time between JWKS fetches triggered by an unknown `kid`. Default 30 000. */
  readonly jwksCooldownMs?: number;
  /** Bound on one JWKS fetch. Default 3 000. */
  readonly jwksTimeoutMs?: number;
  /** The JWKS is refetched at least this often, so a key the gateway retired stops verifying
   *  within this time. Default 600 000. */
  readonly jwksCacheMaxAgeMs?: number;
  readonly sharedKey?: never;
}

export interface SharedKeyVerifierOptions {
  /** At least 32 bytes (RFC 7518 section 3.2: an HS256 key must be as long as the hash). */
  readonly sharedKey: string;
  readonly issuer?: string;
  readonly audience?: string | readonly string[];
  readonly clockToleranceSeconds?: number;
  readonly jwksUrl?: never;
}

export type TokenVerifierOptions = JwksVerifierOptions | SharedKeyVerifierOptions;

export interface TokenVerifier {
  /** Resolves with the claims, or rejects with a `TokenRejectedError`. */
  verify(token: string | undefined): Promise<GatehouseClaims>;
}

const JWKS_ALGORITHMS: readonly JwksAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];
const ACCESS_TOKEN_TYP = 'at+jwt';
const MIN_SHARED_KEY_BYTES = 32;
/** Gatehouse tokens are well under 2 KB; refusing huge input early bounds the work we do. */
const MAX_TOKEN_LENGTH = 8192;
/** Headers that point at a key instead of naming one: following them lets the token choose its
 *  own key. jose ignores them, and we refuse them so such a token is never half-trusted. */
const KEY_LOCATING_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;

interface VerifierPlan {
  readonly algorithms: ReadonlySet<string>;
  readonly getKey: JWTVerifyGetKey;
  readonly requireKid: boolean;
  readonly joseOptions: JWTVerifyOptions;
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  if (options.sharedKey !== undefined && options.jwksUrl !== undefined) {
    // Both set means a half-finished migration; guessing which one wins would be a security bug.
    throw new GatehouseAuthConfigError('set either jwksUrl or sharedKey, not both');
  }
  const plan = options.sharedKey !== undefined ? sharedKeyPlan(options) : jwksPlan(options);
  return { verify: (token) => verifyToken(plan, token) };
}

async function verifyToken(
  plan: VerifierPlan,
  token: string | undefined,
): Promise<GatehouseClaims> {
  if (token === undefined || token === '') {
    throw new TokenRejectedError(TokenRejectionReason.Missing, 'no token');
  }
  checkHeader(plan, readHeader(token));
  let payload: Readonly<Record<string, unknown>>;
  try {
    ({ payload } = await jwtVerify(token, plan.getKey, plan.joseOptions));
  } catch (error) {
    throw toRejection(error);
  }
  return parseGatehouseClaims(payload);
}

function readHeader(token: string): ProtectedHeaderParameters {
  if (token.length > MAX_TOKEN_LENGTH || token.split('.').length !== 3) {
    throw new TokenRejectedError(TokenRejectionReason.Malformed, 'not a compact JWS');
  }
  try {
    return decodeProtectedHeader(token);
  } catch (error) {
    throw new TokenRejectedError(TokenRejectionReason.Malformed, 'undecodable header', {
      cause: error,
    });
  }
}

/** Runs before any key lookup, so a forged header never causes a JWKS fetch. */
function checkHeader(plan: VerifierPlan, header: ProtectedHeaderParameters): void {
  if (typeof header.alg !== 'string' || !plan.algorithms.has(header.alg)) {
    throw new TokenRejectedError(
      TokenRejectionReason.DisallowedAlgorithm,
      'algorithm not in the allow-list',
    );
  }
  for (const name of KEY_LOCATING_HEADERS) {
    if (name in header) {
      throw new TokenRejectedError(TokenRejectionReason.Malformed, `"${name}" header refused`);
    }
  }
  if (plan.requireKid && (typeof header.kid !== 'string' || header.kid === '')) {
    throw new TokenRejectedError(TokenRejectionReason.Malformed, 'no "kid" header');
  }
}

function toRejection(error: unknown): TokenRejectedError {
  if (error instanceof TokenRejectedError) return error;
  const reject = (reason: TokenRejectionReason): TokenRejectedError =>
    new TokenRejectedError(reason, error instanceof Error ? error.message : 'rejected', {
      cause: error,
    });
  if (error instanceof errors.JWTExpired) return reject(TokenRejectionReason.Expired);
  if (error instanceof errors.JWTClaimValidationFailed) return reject(claimReason(error));
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return reject(TokenRejectionReason.BadSignature);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return reject(TokenRejectionReason.DisallowedAlgorithm);
  }
  // JWSInvalid, JWTInvalid, or anything unforeseen from parsing attacker input: fail closed
  // with a 401 and keep the cause for the logs.
  return reject(TokenRejectionReason.Malformed);
}

function claimReason(error: errors.JWTClaimValidationFailed): TokenRejectionReason {
  switch (error.claim) {
    case 'iss':
      return TokenRejectionReason.WrongIssuer;
    case 'aud':
      return TokenRejectionReason.WrongAudience;
    case 'typ':
      return TokenRejectionReason.WrongType;
    case 'nbf':
      return error.reason === 'check_failed'
        ? TokenRejectionReason.NotYetValid
        : TokenRejectionReason.Malformed;
    default:
      return TokenRejectionReason.Malformed;
  }
}

function jwksPlan(options: JwksVerifierOptions): VerifierPlan {
  const algorithms = options.algorithms ?? JWKS_ALGORITHMS;
  if (algorithms.length === 0 || !algorithms.every((alg) => JWKS_ALGORITHMS.includes(alg))) {
    throw new GatehouseAuthConfigError(
      `algorithms must be a non-empty subset of RS256, ES256, EdDSA`,
    );
  }
  return {
    algorithms: new Set(algorithms),
    getKey: createJwksKeyResolver({
      url: parseJwksUrl(options.jwksUrl),
      timeoutMs: positive('jwksTimeoutMs', options.jwksTimeoutMs, 3000),
      cooldownMs: positive('jwksCooldownMs', options.jwksCooldownMs, 30_000),
      cacheMaxAgeMs: positive('jwksCacheMaxAgeMs', options.jwksCacheMaxAgeMs, 600_000),
    }),
    requireKid: true,
    joseOptions: {
      algorithms: [...algorithms],
      issuer: required('issuer', options.issuer),
      audience: audienceList(options.audience),
      typ: ACCESS_TOKEN_TYP,
      clockTolerance: tolerance(options.clockToleranceSeconds),
    },
  };
}

function sharedKeyPlan(options: SharedKeyVerifierOptions): VerifierPlan {
  const secret = new TextEncoder().encode(options.sharedKey);
  if (secret.length < MIN_SHARED_KEY_BYTES) {
    throw new GatehouseAuthConfigError(`sharedKey must be at least ${MIN_SHARED_KEY_BYTES} bytes`);
  }
  return {
    algorithms: new Set(['HS256']),
    getKey: () => secret,
    requireKid: false,
    joseOptions: {
      algorithms: ['HS256'],
      ...(options.issuer === undefined ? {} : { issuer: required('issuer', options.issuer) }),
      ...(options.audience === undefined ? {} : { audience: audienceList(options.audience) }),
      // No `typ` check: legacy tokens predate it; `token_use` still tells access from refresh.
      clockTolerance: tolerance(options.clockToleranceSeconds),
    },
  };
}

function parseJwksUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new GatehouseAuthConfigError('jwksUrl is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new GatehouseAuthConfigError('jwksUrl must be http(s)');
  }
  return url;
}

function required(name: string, value: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new GatehouseAuthConfigError(`${name} must be a non-empty string`);
  }
  return value;
}

function audienceList(value: string | readonly string[]): string[] {
  const list = typeof value === 'string' ? [value] : [...value];
  if (list.length === 0 || !list.every((item) => typeof item === 'string' && item !== '')) {
    throw new GatehouseAuthConfigError('audience must be a non-empty string or list of them');
  }
  return list;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new GatehouseAuthConfigError(`${name} must be a positive number of milliseconds`);
  }
  return value;
}

function tolerance(value: number | undefined): number {
  if (value === undefined) return 5;
  // A tolerance of minutes would quietly extend every token's lifetime.
  if (!Number.isFinite(value) || value < 0 || value > 300) {
    throw new GatehouseAuthConfigError('clockToleranceSeconds must be between 0 and 300');
  }
  return value;
}
