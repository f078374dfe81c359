import { createDecipheriv } from 'node:crypto';
import { DecryptionError, DecryptionFailureReason } from './crypto.exception';
import { KeyRing } from './key-ring';
import { SecretBox } from './secret-box';

const K1 = Buffer.alloc(32, 0x11);
const K2 = Buffer.alloc(32, 0x22);
const entry = (kid: string, key: Buffer): string => `${kid}:${key.toString('base64')}`;
const boxOf = (...entries: string[]): SecretBox => new SecretBox(KeyRing.parse(entries.join(',')));

const AD = 'tenant:1/ldap_config:bindPassword';
const SECRET = 'cn=admin bind pässwörd 🔑';
const FORMAT = /^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/;

function failure(run: () => unknown): DecryptionError {
  try {
    run();
  } catch (error) {
    if (error instanceof DecryptionError) return error;
    throw error;
  }
  throw new Error('expected a DecryptionError, but decryption succeeded');
}

/** Flips one bit of one byte of the IV (field 2) or the body (field 3) and re-encodes it. */
function flipBit(ciphertext: string, field: 2 | 3, byteIndex: number): string {
  const fields = ciphertext.split('.');
  const bytes = Buffer.from(fields[field] ?? '', 'base64url');
  const index = byteIndex < 0 ? bytes.length + byteIndex : byteIndex;
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  fields[field] = bytes.toString('base64url');
  return fields.join('.');
}

function withBody(ciphertext: string, edit: (body: Buffer) => Buffer): string {
  const fields = ciphertext.split('.');
  fields[3] = edit(Buffer.from(fields[3] ?? '', 'base64url')).toString('base64url');
  return fields.join('.');
}

