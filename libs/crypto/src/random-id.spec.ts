import { randomId, randomToken } from './random-id';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

describe('randomId', () => {
  it('encodes 16 random bytes as 22 base64url characters by default', () => {
    const id = randomId();
    expect(id).toMatch(BASE64URL);
    expect(id).toHaveLength(22);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });

  it('takes a byte count', () => {
    expect(randomId(8)).toHaveLength(11);
    expect(randomId(24)).toHaveLength(32);
  });

  it('does not repeat', () => {
    expect(new Set(Array.from({ length: 1000 }, () => randomId())).size).toBe(1000);
  });

  it.each([0, 7, 1.5, Number.NaN, 1025])('rejects %p bytes', (bytes) => {
    expect(() => randomId(bytes)).toThrow(RangeError);
  });
});

describe('randomToken', () => {
  it('encodes 32 random bytes as 43 base64url characters by default', () => {
    const token = randomToken();
    expect(token).toMatch(BASE64URL);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(token).toHaveLength(43);
    expect(randomToken()).not.toBe(token);
  });

  it('refuses fewer than 16 bytes', () => {
    expect(() => randomToken(15)).toThrow('byte count must be an integer from 16 to 1024, got 15');
    expect(randomToken(16)).toHaveLength(22);
  });
});
