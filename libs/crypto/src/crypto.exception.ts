/** Typed failures of @gatehouse/crypto. Messages say what is wrong and never carry key material,
 *  plaintext or ciphertext, so callers may log them as they are. */

export enum CryptoConfigErrorCode {
  EmptySpec = 'empty_spec',
  MalformedEntry = 'malformed_entry',
  InvalidKeyId = 'invalid_key_id',
  InvalidBase64 = 'invalid_base64',
  WrongKeyLength = 'wrong_key_length',
  DuplicateKeyId = 'duplicate_key_id',
  EmptyHmacKey = 'empty_hmac_key',
  InvalidArgon2Params = 'invalid_argon2_params',
}

export class CryptoConfigError extends Error {
  override readonly name = 'CryptoConfigError';

  constructor(
    readonly code: CryptoConfigErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export enum DecryptionFailureReason {
  /** Not a well-formed `v1.<kid>.<iv>.<body>` string (includes truncation below the tag size). */
  Malformed = 'malformed',
  /** A version prefix this build does not know, e.g. `v2.` written by a newer release. */
  UnsupportedVersion = 'unsupported_version',
  /** Sealed under a key id that is not in the ring (retired too early, or another environment). */
  UnknownKey = 'unknown_key',
  /** The GCM tag did not verify: altered bytes, the wrong key, or different associated data. */
  AuthenticationFailed = 'authentication_failed',
}

export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';

  constructor(
    readonly reason: DecryptionFailureReason,
    message: string,
  ) {
    super(message);
  }
}

export class EmptyPasswordError extends Error {
  override readonly name = 'EmptyPasswordError';

  constructor() {
    super('refusing to hash an empty password');
  }
}
