import { DEFAULT_HTTP_PORTS } from '@gatehouse/contracts';
import { env, type EnvValues, httpEnv, parseEnv } from '@gatehouse/platform/config';

export const JWT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'HS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export const AUTH_GATEWAY_ENV = {
  ...httpEnv(DEFAULT_HTTP_PORTS['auth-gateway']),
  JWT_ALGORITHM: env.oneOf(
    'Signing algorithm of access tokens; HS256 is the shared-key mode of seed 001',
    'RS256',
    JWT_ALGORITHMS,
  ),
  JWT_PRIVATE_KEYS: env.string(
    'Asymmetric signing keys, `kid:base64(PKCS#8 PEM)` comma-separated: the first signs, the others stay valid for verification during a rotation. Unset in development/test: a key is generated at start',
    '',
    { secret: true },
  ),
  JWT_SIGNING_KEY: env.string(
    'Shared HS256 key (at least 32 characters), required when JWT_ALGORITHM=HS256',
    '',
    { secret: true },
  ),
  JWT_ISSUER: env.string('`iss` of issued tokens', 'gatehouse'),
  JWT_AUDIENCE: env.string(
    '`aud` of issued tokens (comma-separated for several); `none` leaves it out for PyJWT users who decode without an audience',
    'gatehouse',
  ),
  ACCESS_TOKEN_TTL_SECONDS: env.int('Access token lifetime', 900, 30, 86400),
  REFRESH_TOKEN_TTL_SECONDS: env.int('Refresh token (session) lifetime', 1209600, 300, 7776000),
  REFRESH_REUSE_GRACE_SECONDS: env.int(
    'A rotated refresh token presented again within this window is refused without revoking its family (two tabs refreshing at once); later reuse revokes the family',
    5,
    0,
    60,
  ),
  LOGIN_MAX_FAILURES: env.int(
    'Failed logins for one username from one client address before it is locked',
    5,
    1,
    1000,
  ),
  LOGIN_MAX_FAILURES_PER_ADDRESS: env.int(
    'Failed logins from one client address, whatever the username, before the address is locked',
    50,
    1,
    100000,
  ),
  LOGIN_FAILURE_WINDOW_SECONDS: env.int('How long a failed login counts', 900, 10, 86400),
  LOGIN_LOCKOUT_SECONDS: env.int(
    'First lockout; each further lockout in the window doubles it',
    30,
    1,
    86400,
  ),
  LOGIN_LOCKOUT_MAX_SECONDS: env.int('Longest lockout', 900, 1, 86400),
  TRUST_PROXY: env.string(
    'Proxies whose X-Forwarded-For is believed (express `trust proxy` syntax, e.g. `loopback` or `10.0.0.0/8`); `false` trusts none',
    'false',
  ),
  CORS_ORIGINS: env.string(
    'Origins allowed to call with credentials, comma-separated; also the origins a cookie-authenticated POST may come from',
    'none',
  ),
  COOKIE_SECURE: env.oneOf(
    '`Secure` flag on cookies; `auto` means on unless NODE_ENV is development or test',
    'auto',
    ['auto', 'true', 'false'] as const,
  ),
  OAUTH_TOKEN_RATE_LIMIT: env.int(
    'Token requests per minute for one client id from one client address (POST /api/v1/oauth/token); beyond it 429',
    60,
    1,
    100000,
  ),
  GATEHOUSE_ADMIN_USERNAME: env.string(
    'Bootstrap admin created on first start (never overwritten later)',
    '',
  ),
  GATEHOUSE_ADMIN_PASSWORD: env.string('Password of the bootstrap admin', '', { secret: true }),
  GATEHOUSE_INTERNAL_API_KEYS: env.string(
    'API keys for internal callers (HDTS employee lookup), `name:key` comma-separated, stored hashed at start',
    '',
    { secret: true },
  ),
};

export type AuthGatewayConfig = EnvValues<typeof AUTH_GATEWAY_ENV>;
export const AUTH_GATEWAY_CONFIG = Symbol('AUTH_GATEWAY_CONFIG');

export function loadAuthGatewayConfig(source: NodeJS.ProcessEnv = process.env): AuthGatewayConfig {
  return parseEnv(AUTH_GATEWAY_ENV, source);
}
