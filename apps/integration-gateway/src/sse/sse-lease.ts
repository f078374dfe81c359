import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { InjectRedis, LuaScript } from '@gatehouse/platform';

/** A lease outlives a few missed renewals (the supervisor renews every 5 s). */
export const LEASE_MS = 15_000;

const RENEW = new LuaScript(`if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`);
const RELEASE = new LuaScript(`if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1]) else return 0 end`);

/** One SSE connection per project across every replica: whoever holds the project's Redis lease
 *  consumes its stream; a replica that dies stops renewing and another takes over. */
@Injectable()
export class SseLease {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(@InjectRedis() private readonly redis: Redis) {}

  async acquire(projectId: string): Promise<boolean> {
    return (await this.redis.set(key(projectId), this.owner, 'PX', LEASE_MS, 'NX')) === 'OK';
  }

  async renew(projectId: string): Promise<boolean> {
    return Number(await RENEW.run(this.redis, [key(projectId)], [this.owner, LEASE_MS])) === 1;
  }

  async release(projectId: string): Promise<void> {
    await RELEASE.run(this.redis, [key(projectId)], [this.owner]);
  }

  async lastEventId(projectId: string): Promise<string | null> {
    return this.redis.get(lastIdKey(projectId));
  }

  async saveLastEventId(projectId: string, id: string): Promise<void> {
    await this.redis.set(lastIdKey(projectId), id, 'EX', 7 * 24 * 3600);
  }

  /** A deleted project: its lease (whoever holds it; the holder's next renewal fails, so it
   *  stops) and its resume point. */
  async forget(projectId: string): Promise<void> {
    await this.redis.del(key(projectId), lastIdKey(projectId));
  }
}

function key(projectId: string): string {
  return `gh:integration:sse-lease:${projectId}`;
}

function lastIdKey(projectId: string): string {
  return `gh:integration:sse-last-id:${projectId}`;
}
