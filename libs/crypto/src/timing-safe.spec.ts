import { timingSafeEqualString } from './timing-safe';

describe('timingSafeEqualString', () => {
  it.each([
    ['', ''],
    ['token-abc', 'token-abc'],
    ['pässwörd 🔑', 'pässwörd 🔑'],
  ])('is true for equal strings %j', (a, b) => {
    expect(timingSafeEqualString(a, b)).toBe(true);
  });

  it.each([
    ['same length, last character differs', 'token-abc', 'token-abd'],
    ['same length, first character differs', 'xoken-abc', 'token-abc'],
    ['a prefix', 'token', 'token-abc'],
    ['empty against non-empty', '', 'a'],
    ['case', 'Token', 'token'],
    // Both would encode to the same UTF-8 bytes (U+FFFD) if hashed as UTF-8.
    ['distinct lone surrogates', 'a\ud800', 'a\udc00'],
  ])('is false for %s', (_name, a, b) => {
    expect(timingSafeEqualString(a, b)).toBe(false);
    expect(timingSafeEqualString(b, a)).toBe(false);
  });
});
