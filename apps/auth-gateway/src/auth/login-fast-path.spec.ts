import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { FAST_LOGIN_MAX_BODY_BYTES, fastLoginEligible, LOGIN_PATH } from './login-fast-path';

function loginRequest(
  headers: IncomingHttpHeaders,
  { method = 'POST', url = LOGIN_PATH }: { method?: string; url?: string } = {},
): IncomingMessage {
  return { method, url, headers } as IncomingMessage;
}

const PLAIN: IncomingHttpHeaders = {
  'content-type': 'application/json',
  'content-length': '48',
};

describe('fastLoginEligible', () => {
  it.each([
    ['a plain JSON login', PLAIN, {}],
    ['the trailing-slash path', PLAIN, { url: `${LOGIN_PATH}/` }],
    ['a query string', PLAIN, { url: `${LOGIN_PATH}?next=1` }],
    [
      'an explicit UTF-8 charset',
      { ...PLAIN, 'content-type': 'application/json; charset=UTF-8' },
      {},
    ],
    ['unrelated cookies', { ...PLAIN, cookie: 'theme=dark; lang=en' }, {}],
    [
      'a body of the largest size taken',
      { ...PLAIN, 'content-length': String(FAST_LOGIN_MAX_BODY_BYTES) },
      {},
    ],
  ])('takes %s', (_label, headers, line) => {
    expect(fastLoginEligible(loginRequest(headers, line))).toBe(true);
  });

  it.each([
    ['another method', PLAIN, { method: 'GET' }],
    ['another path', PLAIN, { url: '/api/v1/auth/refresh' }],
    ['a longer path', PLAIN, { url: `${LOGIN_PATH}x` }],
    ['a browser Origin (CORS applies)', { ...PLAIN, origin: 'https://app.example' }, {}],
    ['a browser Referer (CSRF applies)', { ...PLAIN, referer: 'https://app.example/' }, {}],
    ['an access-token cookie', { ...PLAIN, cookie: 'a=1; access_token=x' }, {}],
    ['a refresh-token cookie', { ...PLAIN, cookie: 'refresh_token=x' }, {}],
    ['a gzip body', { ...PLAIN, 'content-encoding': 'gzip' }, {}],
    ['a chunked body', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, {}],
    ['no Content-Length', { 'content-type': 'application/json' }, {}],
    ['a non-numeric Content-Length', { ...PLAIN, 'content-length': 'lots' }, {}],
    [
      'a body over the limit',
      { ...PLAIN, 'content-length': String(FAST_LOGIN_MAX_BODY_BYTES + 1) },
      {},
    ],
    ['a form body', { ...PLAIN, 'content-type': 'application/x-www-form-urlencoded' }, {}],
    ['another charset', { ...PLAIN, 'content-type': 'application/json; charset=latin1' }, {}],
    ['no Content-Type', { 'content-length': '48' }, {}],
  ])('leaves %s to Express', (_label, headers, line) => {
    expect(fastLoginEligible(loginRequest(headers, line))).toBe(false);
  });
});
