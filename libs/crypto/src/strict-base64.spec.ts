import { decodeBase64Strict, decodeBase64UrlStrict } from './strict-base64';

describe('decodeBase64Strict', () => {
  it('decodes canonical padded base64', () => {
    expect(decodeBase64Strict('aGk=')?.toString('utf8')).toBe('hi');
    expect(decodeBase64Strict('')?.length).toBe(0);
  });

  it.each(['aGk', 'aGl=', 'a Gk=', 'aG!k=', 'aGk=\n', 'aGk_', '===='])('rejects %j', (value) => {
    expect(decodeBase64Strict(value)).toBeUndefined();
  });
});

describe('decodeBase64UrlStrict', () => {
  it('decodes canonical unpadded base64url', () => {
    expect(decodeBase64UrlStrict('-_8')?.toString('hex')).toBe('fbff');
  });

  // 'aGl' carries the same bytes as 'aGk' plus a stray low bit, which Buffer.from would drop.
  it.each(['aGk=', 'aGl', 'a+b/', 'a.b', 'a'])('rejects %j', (value) => {
    expect(decodeBase64UrlStrict(value)).toBeUndefined();
  });
});
