import { redisOptionsFromUrl, redisTransportOptions } from './redis-options';

describe('redisOptionsFromUrl', () => {
  it('reads host, port, credentials and db', () => {
    const options = redisOptionsFromUrl('redis://user:p%40ss@cache.internal:6380/4');
    expect(options).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 4,
      tls: undefined,
    });
  });

  it('turns on TLS for rediss://', () => {
    expect(redisOptionsFromUrl('rediss://h').tls).toEqual({});
  });

  it('retries forever with a capped delay', () => {
    const { retryStrategy } = redisOptionsFromUrl('redis://h');
    expect(retryStrategy?.(1)).toBe(200);
    expect(retryStrategy?.(50)).toBe(1000);
  });

  it('gives the Nest transport retry attempts, without an ioredis retry strategy', () => {
    const options = redisTransportOptions('redis://h:1');
    expect(options).not.toHaveProperty('retryStrategy');
    expect(options.retryAttempts).toBe(Number.MAX_SAFE_INTEGER);
    expect(options.retryDelay).toBe(1000);
  });
});
