import { createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { ApiEnvelope } from '@gatehouse/contracts';
import { AppProcess } from '@gatehouse/testing/app-process';
import { login, setCookies } from '@gatehouse/testing/auth-client';
import { freePort } from '@gatehouse/testing/free-port';
import { type JsonResponse, request } from '@gatehouse/testing/http-client';
import { Suite } from '@gatehouse/testing/suite';
import {
  base64url,
  decodeJwt,
  type DecodedJwt,
  forgeJwt,
  generateRsaKey,
  type JwtHeader,
  type JwtPayload,
  opensslVerifyRs256,
} from './jwt-forge';

/** Access tokens of the real gateway process: the JWKS, a signature checked by openssl, every
 *  forged or misused token refused at seed 001's validate route, where a token may come from, and
 *  a key rotation across gateway restarts. The gateway signs with keys this test generated, so the
 *  test can sign tokens that differ from a real one in exactly one claim or header. */

const ADMIN = 'admin';
const ADMIN_PASSWORD = 'Adm1n-e2e-tokens-Str0ng!';
const ISSUER = 'gatehouse';
const AUDIENCE = 'gatehouse';
const ACCESS_TTL = 600;
const INVALID = { error: 'Invalid token', code: 'UNAUTHENTICATED' };
const MISSING = { error: 'Authentication required', code: 'UNAUTHENTICATED' };

interface Jwks {
  keys: (JsonWebKey & { kid?: string; alg?: string; use?: string })[];
}

interface KeyServer {
  url: string;
  /** Paths requested so far: a gateway that follows jku or x5u would show up here. */
  hits: string[];
  close(): Promise<void>;
}

/** A local HTTP server standing in for an attacker's key URL. */
function startKeyServer(): Promise<KeyServer> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        keys: [{ ...strangerKey.publicKey.export({ format: 'jwk' }), kid: 'old' }],
      }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        hits,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

const oldKey = generateRsaKey();
const newKey = generateRsaKey();
const strangerKey = generateRsaKey();

