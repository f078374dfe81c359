import type { RedisOptions } from 'ioredis';

/** ioredis options from a redis:// URL, shared by the health client and the RPC transport. The
 *  retry strategy reconnects forever with a capped delay: Redis coming back must heal every app
 *  without a restart. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    connectTimeout: 2000,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 1000),
  };
}

/** Options for Nest's Redis transport (server and client). Nest installs its own retry strategy
 *  from retryAttempts/retryDelay; without retryAttempts it would never reconnect after an outage. */
export function redisTransportOptions(url: string): Omit<RedisOptions, 'retryStrategy'> & {
  retryAttempts: number;
  retryDelay: number;
} {
  const { retryStrategy: _ignored, ...rest } = redisOptionsFromUrl(url);
  return { ...rest, retryAttempts: Number.MAX_SAFE_INTEGER, retryDelay: 1000 };
}
