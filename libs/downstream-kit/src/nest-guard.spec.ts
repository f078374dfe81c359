import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, UseGuards, type INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
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
import type { GatehouseClaims } from './gatehouse-claims';
import {
  createGatehouseAuthGuard,
  GatehouseAuthGuard,
  GatehouseAuthModule,
  GatehousePublic,
  GatehouseUser,
} from './nest-guard';
import type { GatehouseAuthHooks } from './http-auth.util';
import type { TokenRejectedError } from './token-rejected.exception';
import type { JwksVerifierOptions } from './token-verifier';

@Controller()
class GuardedController {
  @Get('me')
  @UseGuards(GatehouseAuthGuard)
  me(@GatehouseUser() user: GatehouseClaims | undefined): { user: GatehouseClaims | undefined } {
    return { user };
  }
}

/** For the global-guard set-up: everything guarded unless marked public. */
@Controller()
class MixedController {
  @Get('me')
  me(@GatehouseUser() user: GatehouseClaims | undefined): { sub: string | undefined } {
    return { sub: user?.sub };
  }

  @Get('health')
  @GatehousePublic()
  health(): { ok: boolean } {
    return { ok: true };
  }
}

interface Started {
  readonly app: INestApplication;
  readonly url: string;
}

async function start(
  imports: Parameters<typeof Test.createTestingModule>[0],
  setUp: (app: INestApplication) => void = () => undefined,
): Promise<Started> {
  const moduleRef = await Test.createTestingModule(imports).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  setUp(app);
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

async function call(url: string, headers: Record<string, string> = {}): Promise<[number, string]> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  return [res.status, await res.text()];
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
const AUTH_REQUIRED = '{"error":"Authentication required"}';
const INVALID = '{"error":"Invalid token"}';
const UNAVAILABLE = '{"error":"Auth service unavailable"}';

describe('GatehouseAuthGuard (Nest)', () => {
  let rsa: SigningKey;
  let jwks: JwksTestServer;
  let options: JwksVerifierOptions & GatehouseAuthHooks;
  const started: Started[] = [];
  const reasons: string[] = [];

  beforeAll(async () => {
    rsa = await createSigningKey('RS256');
    jwks = await JwksTestServer.start(rsa);
    options = {
      jwksUrl: jwks.url,
      issuer: ISSUER,
      audience: AUDIENCE,
      onRejected: (error: TokenRejectedError) => reasons.push(error.reason),
    };
  });

  afterAll(async () => {
    await Promise.all(started.map(({ app }) => app.close()));
    await jwks.close();
  });

  beforeEach(() => {
    reasons.length = 0;
  });

  const launch = async (...args: Parameters<typeof start>): Promise<string> => {
    const app = await start(...args);
    started.push(app);
    return app.url;
  };

  describe('with GatehouseAuthModule.forRoot and @UseGuards', () => {
    let url: string;

    beforeAll(async () => {
      url = await launch({
        imports: [GatehouseAuthModule.forRoot(options)],
        controllers: [GuardedController],
      });
    });

    it('accepts a Bearer token and exposes the claims', async () => {
      const claims = accessClaims({ user_id: 9, sub: '9' });
      const [status, text] = await call(`${url}/me`, bearer(await signToken(rsa, { claims })));
      expect(status).toBe(200);
      expect(JSON.parse(text)).toEqual({ user: claims });
    });

    it('accepts the access_token cookie', async () => {
      const [status] = await call(`${url}/me`, { cookie: `access_token=${await signToken(rsa)}` });
      expect(status).toBe(200);
    });

    it('answers exactly {"error":"Authentication required"} without a token', async () => {
      await expect(call(`${url}/me`)).resolves.toEqual([401, AUTH_REQUIRED]);
      expect(reasons).toEqual(['missing']);
    });

    it('ignores a token in the query string', async () => {
      await expect(call(`${url}/me?access_token=${await signToken(rsa)}`)).resolves.toEqual([
        401,
        AUTH_REQUIRED,
      ]);
    });

    it.each<[string, () => Promise<string>, string]>([
      [
        'alg none',
        () => Promise.resolve(craftToken({ alg: 'none' }, accessClaims())),
        'disallowed_algorithm',
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
        'token_use refresh',
        () => signToken(rsa, { claims: accessClaims({ token_use: 'refresh' }) }),
        'wrong_type',
      ],
      [
        'a wrong audience',
        () => signToken(rsa, { claims: accessClaims({ aud: 'hdts' }) }),
        'wrong_audience',
      ],
    ])('answers exactly {"error":"Invalid token"} to %s', async (_name, token, reason) => {
      await expect(call(`${url}/me`, bearer(await token()))).resolves.toEqual([401, INVALID]);
      expect(reasons).toEqual([reason]);
    });
  });

  describe('as a global guard (APP_GUARD) with forRootAsync', () => {
    let url: string;

    beforeAll(async () => {
      url = await launch({
        imports: [GatehouseAuthModule.forRootAsync({ useFactory: () => options })],
        controllers: [MixedController],
        providers: [{ provide: APP_GUARD, useExisting: GatehouseAuthGuard }],
      });
    });

    it('guards routes that say nothing', async () => {
      await expect(call(`${url}/me`)).resolves.toEqual([401, AUTH_REQUIRED]);
      await expect(call(`${url}/me`, bearer(await signToken(rsa)))).resolves.toEqual([
        200,
        '{"sub":"123"}',
      ]);
    });

    it('lets @GatehousePublic routes through without a token', async () => {
      await expect(call(`${url}/health`)).resolves.toEqual([200, '{"ok":true}']);
    });
  });

  describe('with createGatehouseAuthGuard and a JWKS that is down', () => {
    let url: string;

    beforeAll(async () => {
      const guard = createGatehouseAuthGuard({ ...options, jwksUrl: await closedPortUrl() });
      url = await launch({ controllers: [MixedController] }, (app) => {
        app.useGlobalGuards(guard);
      });
    });

    it('answers 503 {"error":"Auth service unavailable"}', async () => {
      await expect(call(`${url}/me`, bearer(await signToken(rsa)))).resolves.toEqual([
        503,
        UNAVAILABLE,
      ]);
      expect(reasons).toEqual(['jwks_unavailable']);
    });

    it('still answers 401 Authentication required when there is no token at all', async () => {
      await expect(call(`${url}/me`)).resolves.toEqual([401, AUTH_REQUIRED]);
    });
  });
});
