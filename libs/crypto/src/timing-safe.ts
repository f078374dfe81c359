/** String equality whose running time does not depend on where, or whether, the strings differ.
 *  Both sides are HMACed under a per-process random key and the 32-byte digests are compared with
 *  crypto.timingSafeEqual, so there is no early return on length (node's own timingSafeEqual
 *  throws on unequal lengths). Strings are hashed as UTF-16 code units, so distinct strings with
 *  lone surrogates cannot collapse to the same UTF-8 bytes. */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const COMPARISON_KEY = randomBytes(32);

export function timingSafeEqualString(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

function digest(value: string): Buffer {
  return createHmac('sha256', COMPARISON_KEY).update(value, 'utf16le').digest();
}
