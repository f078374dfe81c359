import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import cookieParser from 'cookie-parser';
import express, { type RequestHandler, type Response } from 'express';
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
  type SigningKey,
} from '../test/jwks-test-server';
import { gatehouseAuth, gatehouseAuthWith, type GatehouseRequest } from './express-middleware';
import type { TokenRejectedError } from './token-rejected.exception';

interface TestApp {
  readonly url: string;
  readonly server: Server;
}

async function startApp(auth: RequestHandler, withCookieParser = false): Promise<TestApp> {
  const app = express();
  if (withCookieParser) app.use(cookieParser());
  app.use(auth);
  app.get('/me', (req: GatehouseRequest, res: Response) => {
    res.json({ user: req.user, user_id: req.user_id, user_type: req.user_type });
  });
  app.get('/public/health', (_req, res: Response) => {
    res.json({ ok: true });
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

async function stopApp(app: TestApp | undefined): Promise<void> {
  if (app === undefined) return;
  app.server.closeAllConnections();
  await new Promise<void>((resolve) => app.server.close(() => resolve()));
}

interface Reply {
  readonly status: number;
  readonly text: string;
}

async function call(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  return { status: res.status, text: await res.text() };
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
const AUTH_REQUIRED = '{"error":"Authentication required"}';
const INVALID = '{"error":"Invalid token"}';

describe('gatehouseAuth (Express)', () => {
  let rsa: SigningKey;
  let jwks: JwksTestServer;
  let app: TestApp | undefined;
  let parsedCookiesApp: TestApp | undefined;
  let downApp: TestApp | undefined;
  const reasons: string[] = [];

  beforeAll(async () => {
    rsa = await createSigningKey('RS256');
    jwks = await JwksTestServer.start(rsa);
    const options = { jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE };
    app = await startApp(
      gatehouseAuth({
        ...options,
        skip: (req) => req.path.startsWith('/public/'),
        onRejected: (error: TokenRejectedError) => reasons.push(error.reason),
      }),
    );
    parsedCookiesApp = await startApp(gatehouseAuth(options), true);
    downApp = await startApp(gatehouseAuth({ ...options, jwksUrl: await closedPortUrl() }));
  });

  afterAll(async () => {
    await Promise.all([stopApp(app), stopApp(parsedCookiesApp), stopApp(downApp)]);
    await jwks.close();
  });

  beforeEach(() => {
    reasons.length = 0;
  });

  const appUrl = (path: string): string => `${app?.url ?? 'http://app-not-started'}${path}`;

  it('accepts a Bearer token and puts the claims on the request', async () => {
    const claims = accessClaims({ user_id: 7, sub: '7', user_type: 'employee' });
    const reply = await call(appUrl('/me'), bearer(await signToken(rsa, { claims })));

    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({ user: claims, user_id: 7, user_type: 'employee' });
  });

  it('accepts the access_token cookie without cookie-parser', async () => {
    const cookie = `theme=dark; access_token=${await signToken(rsa)}; lang=en`;
    const reply = await call(appUrl('/me'), { cookie });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toMatchObject({ user_id: 123, user_type: 'staff' });
  });

  it('accepts the access_token cookie through cookie-parser', async () => {
    const reply = await call(`${parsedCookiesApp?.url ?? ''}/me`, {
      cookie: `access_token=${await signToken(rsa)}`,
    });
    expect(reply.status).toBe(200);
  });

  it('prefers the cookie over the Authorization header, as the integration guide does', async () => {
    const reply = await call(appUrl('/me'), {
      cookie: `access_token=${await signToken(rsa)}`,
      authorization: 'Bearer not-a-token',
    });
    expect(reply.status).toBe(200);
  });

  it.each([
    ['no credentials', {}],
    ['a Basic Authorization header', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an empty Bearer', { authorization: 'Bearer ' }],
    ['an empty access_token cookie', { cookie: 'access_token=' }],
  ])('answers 401 Authentication required to %s', async (_name, headers) => {
    const reply = await call(appUrl('/me'), headers);
    expect(reply).toEqual({ status: 401, text: AUTH_REQUIRED });
    expect(reasons).toEqual(['missing']);
  });

  it('ignores a token in the query string', async () => {
    const token = await signToken(rsa);
    const reply = await call(appUrl(`/me?access_token=${token}&token=${token}`));
    expect(reply).toEqual({ status: 401, text: AUTH_REQUIRED });
  });

  const now = (): number => Math.floor(Date.now() / 1000);

  it.each<[string, () => Promise<string>, string]>([
    [
      'alg none',
      () => Promise.resolve(craftToken({ alg: 'none' }, accessClaims())),
      'disallowed_algorithm',
    ],
    [
      'an empty signature',
      async () => `${(await signToken(rsa)).split('.').slice(0, 2).join('.')}.`,
      'bad_signature',
    ],
    [
      'HS256 signed with the RSA public key PEM',
      async () =>
        new SignJWT(accessClaims())
          .setProtectedHeader({ alg: 'HS256', kid: rsa.kid, typ: 'at+jwt' })
          .sign(new TextEncoder().encode(await exportSPKI(rsa.publicKey))),
      'disallowed_algorithm',
    ],
    [
      'a wrong iss',
      () => signToken(rsa, { claims: accessClaims({ iss: 'https://x.test' }) }),
      'wrong_issuer',
    ],
    [
      'a wrong aud',
      () => signToken(rsa, { claims: accessClaims({ aud: 'bms' }) }),
      'wrong_audience',
    ],
    [
      'an expired exp',
      () => signToken(rsa, { claims: accessClaims({ exp: now() - 30 }) }),
      'expired',
    ],
    [
      'a future nbf',
      () => signToken(rsa, { claims: accessClaims({ nbf: now() + 30 }) }),
      'not_yet_valid',
    ],
    [
      'token_use refresh',
      () => signToken(rsa, { claims: accessClaims({ token_use: 'refresh' }) }),
      'wrong_type',
    ],
    ['no typ', () => signToken(rsa, { header: { typ: undefined } }), 'wrong_type'],
    [
      'a jku header',
      () => signToken(rsa, { header: { jku: 'http://127.0.0.1:1/k' } }),
      'malformed',
    ],
    ['an unknown kid', () => signToken(rsa, { header: { kid: 'nobody' } }), 'unknown_key'],
  ])('answers 401 Invalid token to %s', async (_name, token, reason) => {
    const reply = await call(appUrl('/me'), bearer(await token()));
    expect(reply).toEqual({ status: 401, text: INVALID });
    expect(reasons).toEqual([reason]);
  });

  it('lets skipped routes through without a token', async () => {
    await expect(call(appUrl('/public/health'))).resolves.toEqual({
      status: 200,
      text: '{"ok":true}',
    });
  });

  it('answers 503 Auth service unavailable when the JWKS cannot be fetched', async () => {
    const reply = await call(`${downApp?.url ?? ''}/me`, bearer(await signToken(rsa)));
    expect(reply).toEqual({ status: 503, text: '{"error":"Auth service unavailable"}' });
  });

  it('hands an unexpected verifier failure to the error handler (500), not a 401', async () => {
    const broken = await startApp(
      gatehouseAuthWith({ verify: () => Promise.reject(new Error('bug in a custom verifier')) }),
    );
    try {
      const reply = await call(`${broken.url}/me`, bearer('a.b.c'));
      expect(reply.status).toBe(500);
    } finally {
      await stopApp(broken);
    }
  });
});
