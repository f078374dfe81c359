import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { exportJWK, type JWK } from 'jose';
import { EnvError } from '@gatehouse/platform/config';
import type { AuthGatewayConfig, JwtAlgorithm } from '../auth-gateway.config';

export interface SigningKey {
  kid: string;
  alg: JwtAlgorithm;
  /** Signs (the current key only). */
  privateKey?: KeyObject;
  /** Verifies: the public key, or the shared secret in HS256 mode. */
  verifyKey: KeyObject;
}

export interface SigningKeySet {
  algorithm: JwtAlgorithm;
  current: SigningKey & { privateKey: KeyObject };
  /** Every key that verifies, current first: previous keys stay here during a rotation. */
  all: SigningKey[];
  /** True when the key was generated at start (development/test without configured keys). */
  ephemeral: boolean;
}

const KID = /^[A-Za-z0-9._-]{1,64}$/;

/** Reads JWT_PRIVATE_KEYS (or JWT_SIGNING_KEY for HS256). Outside development and test a missing
 *  key stops the app: a generated key would differ between replicas and die with the process. */
export function loadSigningKeys(config: AuthGatewayConfig, nodeEnv: string): SigningKeySet {
  const algorithm = config.JWT_ALGORITHM;
  if (algorithm === 'HS256') return sharedKeySet(config.JWT_SIGNING_KEY);
  if (config.JWT_PRIVATE_KEYS === '') {
    if (nodeEnv === 'production') {
      throw new EnvError(
        'JWT_PRIVATE_KEYS',
        `at least one kid:base64(PEM) ${algorithm} key in production`,
        undefined,
      );
    }
    return { algorithm, ...generatedKeySet(algorithm), ephemeral: true };
  }
  const all = config.JWT_PRIVATE_KEYS.split(',').map((entry) =>
    parseEntry(entry.trim(), algorithm),
  );
  const kids = new Set(all.map((key) => key.kid));
  if (kids.size !== all.length) {
    throw new EnvError('JWT_PRIVATE_KEYS', 'distinct key ids', '(duplicate kid)');
  }
  const [first] = all;
  if (!first?.privateKey) throw new EnvError('JWT_PRIVATE_KEYS', 'a signing key first', undefined);
  return { algorithm, current: { ...first, privateKey: first.privateKey }, all, ephemeral: false };
}

function parseEntry(entry: string, algorithm: JwtAlgorithm): SigningKey {
  const separator = entry.indexOf(':');
  const kid = entry.slice(0, separator);
  const expects = `kid:base64(PKCS#8 PEM of a ${algorithm} private key)`;
  if (separator <= 0 || !KID.test(kid))
    throw new EnvError('JWT_PRIVATE_KEYS', expects, '(bad kid)');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(
      Buffer.from(entry.slice(separator + 1), 'base64').toString('utf8'),
    );
  } catch {
    throw new EnvError('JWT_PRIVATE_KEYS', expects, '(unreadable key)');
  }
  if (!matchesAlgorithm(privateKey, algorithm)) {
    throw new EnvError(
      'JWT_PRIVATE_KEYS',
      `${expects}; key ${kid} does not fit ${algorithm}`,
      '(wrong key type)',
    );
  }
  return { kid, alg: algorithm, privateKey, verifyKey: createPublicKey(privateKey) };
}

function matchesAlgorithm(key: KeyObject, algorithm: JwtAlgorithm): boolean {
  switch (algorithm) {
    case 'RS256':
      return (
        key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048
      );
    case 'ES256':
      return (
        key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
      );
    case 'EdDSA':
      return key.asymmetricKeyType === 'ed25519';
    case 'HS256':
      return false;
  }
}

function generatedKeySet(
  algorithm: Exclude<JwtAlgorithm, 'HS256'>,
): Pick<SigningKeySet, 'current' | 'all'> {
  const { privateKey } =
    algorithm === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : algorithm === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        : generateKeyPairSync('ed25519');
  const kid = `dev-${Date.now().toString(36)}`;
  const key = { kid, alg: algorithm, privateKey, verifyKey: createPublicKey(privateKey) };
  return { current: key, all: [key] };
}

function sharedKeySet(secret: string): SigningKeySet {
  if (secret.length < 32) {
    throw new EnvError(
      'JWT_SIGNING_KEY',
      'a shared key of at least 32 characters when JWT_ALGORITHM=HS256',
      secret ? '(too short)' : undefined,
    );
  }
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const signing = { kid: 'shared', alg: 'HS256' as const, privateKey: key, verifyKey: key };
  return { algorithm: 'HS256', current: signing, all: [signing], ephemeral: false };
}

/** The public JWKS: never the shared HS256 secret. */
export async function publicJwks(keys: SigningKeySet): Promise<{ keys: JWK[] }> {
  if (keys.algorithm === 'HS256') return { keys: [] };
  const jwks = await Promise.all(
    keys.all.map(async (key) => ({
      ...(await exportJWK(key.verifyKey)),
      kid: key.kid,
      alg: key.alg,
      use: 'sig',
    })),
  );
  return { keys: jwks };
}
