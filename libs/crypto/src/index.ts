/** @gatehouse/crypto: secret encryption with key rotation, password hashing, HMAC signatures,
 *  constant-time comparison and random identifiers. Pure functions and classes; no Nest, no env. */
export {
  CryptoConfigError,
  CryptoConfigErrorCode,
  DecryptionError,
  DecryptionFailureReason,
  EmptyPasswordError,
} from './crypto.exception';
export { generateKeySpec } from './key-spec';
export { KeyRing } from './key-ring';
export { SecretBox } from './secret-box';
export {
  DEFAULT_ARGON2_PARAMS,
  hashPassword,
  needsRehash,
  verifyPassword,
  type Argon2Params,
} from './password-hasher';
export { hmacSign, hmacVerify, type HmacKey } from './hmac';
export { timingSafeEqualString } from './timing-safe';
export { randomId, randomToken } from './random-id';
