import { CryptoConfigError, CryptoConfigErrorCode } from './crypto.exception';
import { generateKeySpec, parseKeySpec } from './key-spec';

const KEY_A = Buffer.alloc(32, 0xa1).toString('base64');
const KEY_B = Buffer.alloc(32, 0xb2).toString('base64');

function configError(spec: string): CryptoConfigError {
  try {
    parseKeySpec(spec);
  } catch (error) {
    if (error instanceof CryptoConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(spec)} to be rejected`);
}

describe('parseKeySpec', () => {
  it('returns the entries in order with their decoded keys', () => {
    const entries = parseKeySpec(`k2:${KEY_B},k1:${KEY_A}`);
    expect(entries.map((e) => e.kid)).toEqual(['k2', 'k1']);
    expect(entries.map((e) => e.key.toString('hex'))).toEqual(['b2'.repeat(32), 'a1'.repeat(32)]);
  });

  it('ignores whitespace around entries, as a multi-line env value has', () => {
    expect(parseKeySpec(`  k_2:${KEY_B} ,\n k-1:${KEY_A}\n`).map((e) => e.kid)).toEqual([
      'k_2',
      'k-1',
    ]);
  });

  const short = Buffer.alloc(16, 0xc3).toString('base64');
  const long = Buffer.alloc(33, 0xc3).toString('base64');
  const unpadded = KEY_A.replace(/=+$/, '');
  const cases: Array<[string, string, CryptoConfigErrorCode, string, string]> = [
    ['empty spec', '', CryptoConfigErrorCode.EmptySpec, 'GATEHOUSE_SECRET_KEYS is empty', ''],
    ['blank spec', ' \n ', CryptoConfigErrorCode.EmptySpec, 'is empty', ''],
    [
      'trailing comma',
      `k1:${KEY_A},`,
      CryptoConfigErrorCode.MalformedEntry,
      'entry 2 is empty',
      KEY_A,
    ],
    ['bare key', KEY_A, CryptoConfigErrorCode.MalformedEntry, "entry 1 has no ':'", KEY_A],
    ['key before kid', `${KEY_A}:k1`, CryptoConfigErrorCode.InvalidKeyId, 'entry 1: key id', KEY_A],
    [
      'kid too long',
      `${'k'.repeat(33)}:${KEY_A}`,
      CryptoConfigErrorCode.InvalidKeyId,
      'key id',
      KEY_A,
    ],
    [
      'kid with dot',
      `k.1:${KEY_A}`,
      CryptoConfigErrorCode.InvalidKeyId,
      'key id must match',
      KEY_A,
    ],
    [
      'bad base64',
      `k1:${KEY_A.slice(0, 20)}!${KEY_A.slice(21)}`,
      CryptoConfigErrorCode.InvalidBase64,
      'key id "k1"): key is not valid standard base64',
      KEY_A.slice(0, 20),
    ],
    [
      'unpadded base64',
      `k1:${unpadded}`,
      CryptoConfigErrorCode.InvalidBase64,
      'not valid standard base64',
      unpadded,
    ],
    [
      '16-byte key',
      `k1:${short}`,
      CryptoConfigErrorCode.WrongKeyLength,
      'key is 16 bytes, expected 32',
      short,
    ],
    [
      '33-byte key',
      `k0:${KEY_B},k1:${long}`,
      CryptoConfigErrorCode.WrongKeyLength,
      'entry 2 (key id "k1"): key is 33 bytes',
      long,
    ],
    [
      'duplicate kid',
      `k1:${KEY_A},k1:${KEY_B}`,
      CryptoConfigErrorCode.DuplicateKeyId,
      'entry 2: key id "k1" appears more than once',
      KEY_B,
    ],
  ];

  it.each(cases)(
    'rejects %s with a message free of key material',
    (_name, spec, code, text, key) => {
      const error = configError(spec);
      expect(error.code).toBe(code);
      expect(error.message).toContain(text);
      if (key !== '') {
        expect(error.message).not.toContain(key);
        expect(error.message).not.toContain(key.slice(0, 8));
      }
      expect(error.message).not.toContain(KEY_A.slice(0, 8));
      expect(error.message).not.toContain(KEY_B.slice(0, 8));
    },
  );
});

describe('generateKeySpec', () => {
  it('returns a fresh entry that parses back to a 32-byte key', () => {
    const spec = generateKeySpec('2025-01_a');
    expect(spec).toMatch(/^2025-01_a:[A-Za-z0-9+/]{43}=$/);
    const [entry] = parseKeySpec(spec);
    expect(entry?.kid).toBe('2025-01_a');
    expect(entry?.key.length).toBe(32);
    expect(generateKeySpec('2025-01_a')).not.toBe(spec);
  });

  it('rejects an invalid key id', () => {
    expect(() => generateKeySpec('has space')).toThrow(CryptoConfigError);
    expect(() => generateKeySpec('')).toThrow('key id must match');
  });
});
