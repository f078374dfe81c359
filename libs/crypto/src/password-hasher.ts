/** Password hashing with argon2id, encoded as PHC strings (`$argon2id$v=19$m=...,t=...,p=...$...`). */
import { argon2id, hash, verify } from 'argon2';
import { CryptoConfigError, CryptoConfigErrorCode, EmptyPasswordError } from './crypto.exception';
import { parseArgon2Hash } from './argon2-phc';

export interface Argon2Params {
  /** KiB of memory. */
  readonly memoryCost: number;
  /** Passes over memory. */
  readonly timeCost: number;
  /** Lanes. */
  readonly parallelism: number;
}

/** OWASP Password Storage Cheat Sheet, argon2id option 2: 19 MiB, 2 iterations, 1 lane. */
export const DEFAULT_ARGON2_PARAMS: Readonly<Argon2Params> = Object.freeze({
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
});

const ARGON2_VERSION = 0x13;

export async function hashPassword(
  plain: string,
  params: Argon2Params = DEFAULT_ARGON2_PARAMS,
): Promise<string> {
  if (plain.length === 0) throw new EmptyPasswordError();
  assertParams(params);
  const { memoryCost, timeCost, parallelism } = params;
  return await hash(plain, { type: argon2id, memoryCost, timeCost, parallelism });
}

/** False, never a throw, for a wrong password and for a stored value that is not an argon2 hash. */
export async function verifyPassword(storedHash: string, plain: string): Promise<boolean> {
  if (plain.length === 0 || !parseArgon2Hash(storedHash)) return false;
  try {
    return await verify(storedHash, plain);
  } catch {
    return false; // parameters the native binding rejects, e.g. a salt shorter than 8 bytes
  }
}

/** Whether a hash that just verified should be replaced by `hashPassword(plain, params)`. */
export function needsRehash(
  storedHash: string,
  params: Argon2Params = DEFAULT_ARGON2_PARAMS,
): boolean {
  const info = parseArgon2Hash(storedHash);
  return (
    info === undefined ||
    info.variant !== 'argon2id' ||
    info.version !== ARGON2_VERSION ||
    info.memoryCost !== params.memoryCost ||
    info.timeCost !== params.timeCost ||
    info.parallelism !== params.parallelism
  );
}

function assertParams({ memoryCost, timeCost, parallelism }: Argon2Params): void {
  const integers = [memoryCost, timeCost, parallelism].every((n) => Number.isSafeInteger(n));
  if (!integers || timeCost < 1 || parallelism < 1 || memoryCost < 8 * parallelism) {
    throw new CryptoConfigError(
      CryptoConfigErrorCode.InvalidArgon2Params,
      `invalid argon2 params m=${memoryCost},t=${timeCost},p=${parallelism}: ` +
        'need integers with t >= 1, p >= 1 and m >= 8 * p',
    );
  }
}