describe('auth gateway: access tokens', () => {
  let suite: Suite;
  /** The gateway now serving: the suite's first, then the restarted ones of the rotation. */
  let gatewayProcess: AppProcess;
  let base: DecodedJwt;
  let realToken: string;
  let refreshToken: string;
  let keyServer: KeyServer;

  const env = (): NodeJS.ProcessEnv => ({
    GATEHOUSE_ADMIN_USERNAME: ADMIN,
    GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TTL),
    JWT_PRIVATE_KEYS: `old:${oldKey.envValue}`,
  });

  const gateway = (path: string): string => `${gatewayProcess.baseUrl}${path}`;

  const validate = (
    headers: Record<string, string>,
    query = '',
  ): Promise<JsonResponse<Record<string, unknown>>> =>
    request<Record<string, unknown>>(gateway(`/api/v1/users/token/validate/${query}`), {
      headers,
    });

  const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

  /** Signs the real token's header and claims, changed as asked, with the gateway's own key. */
  const resign = (header: JwtHeader, payload: JwtPayload, key = oldKey.privateKey): string =>
    forgeJwt(header, payload, { kind: 'asymmetric', key });

  const now = (): number => Math.floor(Date.now() / 1000);

  /** Replaces the running gateway with one started with other variables (same database, Redis). */
  async function restartGateway(overrides: NodeJS.ProcessEnv): Promise<void> {
    const stopped = await gatewayProcess.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    gatewayProcess = new AppProcess(
      'auth-gateway',
      await freePort(),
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'debug',
        DATABASE_URL: suite.database.url,
        REDIS_URL: suite.redis.url,
        ...env(),
        ...overrides,
      },
      'auth-tokens',
    );
    await gatewayProcess.start();
  }

  beforeAll(async () => {
    keyServer = await startKeyServer();
    suite = await Suite.start({ label: 'auth-tokens', env: env() });
    gatewayProcess = suite.apps['auth-gateway'];
    const session = await login(gatewayProcess.baseUrl, ADMIN, ADMIN_PASSWORD);
    realToken = session.accessToken;
    refreshToken = session.refreshToken;
    base = decodeJwt(realToken);
  });

  afterAll(async () => {
    if (gatewayProcess && gatewayProcess !== suite?.apps['auth-gateway']) {
      await gatewayProcess.stop('SIGTERM');
    }
    await suite?.stop();
    await keyServer?.close();
  });

  describe('issuing', () => {
    it('publishes the signing key in /.well-known/jwks.json with kid, alg and use, and no private part', async () => {
      const response = await request<Jwks>(gateway('/.well-known/jwks.json'));
      expect(response.status).toBe(200);
      expect(response.body.keys).toHaveLength(1);
      const [jwk] = response.body.keys;
      const expected = oldKey.publicKey.export({ format: 'jwk' });
      expect(jwk).toEqual({
        kty: 'RSA',
        n: expected.n,
        e: expected.e,
        kid: 'old',
        alg: 'RS256',
        use: 'sig',
      });
    });

    it('signs RS256 access tokens that openssl verifies with the published key', async () => {
      expect(base.header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: 'old' });
      expect(base.payload).toMatchObject({
        iss: ISSUER,
        aud: AUDIENCE,
        token_use: 'access',
        username: ADMIN,
        tenant_id: '1',
        permissions: ['*'],
      });
      expect(Number(base.payload.exp) - Number(base.payload.iat)).toBe(ACCESS_TTL);

      const jwks = await request<Jwks>(gateway('/.well-known/jwks.json'));
      const jwk = jwks.body.keys.find((key) => key.kid === base.header.kid);
      expect(jwk).toBeDefined();
      const pem = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();

      const verified = await opensslVerifyRs256(pem, base.signingInput, base.signature);
      expect(verified).toMatchObject({ code: 0 });
      expect(verified.stdout).toContain('Verified OK');

      const [header] = base.signingInput.split('.');
      const tampered = `${header}.${base64url(JSON.stringify({ ...base.payload, user_id: 2 }))}`;
      const refused = await opensslVerifyRs256(pem, tampered, base.signature);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('Verification failure');
    });
  });

  describe('validation at GET /api/v1/users/token/validate/', () => {
    it('accepts the real token and a copy signed by the test with the same key (the control)', async () => {
      const real = await validate(bearer(realToken));
      expect(real.status).toBe(200);
      expect(real.body).toEqual(base.payload);

      const copy = await validate(bearer(resign(base.header, base.payload)));
      expect(copy.status).toBe(200);
      expect(copy.body).toEqual(base.payload);
    });

    const ecKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const spkiPem = oldKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const pkcs1Pem = oldKey.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();

    const forged: [string, () => string][] = [
      [
        'alg none without a signature',
        () => forgeJwt({ ...base.header, alg: 'none' }, base.payload, { kind: 'none' }),
      ],
      ['an empty signature', () => `${base.signingInput}.`],
      [
        'a tampered payload under the real signature',
        () =>
          `${base.signingInput.split('.')[0]}.${base64url(JSON.stringify({ ...base.payload, user_id: 999 }))}.${base64url(base.signature)}`,
      ],
      [
        'a signature of another key under the real kid',
        () => resign(base.header, base.payload, strangerKey.privateKey),
      ],
      [
        'HS256 keyed with the public key PEM (SPKI)',
        () =>
          forgeJwt({ ...base.header, alg: 'HS256' }, base.payload, {
            kind: 'hmac',
            secret: spkiPem,
          }),
      ],
      [
        'HS256 keyed with the public key PEM (PKCS#1)',
        () =>
          forgeJwt({ ...base.header, alg: 'HS256' }, base.payload, {
            kind: 'hmac',
            secret: pkcs1Pem,
          }),
      ],
      ['RS512 with the right key', () => resign({ ...base.header, alg: 'RS512' }, base.payload)],
      [
        'ES256 with an EC key',
        () =>
          forgeJwt({ ...base.header, alg: 'ES256' }, base.payload, {
            kind: 'asymmetric',
            key: ecKey,
          }),
      ],
      ['a wrong iss', () => resign(base.header, { ...base.payload, iss: 'someone-else' })],
      ['a wrong aud', () => resign(base.header, { ...base.payload, aud: 'another-service' })],
      ['no aud', () => resign(base.header, { ...base.payload, aud: undefined })],
      [
        'an expired exp',
        () => resign(base.header, { ...base.payload, iat: now() - 600, exp: now() - 120 }),
      ],
      ['a future nbf', () => resign(base.header, { ...base.payload, nbf: now() + 120 })],
      ['no exp', () => resign(base.header, { ...base.payload, exp: undefined })],
      ['typ JWT instead of at+jwt', () => resign({ ...base.header, typ: 'JWT' }, base.payload)],
      ['no typ', () => resign({ alg: 'RS256', kid: 'old' }, base.payload)],
      ['token_use refresh', () => resign(base.header, { ...base.payload, token_use: 'refresh' })],
      ['no token_use', () => resign(base.header, { ...base.payload, token_use: undefined })],
      ['an unknown kid', () => resign({ ...base.header, kid: 'not-a-key' }, base.payload)],
      ['no kid', () => resign({ alg: 'RS256', typ: 'at+jwt' }, base.payload)],
      [
        'a jku header',
        () => resign({ ...base.header, jku: `${keyServer.url}/jwks.json` }, base.payload),
      ],
      [
        'an x5u header',
        () => resign({ ...base.header, x5u: `${keyServer.url}/cert.pem` }, base.payload),
      ],
      [
        'an embedded jwk of the signing key',
        () =>
          resign(
            {
              ...base.header,
              kid: 'stranger',
              jwk: strangerKey.publicKey.export({ format: 'jwk' }),
            },
            base.payload,
            strangerKey.privateKey,
          ),
      ],
      ['the opaque refresh token', () => refreshToken],
      ['a string that is not a JWT', () => 'not.a.jwt'],
    ];

    it.each(forged)('refuses %s with 401', async (_label, token) => {
      const response = await validate(bearer(token()));
      expect(response.status).toBe(401);
      expect(response.body).toEqual(INVALID);
    });

    it('never fetched the key URLs that jku and x5u pointed at', () => {
      expect(keyServer.hits).toEqual([]);
    });

    it('takes the token from the access_token cookie or a Bearer header', async () => {
      const cookie = await validate({ cookie: `access_token=${realToken}` });
      expect(cookie.status).toBe(200);
      expect(cookie.body).toEqual(base.payload);
      const header = await validate(bearer(realToken));
      expect(header.status).toBe(200);
      expect(header.body).toEqual(base.payload);
    });

    it('never takes the token from the query string', async () => {
      for (const name of ['access_token', 'token', 'jwt']) {
        const response = await validate({}, `?${name}=${realToken}`);
        expect(response.status).toBe(401);
        expect(response.body).toEqual(MISSING);
      }
      const me = await request<ApiEnvelope<null>>(
        gateway(`/api/v1/auth/me?access_token=${realToken}`),
      );
      expect(me.status).toBe(401);
      expect(me.body).toMatchObject({ code: 'UNAUTHENTICATED', data: null });
    });

    it('answers /api/v1/auth/me with the claims of a valid token', async () => {
      const me = await request<ApiEnvelope<Record<string, unknown>>>(gateway('/api/v1/auth/me'), {
        headers: bearer(realToken),
      });
      expect(me.status).toBe(200);
      expect(me.body.code).toBe('S');
      expect(me.body.data).toEqual(base.payload);
    });
  });

  describe('key rotation', () => {
    let newToken: string;

    it('during the overlap signs with the new key, publishes both, and still accepts the old key', async () => {
      await restartGateway({
        JWT_PRIVATE_KEYS: `new:${newKey.envValue},old:${oldKey.envValue}`,
        COOKIE_SECURE: 'true',
      });
      const jwks = await request<Jwks>(gateway('/.well-known/jwks.json'));
      expect(jwks.body.keys.map((key) => key.kid)).toEqual(['new', 'old']);

      const old = await validate(bearer(realToken));
      expect(old.status).toBe(200);
      expect(old.body).toEqual(base.payload);

      const session = await login(gatewayProcess.baseUrl, ADMIN, ADMIN_PASSWORD);
      newToken = session.accessToken;
      expect(decodeJwt(newToken).header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: 'new' });
      expect((await validate(bearer(newToken))).status).toBe(200);

      // COOKIE_SECURE=true: both cookies are Secure as well as HttpOnly.
      const cookies = setCookies(session.response.headers);
      for (const name of ['access_token', 'refresh_token']) {
        expect(cookies.get(name)?.attributes).toHaveProperty('secure');
        expect(cookies.get(name)?.attributes).toHaveProperty('httponly');
      }
    });

    it('after the old key is removed refuses its tokens and keeps the new ones', async () => {
      await restartGateway({ JWT_PRIVATE_KEYS: `new:${newKey.envValue}` });
      const jwks = await request<Jwks>(gateway('/.well-known/jwks.json'));
      expect(jwks.body.keys.map((key) => key.kid)).toEqual(['new']);

      const old = await validate(bearer(realToken));
      expect(old.status).toBe(401);
      expect(old.body).toEqual(INVALID);
      const forgedOld = await validate(bearer(resign(base.header, base.payload)));
      expect(forgedOld.status).toBe(401);

      const current = await validate(bearer(newToken));
      expect(current.status).toBe(200);
    });
  });
});
