/** HMAC-SHA256 signatures as lowercase hex (64 characters), the form webhook headers and RFC 4231
 *  use. hmacVerify accepts either hex case and compares the decoded bytes in constant time. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CryptoConfigError, CryptoConfigErrorCode } from './crypto.exception';

/** A string key is used as its UTF-8 bytes. */
export type HmacKey = Buffer | string;

const SIGNATURE_HEX = /^[0-9a-fA-F]{64}$/;

export function hmacSign(key: HmacKey, message: string | Buffer): string {
  return digest(key, message).toString('hex');
}

/** False, never a throw, for a signature of the wrong length or not hex. */
export function hmacVerify(key: HmacKey, message: string | Buffer, signature: string): boolean {
  const expected = digest(key, message);
  if (!SIGNATURE_HEX.test(signature)) return false;
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

function digest(key: HmacKey, message: string | Buffer): Buffer {
  // An empty key is almost always an unset secret; signing with it would look like it worked.
  if (key.length === 0) {
    throw new CryptoConfigError(CryptoConfigErrorCode.EmptyHmacKey, 'HMAC key must not be empty');
  }
  return createHmac('sha256', key).update(message).digest();
}
