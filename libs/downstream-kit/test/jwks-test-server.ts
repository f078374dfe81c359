/** Test fixtures for downstream-kit specs: a real JWKS endpoint on 127.0.0.1 that counts its
 *  requests and can publish, retire, fail or hang, plus helpers to mint Gatehouse-shaped
 *  tokens. Test-only; not exported from the lib. */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  type KeyLike,
} from 'jose';
import type { JwksAlgorithm } from '../src/token-verifier';

export const ISSUER = 'https://gatehouse.test';
export const AUDIENCE = 'tts';

export interface SigningKey {
  readonly kid: string;
  readonly alg: JwksAlgorithm;
  readonly privateKey: KeyLike;
  readonly publicKey: KeyLike;
  readonly publicJwk: JWK;
}

export async function createSigningKey(alg: JwksAlgorithm): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicKey, publicJwk };
}

/** What the gateway puts in an access token, valid for five minutes from now. */
export function accessClaims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: '123',
    user_id: 123,
    user_type: 'staff',
    tenant_id: 'tenant-a',
    systems: ['TTS', 'AMS'],
    roles: [
      { system: 'TTS', role: 'Technician' },
      { system: 'AMS', role: 'User' },
    ],
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    sid: 'session-1',
    token_use: 'access',
    ...overrides,
  };
}

export interface SignOptions {
  readonly claims?: JWTPayload;
  /** Merged over `{alg, kid, typ: 'at+jwt'}`; a key set to undefined is left out. */
  readonly header?: Partial<JWTHeaderParameters>;
}

export async function signToken(key: SigningKey, options: SignOptions = {}): Promise<string> {
  const header: JWTHeaderParameters = {
    alg: key.alg,
    kid: key.kid,
    typ: 'at+jwt',
    ...options.header,
  };
  for (const name of Object.keys(header)) {
    if (header[name] === undefined) delete header[name];
  }
  return new SignJWT(options.claims ?? accessClaims())
    .setProtectedHeader(header)
    .sign(key.privateKey);
}

export const base64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

/** `header.payload.signature` from parts, for tokens jose refuses to produce. */
export function craftToken(header: unknown, payload: unknown, signature = ''): string {
  return `${base64url(header)}.${base64url(payload)}.${signature}`;
}

/** serve: the JWKS; fail: 500; garbage: 200 with something that is not a JWKS; hang: never
 *  answers. */
export type JwksServerMode = 'serve' | 'fail' | 'garbage' | 'hang';

export class JwksTestServer {
  /** JWKS requests received since start. */
  requests = 0;
  mode: JwksServerMode = 'serve';
  private readonly keys = new Map<string, JWK>();

  private constructor(private readonly server: Server) {}

  static async start(...keys: SigningKey[]): Promise<JwksTestServer> {
    const server = createServer();
    const instance = new JwksTestServer(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => instance.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    keys.forEach((key) => instance.publish(key));
    return instance;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/.well-known/jwks.json`;
  }

  publish(key: SigningKey): void {
    this.keys.set(key.kid, key.publicJwk);
  }

  retire(key: SigningKey): void {
    this.keys.delete(key.kid);
  }

  async close(): Promise<void> {
    // Hanging and keep-alive sockets would otherwise hold close() open until jest's timeout.
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    this.requests += 1;
    switch (this.mode) {
      case 'hang':
        return;
      case 'fail':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('down for maintenance');
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
        return;
      case 'serve':
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ keys: [...this.keys.values()] }));
    }
  }
}

/** A URL where nothing listens: a port we held a moment ago and released. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/.well-known/jwks.json`;
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
