/** Canonical-only base64 decoding. `Buffer.from(s, 'base64')` skips characters it does not know and
 *  ignores stray trailing bits, so a corrupted value still decodes to *something*; these helpers
 *  return undefined unless the input is exactly the encoding of the bytes it decodes to. */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Standard alphabet, with padding (what `Buffer#toString('base64')` and `openssl rand -base64` give). */
export function decodeBase64Strict(value: string): Buffer | undefined {
  if (!BASE64.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64') === value ? bytes : undefined;
}

/** URL-safe alphabet, without padding (RFC 4648 section 5). */
export function decodeBase64UrlStrict(value: string): Buffer | undefined {
  if (!BASE64URL.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64url');
  return bytes.toString('base64url') === value ? bytes : undefined;
}
