import { inspect } from 'node:util';
import { CryptoConfigError, CryptoConfigErrorCode } from './crypto.exception';
import { KeyRing } from './key-ring';

const KEY_A = Buffer.alloc(32, 0xa1).toString('base64');
const KEY_B = Buffer.alloc(32, 0xb2).toString('base64');

describe('KeyRing', () => {
  it('uses the first key to encrypt and knows every key id', () => {
    const ring = KeyRing.parse(`new:${KEY_B},old:${KEY_A}`);
    expect(ring.currentKid).toBe('new');
    expect(ring.kids).toEqual(['new', 'old']);
    expect(ring.has('old')).toBe(true);
    expect(ring.has('gone')).toBe(false);
    expect(ring.get('gone')).toBeUndefined();
    expect(ring.get('old')?.export().toString('hex')).toBe('a1'.repeat(32));
    expect(ring.currentKey.export().toString('hex')).toBe('b2'.repeat(32));
  });

  it('does not print key material when logged or serialised', () => {
    const ring = KeyRing.parse(`k1:${KEY_A}`);
    const printed = inspect(ring, { depth: 10 }) + JSON.stringify(ring);
    expect(printed).toContain('k1');
    expect(printed).not.toContain(KEY_A.slice(0, 8));
    expect(printed).not.toContain('a1a1a1');
  });

  it('throws a typed config error for a bad spec', () => {
    expect(() => KeyRing.parse('')).toThrow(CryptoConfigError);
    let caught: unknown;
    try {
      KeyRing.parse(`k1:${KEY_A},k1:${KEY_A}`);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CryptoConfigError);
    expect(caught).toHaveProperty('code', CryptoConfigErrorCode.DuplicateKeyId);
  });
});