describe('SecretBox', () => {
  const box = boxOf(entry('k1', K1));

  it('round-trips text, with and without associated data', () => {
    expect(box.decrypt(box.encrypt(SECRET, AD), AD)).toBe(SECRET);
    expect(box.decrypt(box.encrypt(SECRET))).toBe(SECRET);
    expect(box.decrypt(box.encrypt(''))).toBe('');
  });

  it('writes v1.<kid>.<iv>.<body> with a 12-byte IV and a 16-byte tag', () => {
    const ciphertext = box.encrypt(SECRET, AD);
    expect(ciphertext).toMatch(FORMAT);
    const [, , iv, body] = ciphertext.split('.');
    expect(Buffer.from(iv ?? '', 'base64url')).toHaveLength(12);
    expect(Buffer.from(body ?? '', 'base64url')).toHaveLength(Buffer.byteLength(SECRET) + 16);
  });

  it('can be opened by a plain AES-256-GCM implementation with AAD "v1.<kid>.<ad>"', () => {
    const [, kid, iv, body] = box.encrypt(SECRET, AD).split('.');
    const sealed = Buffer.from(body ?? '', 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', K1, Buffer.from(iv ?? '', 'base64url'));
    decipher.setAAD(Buffer.from(`v1.${kid}.${AD}`, 'utf8'));
    decipher.setAuthTag(sealed.subarray(-16));
    const plain = Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]);
    expect(plain.toString('utf8')).toBe(SECRET);
  });

  it('uses a fresh IV for every encryption', () => {
    const ivs = new Set(Array.from({ length: 50 }, () => box.encrypt(SECRET).split('.')[2]));
    expect(ivs.size).toBe(50);
  });

  describe('refuses altered or misdirected ciphertexts', () => {
    const ciphertext = box.encrypt(SECRET, AD);
    const authFailures: Array<[string, string, string]> = [
      ['a flipped IV bit', flipBit(ciphertext, 2, 0), AD],
      ['a flipped ciphertext bit', flipBit(ciphertext, 3, 0), AD],
      ['a flipped tag bit', flipBit(ciphertext, 3, -1), AD],
      ['the last byte cut off', withBody(ciphertext, (b) => b.subarray(0, -1)), AD],
      ['a byte appended', withBody(ciphertext, (b) => Buffer.concat([b, Buffer.alloc(1)])), AD],
      ['other associated data', ciphertext, 'tenant:2/ldap_config:bindPassword'],
      ['missing associated data', ciphertext, ''],
    ];

    it.each(authFailures)('%s', (_name, altered, ad) => {
      expect(failure(() => box.decrypt(altered, ad)).reason).toBe(
        DecryptionFailureReason.AuthenticationFailed,
      );
    });

    it('a ciphertext from another key ring using the same key id', () => {
      const other = boxOf(entry('k1', K2));
      expect(failure(() => other.decrypt(ciphertext, AD)).reason).toBe(
        DecryptionFailureReason.AuthenticationFailed,
      );
    });

    it('a ciphertext relabelled with another key id of the same ring', () => {
      const ring = boxOf(entry('k1', K1), entry('k1b', K1));
      const relabelled = ciphertext.replace(/^v1\.k1\./, 'v1.k1b.');
      expect(failure(() => ring.decrypt(relabelled, AD)).reason).toBe(
        DecryptionFailureReason.AuthenticationFailed,
      );
    });

    it('an unknown key id, named in the message', () => {
      const error = failure(() => boxOf(entry('k9', K1)).decrypt(ciphertext, AD));
      expect(error.reason).toBe(DecryptionFailureReason.UnknownKey);
      expect(error.message).toBe(
        'ciphertext was sealed with key id "k1", which is not in the key ring',
      );
    });

    it('an unknown version', () => {
      const error = failure(() => box.decrypt(ciphertext.replace(/^v1\./, 'v2.'), AD));
      expect(error.reason).toBe(DecryptionFailureReason.UnsupportedVersion);
      expect(error.message).toContain('"v2"');
    });

    const [, , iv, body] = ciphertext.split('.');
    const malformed: Array<[string, string]> = [
      ['empty string', ''],
      ['plain text', 'hunter2'],
      ['the IV cut short', `v1.k1.${iv?.slice(0, 10)}.${body}`],
      ['the body cut to 3 bytes', ciphertext.slice(0, ciphertext.indexOf('.', 6) + 5)],
      ['the body field dropped', `v1.k1.${iv}`],
      ['an empty body', `v1.k1.${iv}.`],
      ['a body shorter than the tag', `v1.k1.${iv}.${Buffer.alloc(15).toString('base64url')}`],
      ['a fifth field', `${ciphertext}.x`],
      ['an 8-byte IV', `v1.k1.${Buffer.alloc(8).toString('base64url')}.${body}`],
      ['padding in the body', `${ciphertext}=`],
      ['a standard-base64 character in the body', `v1.k1.${iv}.+${body?.slice(1)}`],
      ['an invalid key id', `v1.k!1.${iv}.${body}`],
      ['surrounding whitespace', ` ${ciphertext}`],
    ];

    it.each(malformed)('malformed: %s', (_name, text) => {
      const error = failure(() => box.decrypt(text, AD));
      expect(error.reason).toBe(DecryptionFailureReason.Malformed);
      expect(error.message).toMatch(/^malformed ciphertext: /);
    });

    it('every truncation of the string', () => {
      for (let length = 0; length < ciphertext.length; length += 1) {
        expect([
          DecryptionFailureReason.Malformed,
          DecryptionFailureReason.AuthenticationFailed,
        ]).toContain(failure(() => box.decrypt(ciphertext.slice(0, length), AD)).reason);
      }
    });
  });

  describe('key rotation', () => {
    const ringA = boxOf(entry('k1', K1));
    const ringB = boxOf(entry('k2', K2), entry('k1', K1));
    const oldCiphertext = ringA.encrypt(SECRET, AD);

    it('decrypts an old-key ciphertext with the new ring and flags it for re-encryption', () => {
      expect(ringB.decrypt(oldCiphertext, AD)).toBe(SECRET);
      expect(ringB.needsReencrypt(oldCiphertext)).toBe(true);
      expect(ringA.needsReencrypt(oldCiphertext)).toBe(false);
    });

    it('reencrypt yields a current-key ciphertext that only the new ring can read', () => {
      const fresh = ringB.reencrypt(oldCiphertext, AD);
      expect(fresh).toMatch(/^v1\.k2\./);
      expect(ringB.needsReencrypt(fresh)).toBe(false);
      expect(ringB.decrypt(fresh, AD)).toBe(SECRET);
      expect(failure(() => ringA.decrypt(fresh, AD)).reason).toBe(
        DecryptionFailureReason.UnknownKey,
      );
    });

    it('reencrypt authenticates first: wrong associated data is refused', () => {
      expect(failure(() => ringB.reencrypt(oldCiphertext, 'tenant:2/x')).reason).toBe(
        DecryptionFailureReason.AuthenticationFailed,
      );
    });

    it('needsReencrypt refuses a string that is not a ciphertext', () => {
      expect(failure(() => ringB.needsReencrypt('not-a-ciphertext')).reason).toBe(
        DecryptionFailureReason.Malformed,
      );
    });
  });
});
