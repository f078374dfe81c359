import { RedisServer } from '@gatehouse/testing/redis-server';
import type { Redis } from 'ioredis';
import { LuaScript } from './lua-script';

/** EVALSHA with the EVAL fallback, on a real Redis. */
describe('LuaScript', () => {
  let server: RedisServer;
  let redis: Redis;
  const script = new LuaScript("return {redis.call('INCRBY', KEYS[1], ARGV[1]), KEYS[1], ARGV[2]}");

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = await server.connectClient();
  });

  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });

  it('names the script by the digest Redis gives it', async () => {
    expect(await redis.script('LOAD', script.source)).toBe(script.sha);
  });

  it('runs with its keys and arguments, by digest once Redis knows it', async () => {
    await redis.script('FLUSH');
    expect(await script.run(redis, ['lua:a'], [2, 'x'])).toEqual([2, 'lua:a', 'x']);
    // The first run sent it in full (NOSCRIPT), which cached it: now it is known by digest.
    expect(await redis.script('EXISTS', script.sha)).toEqual([1]);
    expect(await script.run(redis, ['lua:a'], [3, 'y'])).toEqual([5, 'lua:a', 'y']);
  });

  it('sends the script again after the server forgot it', async () => {
    await script.run(redis, ['lua:b'], [1, '']);
    await redis.script('FLUSH');
    expect(await script.run(redis, ['lua:b'], [1, ''])).toEqual([2, 'lua:b', '']);
  });

  it('passes the script’s own errors on', async () => {
    await redis.set('lua:text', 'not a number');
    await expect(script.run(redis, ['lua:text'], [1, ''])).rejects.toThrow(/not an integer/);
  });
});
