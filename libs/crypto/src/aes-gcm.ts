/** AES-256-GCM with a caller-supplied IV: the primitive under SecretBox, kept apart so the
 *  McGrew-Viega vectors can pin it with their fixed IVs. Not exported from the package: an IV
 *  reused under one key breaks GCM, so only SecretBox, which draws a random IV each time, calls it. */
import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';

export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;

type AesKey = KeyObject | Buffer;

/** Returns ciphertext || 16-byte tag. */
export function aesGcmSeal(key: AesKey, iv: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  assertIv(iv);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Inverse of aesGcmSeal; undefined when the tag does not verify (no partial plaintext escapes). */
export function aesGcmOpen(
  key: AesKey,
  iv: Buffer,
  sealed: Buffer,
  aad: Buffer,
): Buffer | undefined {
  assertIv(iv);
  if (sealed.length < GCM_TAG_BYTES) return undefined;
  const tagStart = sealed.length - GCM_TAG_BYTES;
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(tagStart));
  const body = decipher.update(sealed.subarray(0, tagStart));
  try {
    return Buffer.concat([body, decipher.final()]);
  } catch {
    body.fill(0);
    return undefined;
  }
}

function assertIv(iv: Buffer): void {
  if (iv.length !== GCM_IV_BYTES) {
    throw new RangeError(`AES-GCM IV must be ${GCM_IV_BYTES} bytes, got ${iv.length}`);
  }
}
