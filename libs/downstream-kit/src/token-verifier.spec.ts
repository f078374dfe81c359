import { exportSPKI, SignJWT } from 'jose';
import {
  accessClaims,
  AUDIENCE,
  closedPortUrl,
  craftToken,
  createSigningKey,
  ISSUER,
  JwksTestServer,
  signToken,
  sleep,
  type SigningKey,
} from '../test/jwks-test-server';
import {
  GatehouseAuthConfigError,
  TokenRejectedError,
  TokenRejectionReason,
} from './token-rejected.exception';
import {
  createTokenVerifier,
  type JwksVerifierOptions,
  type TokenVerifier,
} from './token-verifier';

/** The reason a verification was refused; fails the test if it was accepted. */
async function rejection(verifier: TokenVerifier, token: string | undefined): Promise<string> {
  const error: unknown = await verifier.verify(token).then(
    () => new Error('token was accepted'),
    (caught: unknown) => caught,
  );
  if (!(error instanceof TokenRejectedError)) throw error;
  return error.reason;
}

describe('createTokenVerifier (JWKS mode)', () => {
  let rsa: SigningKey;
  let ec: SigningKey;
  let ed: SigningKey;
  let jwks: JwksTestServer;
  let verifier: TokenVerifier;

  const jwksOptions = (overrides: Partial<JwksVerifierOptions> = {}): JwksVerifierOptions => ({
    jwksUrl: jwks.url,
    issuer: ISSUER,
    audience: AUDIENCE,
    ...overrides,
  });

  beforeAll(async () => {
    [rsa, ec, ed] = await Promise.all([
      createSigningKey('RS256'),
      createSigningKey('ES256'),
      createSigningKey('EdDSA'),
    ]);
    jwks = await JwksTestServer.start(rsa, ec, ed);
    verifier = createTokenVerifier(jwksOptions());
  });

  afterAll(async () => {
    await jwks.close();
  });

  it.each(['RS256', 'ES256', 'EdDSA'])(
    'accepts a valid %s token and returns its claims',
    async (alg) => {
      const key = [rsa, ec, ed].find((candidate) => candidate.alg === alg) as SigningKey;
      const claims = accessClaims({ user_id: 42, sub: '42', user_type: 'employee' });

      await expect(verifier.verify(await signToken(key, { claims }))).resolves.toEqual({
        ...claims,
        token_use: 'access',
      });
    },
  );

  it('accepts the media-type spelling application/at+jwt (RFC 9068)', async () => {
    const token = await signToken(rsa, { header: { typ: 'application/at+jwt' } });
    await expect(verifier.verify(token)).resolves.toMatchObject({ user_id: 123 });
  });

  it('copies only system and role out of each role entry', async () => {
    const claims = accessClaims({ roles: [{ system: 'TTS', role: 'Admin', extra: 'x' }] });
    const verified = await verifier.verify(await signToken(rsa, { claims }));
    expect(verified.roles).toEqual([{ system: 'TTS', role: 'Admin' }]);
  });

  it('reports a missing token as missing', async () => {
    await expect(rejection(verifier, undefined)).resolves.toBe(TokenRejectionReason.Missing);
    await expect(rejection(verifier, '')).resolves.toBe(TokenRejectionReason.Missing);
  });

  it.each([
    ['not a JWT', 'abc'],
    ['five parts (a JWE)', 'a.b.c.d.e'],
    ['an undecodable header', '%%%.e30.'],
    ['a header that is not an object', `${Buffer.from('[]').toString('base64url')}.e30.sig`],
    ['a huge token', `${'a'.repeat(9000)}.b.c`],
  ])('refuses %s as malformed', async (_name, token) => {
    await expect(rejection(verifier, token)).resolves.toBe(TokenRejectionReason.Malformed);
  });

  it('refuses alg none, whatever the case', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const token = craftToken({ alg, typ: 'at+jwt', kid: rsa.kid }, accessClaims());
      await expect(rejection(verifier, token)).resolves.toBe(
        TokenRejectionReason.DisallowedAlgorithm,
      );
    }
  });

  it('refuses a token whose signature was removed', async () => {
    const [header, payload] = (await signToken(rsa)).split('.');
    const token = `${header}.${payload}.`;
    await expect(rejection(verifier, token)).resolves.toBe(TokenRejectionReason.BadSignature);
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const [header, , signature] = (await signToken(rsa)).split('.');
    const forged = craftToken({}, accessClaims({ user_id: 1, sub: '1' })).split('.')[1];
    const token = `${header}.${forged}.${signature}`;
    await expect(rejection(verifier, token)).resolves.toBe(TokenRejectionReason.BadSignature);
  });

  it('refuses HS256 signed with the RSA public key (key confusion) without fetching', async () => {
    const pem = await exportSPKI(rsa.publicKey);
    const token = await new SignJWT(accessClaims())
      .setProtectedHeader({ alg: 'HS256', kid: rsa.kid, typ: 'at+jwt' })
      .sign(new TextEncoder().encode(pem));
    const fresh = createTokenVerifier(jwksOptions());
    const before = jwks.requests;

    await expect(rejection(fresh, token)).resolves.toBe(TokenRejectionReason.DisallowedAlgorithm);
    expect(jwks.requests).toBe(before);
  });

  it('refuses an algorithm the service left out of its allow-list', async () => {
    const rsOnly = createTokenVerifier(jwksOptions({ algorithms: ['RS256'] }));
    await expect(rejection(rsOnly, await signToken(ec))).resolves.toBe(
      TokenRejectionReason.DisallowedAlgorithm,
    );
    await expect(rsOnly.verify(await signToken(rsa))).resolves.toMatchObject({ sub: '123' });
  });

  it('refuses a header alg that does not match the key the kid names', async () => {
    // Signed by the EC key but labelled with the RSA kid: no JWKS key is ES256 with that kid.
    const token = await signToken(ec, { header: { kid: rsa.kid } });
    await expect(rejection(verifier, token)).resolves.toBe(TokenRejectionReason.UnknownKey);
  });

  const now = (): number => Math.floor(Date.now() / 1000);

  it.each([
    [
      'wrong issuer',
      () => ({ claims: accessClaims({ iss: 'https://evil.test' }) }),
      'wrong_issuer',
    ],
    ['no issuer', () => ({ claims: accessClaims({ iss: undefined }) }), 'wrong_issuer'],
    ['wrong audience', () => ({ claims: accessClaims({ aud: 'ams' }) }), 'wrong_audience'],
    ['no audience', () => ({ claims: accessClaims({ aud: undefined }) }), 'wrong_audience'],
    ['expired', () => ({ claims: accessClaims({ exp: now() - 60 }) }), 'expired'],
    [
      'nbf beyond tolerance',
      () => ({ claims: accessClaims({ nbf: now() + 60 }) }),
      'not_yet_valid',
    ],
    ['token_use refresh', () => ({ claims: accessClaims({ token_use: 'refresh' }) }), 'wrong_type'],
    ['no token_use', () => ({ claims: accessClaims({ token_use: undefined }) }), 'wrong_type'],
    ['no typ header', () => ({ header: { typ: undefined } }), 'wrong_type'],
    ['typ JWT (an ID token)', () => ({ header: { typ: 'JWT' } }), 'wrong_type'],
    ['a jku header', () => ({ header: { jku: 'https://evil.test/jwks.json' } }), 'malformed'],
    ['an x5u header', () => ({ header: { x5u: 'https://evil.test/cert.pem' } }), 'malformed'],
    ['an embedded jwk header', () => ({ header: { jwk: { kty: 'oct', k: 'AA' } } }), 'malformed'],
    ['no kid', () => ({ header: { kid: undefined } }), 'malformed'],
    ['no exp', () => ({ claims: accessClaims({ exp: undefined }) }), 'malformed'],
    ['a string user_id', () => ({ claims: accessClaims({ user_id: '123' }) }), 'malformed'],
    ['an unknown user_type', () => ({ claims: accessClaims({ user_type: 'root' }) }), 'malformed'],
    ['roles of strings', () => ({ claims: accessClaims({ roles: ['admin'] }) }), 'malformed'],
    ['no sid', () => ({ claims: accessClaims({ sid: undefined }) }), 'malformed'],
  ])('refuses a token with %s', async (_name, options, reason) => {
    await expect(rejection(verifier, await signToken(rsa, options()))).resolves.toBe(reason);
  });

  it('allows clock skew within the tolerance and no further', async () => {
    const skewed = await signToken(rsa, {
      claims: accessClaims({ exp: now() - 2, nbf: now() + 2 }),
    });
    await expect(verifier.verify(skewed)).resolves.toMatchObject({ sub: '123' });

    const strict = createTokenVerifier(jwksOptions({ clockToleranceSeconds: 0 }));
    await expect(rejection(strict, skewed)).resolves.toMatch(/expired|not_yet_valid/);
  });

  it('refetches the JWKS once for an unknown kid and picks up a newly published key', async () => {
    const server = await JwksTestServer.start(rsa);
    try {
      const local = createTokenVerifier(jwksOptions({ jwksUrl: server.url, jwksCooldownMs: 200 }));
      await local.verify(await signToken(rsa));
      expect(server.requests).toBe(1);

      const rotated = await createSigningKey('RS256');
      server.publish(rotated);
      await sleep(250);

      await expect(local.verify(await signToken(rotated))).resolves.toMatchObject({ sub: '123' });
      expect(server.requests).toBe(2);
      await expect(local.verify(await signToken(rsa))).resolves.toMatchObject({ sub: '123' });
      expect(server.requests).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('does not let a flood of unknown kids refetch more than once per cooldown', async () => {
    const server = await JwksTestServer.start(rsa);
    try {
      const local = createTokenVerifier(jwksOptions({ jwksUrl: server.url, jwksCooldownMs: 1000 }));
      await local.verify(await signToken(rsa));
      const forged = await Promise.all(
        Array.from({ length: 100 }, (_, i) => signToken(rsa, { header: { kid: `forged-${i}` } })),
      );
      await sleep(1050);

      const burst = await Promise.all(forged.slice(0, 50).map((token) => rejection(local, token)));
      for (const token of forged.slice(50)) burst.push(await rejection(local, token));

      expect(new Set(burst)).toEqual(new Set([TokenRejectionReason.UnknownKey]));
      // The initial fetch plus exactly one refetch for the whole flood.
      expect(server.requests).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('accepts a retired key during the rotation overlap and refuses it once the cache refreshes', async () => {
    const retiring = await createSigningKey('ES256');
    const server = await JwksTestServer.start(rsa, retiring);
    try {
      const local = createTokenVerifier(
        jwksOptions({ jwksUrl: server.url, jwksCooldownMs: 100, jwksCacheMaxAgeMs: 300 }),
      );
      const old = await signToken(retiring);
      await expect(local.verify(old)).resolves.toMatchObject({ sub: '123' });

      server.retire(retiring);
      // Still cached: the overlap in which tokens already issued keep working.
      await expect(local.verify(old)).resolves.toMatchObject({ sub: '123' });

      await sleep(350);
      await expect(rejection(local, old)).resolves.toBe(TokenRejectionReason.UnknownKey);
      await expect(local.verify(await signToken(rsa))).resolves.toMatchObject({ sub: '123' });
    } finally {
      await server.close();
    }
  });

  it('reports an unreachable JWKS as jwks_unavailable, not as an invalid token', async () => {
    const down = createTokenVerifier(jwksOptions({ jwksUrl: await closedPortUrl() }));
    await expect(rejection(down, await signToken(rsa))).resolves.toBe(
      TokenRejectionReason.JwksUnavailable,
    );
  });

  it('gives up on a JWKS that does not answer within the timeout', async () => {
    const server = await JwksTestServer.start(rsa);
    server.mode = 'hang';
    try {
      const slow = createTokenVerifier(jwksOptions({ jwksUrl: server.url, jwksTimeoutMs: 200 }));
      const started = Date.now();
      await expect(rejection(slow, await signToken(rsa))).resolves.toBe(
        TokenRejectionReason.JwksUnavailable,
      );
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await server.close();
    }
  });

  it('backs off after a failed fetch instead of hammering the gateway, then recovers', async () => {
    const server = await JwksTestServer.start(rsa);
    server.mode = 'fail';
    try {
      const local = createTokenVerifier(jwksOptions({ jwksUrl: server.url }));
      const token = await signToken(rsa);
      for (let i = 0; i < 30; i += 1) {
        await expect(rejection(local, token)).resolves.toBe(TokenRejectionReason.JwksUnavailable);
      }
      expect(server.requests).toBe(1);

      server.mode = 'serve';
      await sleep(1100);
      await expect(local.verify(token)).resolves.toMatchObject({ sub: '123' });
      expect(server.requests).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('keeps verifying cached keys while the gateway is down, without refetching for forged kids', async () => {
    const server = await JwksTestServer.start(rsa);
    try {
      const local = createTokenVerifier(jwksOptions({ jwksUrl: server.url, jwksCooldownMs: 100 }));
      const good = await signToken(rsa);
      await local.verify(good);
      await sleep(150);
      server.mode = 'fail';

      const forged = await signToken(rsa, { header: { kid: 'forged' } });
      await expect(rejection(local, forged)).resolves.toBe(TokenRejectionReason.JwksUnavailable);
      const requestsAfterFailure = server.requests;
      for (let i = 0; i < 20; i += 1) {
        await expect(rejection(local, forged)).resolves.toBe(TokenRejectionReason.JwksUnavailable);
        await expect(local.verify(good)).resolves.toMatchObject({ sub: '123' });
      }
      expect(server.requests).toBe(requestsAfterFailure);
    } finally {
      await server.close();
    }
  });

  it('reports a JWKS endpoint that returns something other than a JWKS as unavailable', async () => {
    const server = await JwksTestServer.start(rsa);
    server.mode = 'garbage';
    try {
      const local = createTokenVerifier(jwksOptions({ jwksUrl: server.url }));
      await expect(rejection(local, await signToken(rsa))).resolves.toBe(
        TokenRejectionReason.JwksUnavailable,
      );
    } finally {
      await server.close();
    }
  });

  it.each([
    ['HS256 in the allow-list', { algorithms: ['HS256'] }],
    ['none in the allow-list', { algorithms: ['none'] }],
    ['an empty allow-list', { algorithms: [] }],
    ['an empty audience list', { audience: [] }],
    ['an empty issuer', { issuer: '' }],
    ['a non-http JWKS URL', { jwksUrl: 'file:///etc/jwks.json' }],
    ['a tolerance of an hour', { clockToleranceSeconds: 3600 }],
    ['a zero timeout', { jwksTimeoutMs: 0 }],
    ['a shared key as well', { sharedKey: 'k'.repeat(40) }],
  ])('refuses to start with %s', (_name, overrides) => {
    const options = { ...jwksOptions(), ...overrides } as JwksVerifierOptions;
    expect(() => createTokenVerifier(options)).toThrow(GatehouseAuthConfigError);
  });
});

describe('createTokenVerifier (legacy shared-key HS256 mode)', () => {
  const sharedKey = 'a-legacy-shared-signing-key-of-40-bytes!';
  const secret = new TextEncoder().encode(sharedKey);
  const verifier = createTokenVerifier({ sharedKey, issuer: ISSUER, audience: AUDIENCE });

  const hs256 = (claims = accessClaims(), key = secret): Promise<string> =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);

  it('accepts an HS256 token signed with the shared key', async () => {
    await expect(verifier.verify(await hs256())).resolves.toMatchObject({
      user_id: 123,
      user_type: 'staff',
    });
  });

  it('refuses RS256, even with a key that would verify in JWKS mode', async () => {
    const rsa = await createSigningKey('RS256');
    await expect(rejection(verifier, await signToken(rsa))).resolves.toBe(
      TokenRejectionReason.DisallowedAlgorithm,
    );
  });

  it('refuses alg none and HS512', async () => {
    const none = craftToken({ alg: 'none' }, accessClaims());
    await expect(rejection(verifier, none)).resolves.toBe(TokenRejectionReason.DisallowedAlgorithm);
    const hs512 = await new SignJWT(accessClaims())
      .setProtectedHeader({ alg: 'HS512' })
      .sign(secret);
    await expect(rejection(verifier, hs512)).resolves.toBe(
      TokenRejectionReason.DisallowedAlgorithm,
    );
  });

  it.each([
    [
      'another key',
      () => hs256(accessClaims(), new TextEncoder().encode('x'.repeat(40))),
      'bad_signature',
    ],
    [
      'an empty signature',
      async () => `${(await hs256()).split('.').slice(0, 2).join('.')}.`,
      'bad_signature',
    ],
    ['a wrong issuer', () => hs256(accessClaims({ iss: 'other' })), 'wrong_issuer'],
    ['a wrong audience', () => hs256(accessClaims({ aud: 'ams' })), 'wrong_audience'],
    ['token_use refresh', () => hs256(accessClaims({ token_use: 'refresh' })), 'wrong_type'],
    ['an expired exp', () => hs256(accessClaims({ exp: 1 })), 'expired'],
  ])('refuses a token with %s', async (_name, token, reason) => {
    await expect(rejection(verifier, await token())).resolves.toBe(reason);
  });

  it('checks issuer and audience only when configured', async () => {
    const bare = createTokenVerifier({ sharedKey });
    const token = await hs256(accessClaims({ iss: undefined, aud: undefined }));
    await expect(bare.verify(token)).resolves.toMatchObject({ sub: '123' });
  });

  it('refuses to start with a shared key shorter than 32 bytes', () => {
    expect(() => createTokenVerifier({ sharedKey: 'your-shared-signing-key' })).toThrow(
      GatehouseAuthConfigError,
    );
  });
});
