import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  errors as joseErrors,
  jwtVerify,
  SignJWT,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';
import { type AccessTokenClaims, DomainError, ErrorCode } from '@gatehouse/contracts';
import { PLATFORM_CONFIG, type PlatformConfig } from '@gatehouse/platform/config';
import { AUTH_GATEWAY_CONFIG, type AuthGatewayConfig } from '../auth-gateway.config';
import { loadSigningKeys, publicJwks, type SigningKeySet } from './signing-keys';

export type AccessTokenSubject = Omit<
  AccessTokenClaims,
  'iss' | 'aud' | 'iat' | 'exp' | 'jti' | 'token_use'
>;

const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'crit'] as const;

/** Issues and verifies access tokens. Verification pins the algorithm to the configured one (no
 *  `none`, no HS/RS confusion), requires `typ: at+jwt` and `token_use: access`, the issuer and
 *  audience, and refuses key-location headers. */
@Injectable()
export class TokenService implements OnModuleInit {
  private readonly logger = new Logger(TokenService.name);
  readonly keys: SigningKeySet;
  private readonly audience: string[] | undefined;

  constructor(
    @Inject(AUTH_GATEWAY_CONFIG) private readonly config: AuthGatewayConfig,
    @Inject(PLATFORM_CONFIG) platform: PlatformConfig,
  ) {
    this.keys = loadSigningKeys(config, platform.NODE_ENV);
    this.audience =
      config.JWT_AUDIENCE === 'none'
        ? undefined
        : config.JWT_AUDIENCE.split(',')
            .map((value) => value.trim())
            .filter(Boolean);
  }

  onModuleInit(): void {
    if (this.keys.ephemeral) {
      this.logger.warn(
        `JWT_PRIVATE_KEYS is not set: signing with a ${this.keys.algorithm} key generated at start (kid ${this.keys.current.kid}); tokens die with this process and replicas disagree`,
      );
    }
  }

  get accessTtlSeconds(): number {
    return this.config.ACCESS_TOKEN_TTL_SECONDS;
  }

  async issue(subject: AccessTokenSubject): Promise<{ token: string; claims: AccessTokenClaims }> {
    const now = Math.floor(Date.now() / 1000);
    const claims: AccessTokenClaims = {
      ...subject,
      token_use: 'access',
      iss: this.config.JWT_ISSUER,
      ...(this.audience
        ? { aud: this.audience.length === 1 ? this.audience[0] : this.audience }
        : {}),
      iat: now,
      exp: now + this.config.ACCESS_TOKEN_TTL_SECONDS,
      jti: randomUUID(),
    };
    const header: JWTHeaderParameters = { alg: this.keys.algorithm, typ: 'at+jwt' };
    if (this.keys.algorithm !== 'HS256') header.kid = this.keys.current.kid;
    const token = await new SignJWT(claims as unknown as JWTPayload)
      .setProtectedHeader(header)
      .sign(this.keys.current.privateKey);
    return { token, claims };
  }

  /** Verifies signature, algorithm, type, issuer, audience and times; throws UNAUTHENTICATED. */
  async verify(token: string): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(
        token,
        async (header) => {
          for (const name of FORBIDDEN_HEADERS) {
            if (name in header) throw new Error(`header ${name} is not accepted`);
          }
          const key =
            this.keys.algorithm === 'HS256'
              ? this.keys.current
              : this.keys.all.find((candidate) => candidate.kid === header.kid);
          if (!key) throw new Error('unknown kid');
          return Promise.resolve(key.verifyKey);
        },
        {
          algorithms: [this.keys.algorithm],
          issuer: this.config.JWT_ISSUER,
          audience: this.audience,
          typ: 'at+jwt',
          clockTolerance: 5,
          requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        },
      );
      if (!isAccessClaims(payload)) throw new Error('not an access token');
      return payload;
    } catch (error: unknown) {
      throw new DomainError(ErrorCode.Unauthenticated, 'Invalid token', [], {
        reason: reasonOf(error),
      });
    }
  }

  jwks(): ReturnType<typeof publicJwks> {
    return publicJwks(this.keys);
  }
}

function isAccessClaims(payload: JWTPayload): payload is JWTPayload & AccessTokenClaims {
  return (
    payload.token_use === 'access' &&
    typeof payload.user_id === 'number' &&
    typeof payload.tenant_id === 'string' &&
    typeof payload.sid === 'string' &&
    Array.isArray(payload.roles) &&
    Array.isArray(payload.systems)
  );
}

function reasonOf(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim ${error.claim}`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof Error) return error.message.slice(0, 80);
  return 'invalid';
}
