import { argon2id, hash } from 'argon2';
import { CryptoConfigError, CryptoConfigErrorCode, EmptyPasswordError } from './crypto.exception';
import {
  DEFAULT_ARGON2_PARAMS,
  hashPassword,
  needsRehash,
  verifyPassword,
  type Argon2Params,
} from './password-hasher';

/** Cheap parameters so the suite stays fast; the defaults are exercised once below. */
const FAST: Argon2Params = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

describe('the argon2 binding', () => {
  // RFC 9106 section 5.3. hashPassword exposes no secret or associated data, so this pins the
  // native library it delegates to, through the package's raw output.
  it('matches the RFC 9106 argon2id test vector', async () => {
    const tag = await hash(Buffer.alloc(32, 0x01), {
      type: argon2id,
      version: 0x13,
      memoryCost: 32,
      timeCost: 3,
      parallelism: 4,
      hashLength: 32,
      salt: Buffer.alloc(16, 0x02),
      secret: Buffer.alloc(8, 0x03),
      associatedData: Buffer.alloc(12, 0x04),
      raw: true,
    });
    expect(tag.toString('hex')).toBe(
      '0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659',
    );
  });
});

describe('DEFAULT_ARGON2_PARAMS', () => {
  it('is the frozen OWASP argon2id setting', () => {
    expect(DEFAULT_ARGON2_PARAMS).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(Object.isFrozen(DEFAULT_ARGON2_PARAMS)).toBe(true);
  });
});

describe('hashPassword / verifyPassword', () => {
  it('hashes with argon2id and the default parameters, then verifies', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(
      /^\$argon2id\$v=19\$m=19456,p=1,t=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
    await expect(verifyPassword(stored, 'correct horse battery staple')).resolves.toBe(true);
    await expect(verifyPassword(stored, 'correct horse battery stapler')).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const [first, second] = await Promise.all([
      hashPassword('same', FAST),
      hashPassword('same', FAST),
    ]);
    expect(first).not.toBe(second);
    await expect(verifyPassword(second ?? '', 'same')).resolves.toBe(true);
  });

  it('writes the requested parameters', async () => {
    const stored = await hashPassword('pässwörd', {
      memoryCost: 2048,
      timeCost: 3,
      parallelism: 2,
    });
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=2048,p=2,t=3\$/);
    await expect(verifyPassword(stored, 'pässwörd')).resolves.toBe(true);
    await expect(verifyPassword(stored, 'passwörd')).resolves.toBe(false);
  });

  it('refuses an empty password with a typed error', async () => {
    await expect(hashPassword('')).rejects.toBeInstanceOf(EmptyPasswordError);
  });

  it.each([
    { memoryCost: 1024, timeCost: 0, parallelism: 1 },
    { memoryCost: 15, timeCost: 1, parallelism: 2 },
    { memoryCost: 1024.5, timeCost: 1, parallelism: 1 },
  ])('refuses invalid parameters %p', async (params) => {
    await expect(hashPassword('x', params)).rejects.toBeInstanceOf(CryptoConfigError);
    await expect(hashPassword('x', params)).rejects.toHaveProperty(
      'code',
      CryptoConfigErrorCode.InvalidArgon2Params,
    );
  });

  it('verifies an argon2i hash (needsRehash then upgrades it)', async () => {
    const legacy = await hash('old', { type: 1, memoryCost: 1024, timeCost: 1, parallelism: 1 });
    await expect(verifyPassword(legacy, 'old')).resolves.toBe(true);
    expect(needsRehash(legacy, FAST)).toBe(true);
  });

  it.each([
    ['an empty string', ''],
    ['plain text', 'hunter2'],
    ['a bcrypt hash', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW'],
    ['a truncated argon2 hash', '$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ'],
    [
      'a salt below the 8-byte minimum',
      '$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$MTIzNDU2Nzg5MDEyMzQ1Ng',
    ],
    [
      'memory below 8 KiB per lane',
      '$argon2id$v=19$m=1,t=1,p=1$c29tZXNhbHRzb21l$MTIzNDU2Nzg5MDEyMzQ1Ng',
    ],
  ])('is false, not a throw, for %s', async (_name, stored) => {
    await expect(verifyPassword(stored, 'hunter2')).resolves.toBe(false);
  });

  it('is false for an empty password, even against a real hash', async () => {
    const stored = await hashPassword('x', FAST);
    await expect(verifyPassword(stored, '')).resolves.toBe(false);
  });
});

describe('needsRehash', () => {
  const salt = 'c29tZXNhbHRzb21lc2FsdA';
  const digest = 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI';
  const phc = (head: string): string => `${head}$${salt}$${digest}`;

  it('is false when the hash has the wanted parameters', async () => {
    expect(needsRehash(phc('$argon2id$v=19$m=19456,t=2,p=1'))).toBe(false);
    expect(needsRehash(await hashPassword('x', FAST), FAST)).toBe(false);
  });

  it.each([
    ['memory cost differs', '$argon2id$v=19$m=65536,t=2,p=1'],
    ['time cost differs', '$argon2id$v=19$m=19456,t=3,p=1'],
    ['parallelism differs', '$argon2id$v=19$m=19456,t=2,p=4'],
    ['variant is argon2i', '$argon2i$v=19$m=19456,t=2,p=1'],
    ['variant is argon2d', '$argon2d$v=19$m=19456,t=2,p=1'],
    ['version is 0x10', '$argon2id$v=16$m=19456,t=2,p=1'],
  ])('is true when %s', (_name, head) => {
    expect(needsRehash(phc(head), DEFAULT_ARGON2_PARAMS)).toBe(true);
  });

  it('is true for a hash that is not argon2 at all', () => {
    expect(needsRehash('$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW')).toBe(true);
    expect(needsRehash('')).toBe(true);
  });
});
