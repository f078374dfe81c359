import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { InjectRedis } from '@gatehouse/platform';

/** The turn counter of each (tenant, system, role): one atomic INCR in Redis, so every gateway
 *  replica hands out the same sequence. */
@Injectable()
export class RoundRobinStore {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  async nextTurn(tenantId: string, system: string, role: string): Promise<number> {
    const key = createHash('sha256').update(`${tenantId}\0${system}\0${role}`).digest('hex');
    return this.redis.incr(`gh:rr:${key}`);
  }
}
