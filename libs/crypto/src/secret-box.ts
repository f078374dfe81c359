/** Encrypts short secrets for storage (LDAP bind passwords, client API credentials) with
 *  AES-256-GCM under a KeyRing. Associated data binds a ciphertext to where it lives, e.g.
 *  `tenant:1/ldap_config:bindPassword`, so it cannot be copied to another row and still decrypt.
 *  Omitted associated data is the empty string. */
import { randomBytes } from 'node:crypto';
import { aesGcmOpen, aesGcmSeal, GCM_IV_BYTES } from './aes-gcm';
import { DecryptionError, DecryptionFailureReason } from './crypto.exception';
import { type KeyRing } from './key-ring';
import { envelopeAad, formatEnvelope, parseEnvelope } from './secret-envelope';

export class SecretBox {
  constructor(private readonly keyRing: KeyRing) {}

  /** Seals under the ring's current key with a fresh random 12-byte IV. */
  encrypt(plaintext: string, associatedData = ''): string {
    const kid = this.keyRing.currentKid;
    const iv = randomBytes(GCM_IV_BYTES);
    const aad = envelopeAad(kid, associatedData);
    const sealed = aesGcmSeal(this.keyRing.currentKey, iv, Buffer.from(plaintext, 'utf8'), aad);
    return formatEnvelope({ kid, iv, sealed });
  }

  /** Throws DecryptionError (see its `reason`) rather than ever returning unauthenticated text. */
  decrypt(ciphertext: string, associatedData = ''): string {
    const { kid, iv, sealed } = parseEnvelope(ciphertext);
    const key = this.keyRing.get(kid);
    if (!key) {
      throw new DecryptionError(
        DecryptionFailureReason.UnknownKey,
        `ciphertext was sealed with key id "${kid}", which is not in the key ring`,
      );
    }
    const plaintext = aesGcmOpen(key, iv, sealed, envelopeAad(kid, associatedData));
    if (!plaintext) {
      throw new DecryptionError(
        DecryptionFailureReason.AuthenticationFailed,
        'ciphertext failed authentication: altered, sealed with another key, or other associated data',
      );
    }
    return plaintext.toString('utf8');
  }

  /** True when not sealed under the current key. Reads the header only, without authenticating;
   *  throws DecryptionError when the string is not a ciphertext at all. */
  needsReencrypt(ciphertext: string): boolean {
    return parseEnvelope(ciphertext).kid !== this.keyRing.currentKid;
  }

  /** Decrypts (authenticating) and seals again under the current key with a fresh IV. */
  reencrypt(ciphertext: string, associatedData = ''): string {
    return this.encrypt(this.decrypt(ciphertext, associatedData), associatedData);
  }
}
