import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { InjectRedis, LuaScript } from '@gatehouse/platform';
import { AUTH_GATEWAY_CONFIG, type AuthGatewayConfig } from '../auth-gateway.config';

const WINDOW_SECONDS = 60;
const COUNT = new LuaScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('TTL', KEYS[1])}
`);

/** A fixed one-minute window per client id and client address, counted atomically in Redis so
 *  every replica agrees. Answers the seconds to wait, or 0. */
@Injectable()
export class OAuthRateLimitStore {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    @Inject(AUTH_GATEWAY_CONFIG) private readonly config: AuthGatewayConfig,
  ) {}

  async take(clientId: string, address: string): Promise<number> {
    const key = `gh:oauth:rate:${clientId.slice(0, 128)}:${address}`;
    const [count, ttl] = (await COUNT.run(this.redis, [key], [WINDOW_SECONDS])) as [number, number];
    return count > this.config.OAUTH_TOKEN_RATE_LIMIT ? Math.max(ttl, 1) : 0;
  }
}
