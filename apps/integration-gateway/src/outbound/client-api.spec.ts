import { sample } from '../connection-test/connection-test.service';
import { authHeaders, classify, statusUrl } from './client-api';
import { BlockedAddressError } from './guarded-agent';

describe('client API calls', () => {
  it('joins base URL and endpoint as the seed does', () => {
    expect(statusUrl('http://h/api/', '/units/status')).toBe('http://h/api/units/status');
    expect(statusUrl('http://h/api', 'units')).toBe('http://h/api/units');
    expect(statusUrl('http://h/api', null)).toBe('http://h/api');
  });

  it('sends each auth type its way', () => {
    expect(authHeaders('bearer', { token: 't' })).toEqual({ authorization: 'Bearer t' });
    expect(authHeaders('api_key', { api_key: 'k', api_key_header: 'X-Client-Key' })).toEqual({
      'x-client-key': 'k',
    });
    expect(authHeaders('api_key', { api_key: 'k' })).toEqual({ 'x-api-key': 'k' });
    expect(authHeaders('basic', { username: 'u', password: 'p' })).toEqual({
      authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
    });
    expect(authHeaders('none', { token: 't' })).toEqual({});
  });

  it('names each failure distinctly', () => {
    const coded = (code: string): Error => Object.assign(new Error(code), { code });
    const url = 'http://client.example:8080/x';
    expect(classify(coded('ECONNREFUSED'), url).kind).toBe('refused');
    expect(classify(coded('ENOTFOUND'), url).message).toMatch(/DNS lookup failed/);
    expect(classify(coded('UND_ERR_HEADERS_TIMEOUT'), url).message).toBe('Connection timeout');
    expect(classify(coded('DEPTH_ZERO_SELF_SIGNED_CERT'), url).kind).toBe('tls');
    expect(classify(new BlockedAddressError('address 10.0.0.1'), url).kind).toBe('blocked');
    const wrapped = new Error('fetch failed', { cause: coded('ECONNREFUSED') });
    expect(classify(wrapped, url).kind).toBe('refused');
  });

  it('samples at most three items of a list', () => {
    expect(sample([1, 2, 3, 4, 5])).toEqual([1, 2, 3]);
    expect(sample({ units: [1, 2, 3, 4], total: 4 })).toEqual({ units: [1, 2, 3], total: 4 });
  });
});
