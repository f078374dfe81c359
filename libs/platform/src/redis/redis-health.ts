import type { OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { ReadinessCheck } from '../health/readiness-check';
import { redisOptionsFromUrl } from './redis-options';

/** A dedicated connection that answers PING or fails at once: no offline queue, so a probe while
 *  Redis is down fails fast instead of waiting for a reconnect. */
export class RedisHealth implements ReadinessCheck, OnApplicationShutdown {
  readonly name = 'redis';
  private readonly client: Redis;

  constructor(url: string) {
    this.client = new Redis({
      ...redisOptionsFromUrl(url),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      connectionName: 'gatehouse:health',
    });
    // Errors surface through check(); without a listener ioredis would print each reconnect.
    this.client.on('error', () => undefined);
  }

  async check(): Promise<void> {
    if (this.client.status === 'wait') await this.client.connect();
    await this.client.ping();
  }

  /** BullMQ loses jobs when Redis evicts keys; refuse to run on such a Redis. A managed Redis that
   *  forbids CONFIG is trusted (and says so in the log). */
  async assertNoEviction(): Promise<'noeviction' | 'unknown'> {
    if (this.client.status === 'wait') await this.client.connect();
    let policy: string | undefined;
    try {
      const reply: unknown = await this.client.call('CONFIG', 'GET', 'maxmemory-policy');
      policy = Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined;
    } catch {
      return 'unknown';
    }
    if (policy === undefined) return 'unknown';
    if (policy !== 'noeviction') {
      throw new Error(
        `Redis maxmemory-policy is "${policy}"; Gatehouse needs "noeviction" (BullMQ loses jobs otherwise). ` +
          'Set it with: redis-cli CONFIG SET maxmemory-policy noeviction',
      );
    }
    return 'noeviction';
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}
