import { extractToken, readCookieHeader } from './token-extractor';

describe('extractToken', () => {
  it('reads the access_token cookie from the Cookie header when nothing parsed it', () => {
    expect(extractToken({ headers: { cookie: 'a=1; access_token=tok.en.sig; b=2' } })).toBe(
      'tok.en.sig',
    );
  });

  it('reads req.cookies when cookie-parser set it, and then does not reparse the header', () => {
    expect(
      extractToken({
        headers: { cookie: 'access_token=from.the.header' },
        cookies: { access_token: 'from.cookie.parser' },
      }),
    ).toBe('from.cookie.parser');
  });

  it('falls back to Bearer when the cookie is absent or empty', () => {
    const headers = { authorization: 'Bearer aaa.bbb.ccc' };
    expect(extractToken({ headers })).toBe('aaa.bbb.ccc');
    expect(extractToken({ headers: { ...headers, cookie: 'access_token=' } })).toBe('aaa.bbb.ccc');
    expect(extractToken({ headers, cookies: {} })).toBe('aaa.bbb.ccc');
  });

  it('accepts the Bearer scheme in any case, per RFC 7235', () => {
    expect(extractToken({ headers: { authorization: 'bearer aaa.bbb.ccc' } })).toBe('aaa.bbb.ccc');
  });

  it.each([
    ['Basic credentials', 'Basic dXNlcjpwYXNz'],
    ['a bare token without scheme', 'aaa.bbb.ccc'],
    ['two tokens', 'Bearer aaa.bbb.ccc ddd.eee.fff'],
    ['an empty Bearer', 'Bearer '],
  ])('ignores %s in Authorization', (_name, authorization) => {
    expect(extractToken({ headers: { authorization } })).toBeUndefined();
  });

  it('ignores a non-string access_token in req.cookies (cookie-parser JSON cookies)', () => {
    expect(extractToken({ headers: {}, cookies: { access_token: { a: 1 } } })).toBeUndefined();
  });
});

describe('readCookieHeader', () => {
  it('takes the first of duplicate cookies, like the cookie package', () => {
    expect(readCookieHeader('access_token=first; access_token=second', 'access_token')).toBe(
      'first',
    );
  });

  it('does not match a cookie whose name merely ends with the name', () => {
    expect(readCookieHeader('my_access_token=x', 'access_token')).toBeUndefined();
  });

  it('unquotes and URL-decodes, and keeps undecodable values for verification to refuse', () => {
    expect(readCookieHeader('access_token="a%2Eb"', 'access_token')).toBe('a.b');
    expect(readCookieHeader('access_token=%E0%A4%A', 'access_token')).toBe('%E0%A4%A');
  });
});
