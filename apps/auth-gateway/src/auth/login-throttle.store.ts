import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ChainableCommander, Redis } from 'ioredis';
import { InjectRedis, LuaScript } from '@gatehouse/platform';
import { AUTH_GATEWAY_CONFIG, type AuthGatewayConfig } from '../auth-gateway.config';

const PREFIX = 'gh:login:';

/** Counts an attempt before the password is checked, atomically, so parallel guesses cannot race
 *  past the limit. Locks key on username and client address together (an attacker elsewhere
 *  cannot lock a user out of their own machine) and on the address alone (password spraying).
 *  Each further lockout in the window doubles, up to the maximum. Returns the wait in ms, or 0. */
const ATTEMPT = new LuaScript(`
for _, lock in ipairs({KEYS[1], KEYS[3]}) do
  local ttl = redis.call('PTTL', lock)
  if ttl > 0 then return ttl end
end
local function bump(key, window)
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, window) end
  return n
end
local window = tonumber(ARGV[3])
local userFailures = bump(KEYS[2], window)
local addressFailures = bump(KEYS[4], window)
local function lock(lockKey, countKey, failKey)
  local times = bump(countKey, window)
  local seconds = math.min(tonumber(ARGV[4]) * 2 ^ (times - 1), tonumber(ARGV[5]))
  redis.call('SET', lockKey, '1', 'PX', math.floor(seconds * 1000))
  redis.call('DEL', failKey)
  return math.floor(seconds * 1000)
end
if userFailures > tonumber(ARGV[1]) then return lock(KEYS[1], KEYS[5], KEYS[2]) end
if addressFailures > tonumber(ARGV[2]) then return lock(KEYS[3], KEYS[6], KEYS[4]) end
return 0
`);

@Injectable()
export class LoginThrottleStore {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    @Inject(AUTH_GATEWAY_CONFIG) private readonly config: AuthGatewayConfig,
  ) {}

  /** Reserves one attempt; resolves with the ms to wait when locked, else 0. */
  async attempt(tenantId: string, username: string, address: string): Promise<number> {
    const keys = this.keys(tenantId, username, address);
    const wait = (await ATTEMPT.run(
      this.redis,
      [
        keys.userLock,
        keys.userFailures,
        keys.addressLock,
        keys.addressFailures,
        keys.userLockouts,
        keys.addressLockouts,
      ],
      [
        this.config.LOGIN_MAX_FAILURES,
        this.config.LOGIN_MAX_FAILURES_PER_ADDRESS,
        this.config.LOGIN_FAILURE_WINDOW_SECONDS,
        this.config.LOGIN_LOCKOUT_SECONDS,
        this.config.LOGIN_LOCKOUT_MAX_SECONDS,
      ],
    )) as number;
    return wait;
  }

  /** A successful login forgets this user's failures from this address and gives the address
   *  back the attempt it was charged: commands added to the caller's transaction (the login's
   *  session is stored in the same round trip). */
  addSuccess(tx: ChainableCommander, tenantId: string, username: string, address: string): void {
    const keys = this.keys(tenantId, username, address);
    tx.del(keys.userFailures, keys.userLockouts).decr(keys.addressFailures);
  }

  private keys(tenantId: string, username: string, address: string) {
    // Hashing keeps arbitrary usernames (any bytes, any length) out of Redis key syntax.
    const user = createHash('sha256')
      .update(`${tenantId}\0${username.toLowerCase()}\0${address}`)
      .digest('hex');
    const addr = createHash('sha256').update(address).digest('hex');
    return {
      userLock: `${PREFIX}lock:u:${user}`,
      userFailures: `${PREFIX}fail:u:${user}`,
      userLockouts: `${PREFIX}lockouts:u:${user}`,
      addressLock: `${PREFIX}lock:a:${addr}`,
      addressFailures: `${PREFIX}fail:a:${addr}`,
      addressLockouts: `${PREFIX}lockouts:a:${addr}`,
    };
  }
}
