import { RedisServer } from '@gatehouse/testing/redis-server';
import type { Redis } from 'ioredis';
import { revokeUserSessions, sessionKeys } from './session-keys';

/** The revoke-a-user script both apps run (the gateway's logout-everywhere and deactivation,
 *  ldap-sync's deactivation by a sync), on a real Redis. */
describe('revokeUserSessions', () => {
  let server: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = await server.connectClient();
  });

  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });

  async function family(
    tenantId: string,
    userId: string,
    id: string,
    revoked = '0',
  ): Promise<void> {
    await redis
      .multi()
      .hset(sessionKeys.family(id), { uid: userId, tid: tenantId, revoked })
      .expire(sessionKeys.family(id), 600)
      .sadd(sessionKeys.user(tenantId, userId), id)
      .zadd(sessionKeys.live(tenantId), Date.now() + 600_000, id)
      .exec();
  }

  it('revokes the live families, drops them from the live set, and leaves others alone', async () => {
    await family('t1', '7', 'a');
    await family('t1', '7', 'b');
    await family('t1', '7', 'c', '1');
    await family('t1', '8', 'other');
    // An expired family: still listed in the user's set, its hash gone.
    await redis.sadd(sessionKeys.user('t1', '7'), 'gone');

    const result = await revokeUserSessions(redis, 't1', '7');
    expect(result.families).toBe(4);
    expect([...result.ended].sort()).toEqual(['a', 'b']);
    for (const id of ['a', 'b', 'c']) {
      expect(await redis.hget(sessionKeys.family(id), 'revoked')).toBe('1');
    }
    expect(await redis.exists(sessionKeys.family('gone'))).toBe(0);
    expect(await redis.zrange(sessionKeys.live('t1'), 0, -1)).toEqual(['other']);
    expect(await redis.hget(sessionKeys.family('other'), 'revoked')).toBe('0');

    const again = await revokeUserSessions(redis, 't1', '7');
    expect(again.ended).toEqual([]);
  });

  it('answers nothing for a user without sessions', async () => {
    expect(await revokeUserSessions(redis, 't1', 'nobody')).toEqual({ families: 0, ended: [] });
  });
});
