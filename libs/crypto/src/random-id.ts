/** Random identifiers and bearer tokens, base64url without padding (URL- and header-safe). */
import { randomBytes } from 'node:crypto';

const MAX_BYTES = 1024;

/** An opaque identifier: unguessable enough not to be enumerable, 16 bytes (22 chars) by default. */
export function randomId(bytes = 16): string {
  return randomBase64Url(bytes, 8);
}

/** A secret (session, reset or API token), 32 bytes (43 chars) by default; never under 16 bytes. */
export function randomToken(bytes = 32): string {
  return randomBase64Url(bytes, 16);
}

function randomBase64Url(bytes: number, minBytes: number): string {
  if (!Number.isInteger(bytes) || bytes < minBytes || bytes > MAX_BYTES) {
    throw new RangeError(
      `byte count must be an integer from ${minBytes} to ${MAX_BYTES}, got ${bytes}`,
    );
  }
  return randomBytes(bytes).toString('base64url');
}
