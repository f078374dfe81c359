/** The `GATEHOUSE_SECRET_KEYS` format, `kid:base64key[,kid2:base64key2...]`: parsing it and minting
 *  new entries. A value that fails to parse is never echoed back, because a misplaced separator can
 *  put key bytes where a key id was expected. */
import { randomBytes } from 'node:crypto';
import { CryptoConfigError, CryptoConfigErrorCode } from './crypto.exception';
import { decodeBase64Strict } from './strict-base64';

export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const SECRET_KEY_BYTES = 32;

export interface KeySpecEntry {
  readonly kid: string;
  readonly key: Buffer;
}

/** Entries in spec order (the first one is the encryption key). Whitespace around entries is ignored. */
export function parseKeySpec(spec: string): KeySpecEntry[] {
  if (spec.trim() === '') {
    throw new CryptoConfigError(
      CryptoConfigErrorCode.EmptySpec,
      'GATEHOUSE_SECRET_KEYS is empty; expected "kid:base64key[,kid2:base64key2...]"',
    );
  }
  const seen = new Set<string>();
  return spec.split(',').map((raw, index) => {
    const entry = parseEntry(raw.trim(), index + 1);
    if (seen.has(entry.kid)) {
      throw new CryptoConfigError(
        CryptoConfigErrorCode.DuplicateKeyId,
        `GATEHOUSE_SECRET_KEYS entry ${index + 1}: key id "${entry.kid}" appears more than once`,
      );
    }
    seen.add(entry.kid);
    return entry;
  });
}

/** A fresh `kid:base64key` entry with a random 256-bit key, to prepend to the spec when rotating. */
export function generateKeySpec(kid: string): string {
  assertKeyId(kid, 'generateKeySpec');
  return `${kid}:${randomBytes(SECRET_KEY_BYTES).toString('base64')}`;
}

function parseEntry(entry: string, position: number): KeySpecEntry {
  const where = `GATEHOUSE_SECRET_KEYS entry ${position}`;
  const colon = entry.indexOf(':');
  if (colon < 0) {
    throw new CryptoConfigError(
      CryptoConfigErrorCode.MalformedEntry,
      entry === '' ? `${where} is empty` : `${where} has no ':' between key id and key`,
    );
  }
  const kid = entry.slice(0, colon);
  assertKeyId(kid, where);
  const key = decodeBase64Strict(entry.slice(colon + 1));
  if (!key) {
    throw new CryptoConfigError(
      CryptoConfigErrorCode.InvalidBase64,
      `${where} (key id "${kid}"): key is not valid standard base64`,
    );
  }
  if (key.length !== SECRET_KEY_BYTES) {
    throw new CryptoConfigError(
      CryptoConfigErrorCode.WrongKeyLength,
      `${where} (key id "${kid}"): key is ${key.length} bytes, expected ${SECRET_KEY_BYTES}`,
    );
  }
  return { kid, key };
}

function assertKeyId(kid: string, where: string): void {
  if (!KEY_ID_PATTERN.test(kid)) {
    throw new CryptoConfigError(
      CryptoConfigErrorCode.InvalidKeyId,
      `${where}: key id must match [A-Za-z0-9_-]{1,32}`,
    );
  }
}
