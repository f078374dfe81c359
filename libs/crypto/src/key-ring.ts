/** The AES-256 keys SecretBox may use, by key id. The first key of the spec encrypts; every key
 *  decrypts, so a new key can be prepended while old ciphertexts stay readable. Keys are held as
 *  KeyObjects, which neither `console.log` nor `JSON.stringify` print. */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { CryptoConfigError, CryptoConfigErrorCode } from './crypto.exception';
import { parseKeySpec } from './key-spec';

export class KeyRing {
  private constructor(
    private readonly keys: ReadonlyMap<string, KeyObject>,
    /** The key id new ciphertexts are sealed under. */
    readonly currentKid: string,
    readonly currentKey: KeyObject,
  ) {}

  /** Parses the value of `GATEHOUSE_SECRET_KEYS`; throws CryptoConfigError when it is unusable. */
  static parse(spec: string): KeyRing {
    const keys = new Map<string, KeyObject>();
    for (const { kid, key } of parseKeySpec(spec)) {
      keys.set(kid, createSecretKey(key));
      key.fill(0); // createSecretKey copied it; do not leave a second copy on the heap
    }
    const [current] = keys;
    if (!current) {
      throw new CryptoConfigError(
        CryptoConfigErrorCode.EmptySpec,
        'GATEHOUSE_SECRET_KEYS is empty',
      );
    }
    return new KeyRing(keys, current[0], current[1]);
  }

  /** Key ids in spec order; safe to log. */
  get kids(): readonly string[] {
    return [...this.keys.keys()];
  }

  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  get(kid: string): KeyObject | undefined {
    return this.keys.get(kid);
  }
}
