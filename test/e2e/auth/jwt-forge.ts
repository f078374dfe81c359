import { execFile } from 'node:child_process';
import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Builds JWTs by hand (no JWT library) so tests can forge exactly the token they need: other
 *  algorithms, claims, headers, or no signature at all. */

export type JwtHeader = Record<string, unknown>;
export type JwtPayload = Record<string, unknown>;

export interface DecodedJwt {
  header: JwtHeader;
  payload: JwtPayload;
  /** `base64url(header).base64url(payload)`, the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

export function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

function parseSegment(segment: string | undefined): Record<string, unknown> {
  const parsed: unknown = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('JWT segment is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

export function decodeJwt(token: string): DecodedJwt {
  const [header, payload, signature] = token.split('.');
  return {
    header: parseSegment(header),
    payload: parseSegment(payload),
    signingInput: `${header}.${payload}`,
    signature: Buffer.from(signature ?? '', 'base64url'),
  };
}

/** The signing key of a forged token: an RSA or EC private key, an HMAC secret, or none. */
export type ForgeKey =
  | { kind: 'asymmetric'; key: KeyObject }
  | { kind: 'hmac'; secret: string | Buffer }
  | { kind: 'none' };

const DIGESTS: Record<string, string> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  ES256: 'sha256',
  HS256: 'sha256',
  HS512: 'sha512',
};

/** Signs `header.payload` as `header.alg` says, with whatever key the test hands over. */
export function forgeJwt(header: JwtHeader, payload: JwtPayload, key: ForgeKey): string {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const digest = DIGESTS[String(header.alg)] ?? 'sha256';
  let signature: Buffer;
  switch (key.kind) {
    case 'none':
      signature = Buffer.alloc(0);
      break;
    case 'hmac':
      signature = createHmac(digest, key.secret).update(signingInput).digest();
      break;
    case 'asymmetric':
      signature = sign(digest, Buffer.from(signingInput), {
        key: key.key,
        dsaEncoding: 'ieee-p1363',
      });
      break;
  }
  return `${signingInput}.${base64url(signature)}`;
}

export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** `base64(PKCS#8 PEM)`, the form JWT_PRIVATE_KEYS expects after `kid:`. */
  envValue: string;
}

export function generateRsaKey(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  return { privateKey, publicKey, envValue: Buffer.from(pem).toString('base64') };
}

export interface OpensslResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Verifies an RS256 signature with the openssl CLI (not our code, not a JS library): writes the
 *  public key PEM, the signing input and the raw signature to a temporary folder, then runs
 *  `openssl dgst -sha256 -verify`. */
export async function opensslVerifyRs256(
  publicKeyPem: string,
  signingInput: string,
  signature: Buffer,
): Promise<OpensslResult> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-jwt-'));
  try {
    const pub = join(dir, 'pub.pem');
    const data = join(dir, 'data.txt');
    const sig = join(dir, 'sig.bin');
    await writeFile(pub, publicKeyPem);
    await writeFile(data, signingInput);
    await writeFile(sig, signature);
    return await new Promise<OpensslResult>((resolve, reject) => {
      execFile(
        'openssl',
        ['dgst', '-sha256', '-verify', pub, '-signature', sig, data],
        { timeout: 10000 },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== 'number') {
            reject(new Error(`openssl could not run: ${error.message}`));
            return;
          }
          resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
        },
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
