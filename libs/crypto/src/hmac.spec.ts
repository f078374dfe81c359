import { CryptoConfigError } from './crypto.exception';
import { hmacSign, hmacVerify } from './hmac';

const hex = (value: string): Buffer => Buffer.from(value, 'hex');

// RFC 4231 section 4, HMAC-SHA-256 outputs.
const RFC4231: Array<[string, Buffer, Buffer, string]> = [
  [
    'test case 1',
    Buffer.alloc(20, 0x0b),
    Buffer.from('Hi There'),
    'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
  ],
  [
    'test case 2 (key shorter than the output)',
    Buffer.from('Jefe'),
    Buffer.from('what do ya want for nothing?'),
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  ],
  [
    'test case 3 (50 bytes of 0xdd)',
    Buffer.alloc(20, 0xaa),
    Buffer.alloc(50, 0xdd),
    '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
  ],
  [
    'test case 4 (25-byte key)',
    hex('0102030405060708090a0b0c0d0e0f10111213141516171819'),
    Buffer.alloc(50, 0xcd),
    '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
  ],
  [
    'test case 6 (key larger than a block)',
    Buffer.alloc(131, 0xaa),
    Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
    '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  ],
];

describe('hmacSign', () => {
  it.each(RFC4231)('matches RFC 4231 %s', (_name, key, message, expected) => {
    expect(hmacSign(key, message)).toBe(expected);
    expect(hmacVerify(key, message, expected)).toBe(true);
  });

  it('treats string keys and messages as UTF-8', () => {
    expect(hmacSign('Jefe', 'what do ya want for nothing?')).toBe(RFC4231[1]?.[3]);
  });

  it('refuses an empty key', () => {
    expect(() => hmacSign('', 'x')).toThrow(CryptoConfigError);
    expect(() => hmacVerify(Buffer.alloc(0), 'x', 'a'.repeat(64))).toThrow('must not be empty');
  });
});

describe('hmacVerify', () => {
  const key = 'webhook-secret';
  const signature = hmacSign(key, 'payload');

  it('accepts the signature in either hex case', () => {
    expect(hmacVerify(key, 'payload', signature)).toBe(true);
    expect(hmacVerify(key, Buffer.from('payload'), signature.toUpperCase())).toBe(true);
  });

  it.each([
    ['another message', 'payload!', signature],
    ['another key', 'payload', hmacSign('other-secret', 'payload')],
    [
      'one flipped bit',
      'payload',
      (parseInt(signature[0] ?? '0', 16) ^ 1).toString(16) + signature.slice(1),
    ],
    ['a truncated signature', 'payload', signature.slice(0, 63)],
    ['a signature one byte too long', 'payload', `${signature}00`],
    ['an empty signature', 'payload', ''],
    ['non-hex characters', 'payload', `${signature.slice(0, 62)}zz`],
    ['base64 of the right digest', 'payload', Buffer.from(signature, 'hex').toString('base64')],
  ])('returns false for %s', (_name, message, candidate) => {
    expect(hmacVerify(key, message, candidate)).toBe(false);
  });
});
