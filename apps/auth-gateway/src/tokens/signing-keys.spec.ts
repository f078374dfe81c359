import { generateKeyPairSync } from 'node:crypto';
import { EnvError } from '@gatehouse/platform/config';
import { loadAuthGatewayConfig } from '../auth-gateway.config';
import { loadSigningKeys, publicJwks } from './signing-keys';

function pemEntry(kid: string, type: 'rsa' | 'ec' | 'ed25519'): string {
  const { privateKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        : generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return `${kid}:${Buffer.from(pem).toString('base64')}`;
}

function thrown(work: () => unknown): EnvError {
  try {
    work();
  } catch (error: unknown) {
    if (error instanceof EnvError) return error;
    throw error;
  }
  throw new Error('expected an EnvError');
}

describe('loadSigningKeys', () => {
  it('generates a key in development and refuses to in production', () => {
    const config = loadAuthGatewayConfig({});
    expect(loadSigningKeys(config, 'development').ephemeral).toBe(true);
    expect(thrown(() => loadSigningKeys(config, 'production')).variable).toBe('JWT_PRIVATE_KEYS');
  });

  it('signs with the first configured key and verifies with all of them', async () => {
    const config = loadAuthGatewayConfig({
      JWT_PRIVATE_KEYS: `${pemEntry('new', 'rsa')},${pemEntry('old', 'rsa')}`,
    });
    const keys = loadSigningKeys(config, 'production');
    expect(keys.current.kid).toBe('new');
    expect(keys.all.map((key) => key.kid)).toEqual(['new', 'old']);
    const jwks = await publicJwks(keys);
    expect(jwks.keys.map((key) => [key.kid, key.alg, key.use, key.kty])).toEqual([
      ['new', 'RS256', 'sig', 'RSA'],
      ['old', 'RS256', 'sig', 'RSA'],
    ]);
    expect(JSON.stringify(jwks)).not.toMatch(/"d":/);
  });

  it.each([
    ['ES256', 'ec'],
    ['EdDSA', 'ed25519'],
  ] as const)('accepts %s keys of the right type', (algorithm, type) => {
    const config = loadAuthGatewayConfig({
      JWT_ALGORITHM: algorithm,
      JWT_PRIVATE_KEYS: pemEntry('k', type),
    });
    expect(loadSigningKeys(config, 'production').algorithm).toBe(algorithm);
  });

  it('refuses a key that does not fit the algorithm, a duplicate kid and garbage, without echoing keys', () => {
    const ec = pemEntry('k', 'ec');
    const wrongType = thrown(() =>
      loadSigningKeys(loadAuthGatewayConfig({ JWT_PRIVATE_KEYS: ec }), 'production'),
    );
    expect(wrongType.message).toContain('does not fit RS256');
    expect(wrongType.message).not.toContain(ec.slice(2, 40));
    const rsa = pemEntry('k', 'rsa');
    expect(
      thrown(() =>
        loadSigningKeys(loadAuthGatewayConfig({ JWT_PRIVATE_KEYS: `${rsa},${rsa}` }), 'production'),
      ).message,
    ).toContain('distinct key ids');
    expect(
      thrown(() =>
        loadSigningKeys(
          loadAuthGatewayConfig({ JWT_PRIVATE_KEYS: 'k:bm90IGEga2V5' }),
          'production',
        ),
      ).message,
    ).toContain('JWT_PRIVATE_KEYS is invalid');
  });

  it('needs a long shared key in HS256 mode and never publishes it', async () => {
    expect(
      thrown(() =>
        loadSigningKeys(
          loadAuthGatewayConfig({ JWT_ALGORITHM: 'HS256', JWT_SIGNING_KEY: 'short' }),
          'test',
        ),
      ).variable,
    ).toBe('JWT_SIGNING_KEY');
    const keys = loadSigningKeys(
      loadAuthGatewayConfig({ JWT_ALGORITHM: 'HS256', JWT_SIGNING_KEY: 'x'.repeat(32) }),
      'production',
    );
    await expect(publicJwks(keys)).resolves.toEqual({ keys: [] });
  });
});
