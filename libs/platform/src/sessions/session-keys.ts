import type { Redis } from 'ioredis';
import { LuaScript } from '../redis/lua-script';

/**
 * The Redis layout of refresh sessions, written by the gateway's SessionStore and read by
 * ldap-sync when a sync deactivates users: one place, so the two apps cannot drift apart.
 *
 * - `fam:<familyId>` hash {uid, tid, revoked '0'|'1', created}: one login's session family
 * - `rt:<sha256(refresh token)>` hash {fam, uid, tid, state}: one refresh token
 * - `user:<tenantId>:<userId>` set of family ids: every session of a user
 * - `live:<tenantId>` sorted set of family ids scored by expiry (ms): the tenant's live sessions,
 *   which the admin stats count
 */
export const SESSION_KEY_PARTS = {
  family: 'gh:session:fam:',
  refreshToken: 'gh:session:rt:',
  user: 'gh:session:user:',
  live: 'gh:session:live:',
} as const;

export const sessionKeys = {
  family: (familyId: string): string => `${SESSION_KEY_PARTS.family}${familyId}`,
  refreshToken: (tokenHash: string): string => `${SESSION_KEY_PARTS.refreshToken}${tokenHash}`,
  user: (tenantId: string, userId: string): string =>
    `${SESSION_KEY_PARTS.user}${tenantId}:${userId}`,
  live: (tenantId: string): string => `${SESSION_KEY_PARTS.live}${tenantId}`,
};

/** Revokes every family of one user atomically and drops them from the tenant's live set. A
 *  family that has expired is not re-created (no key without a TTL is left behind). Answers the
 *  families that were live until now. */
const REVOKE_USER = new LuaScript(`
local fams = redis.call('SMEMBERS', KEYS[1])
local ended = {}
for _, fam in ipairs(fams) do
  local key = ARGV[1] .. fam
  if redis.call('HGET', key, 'revoked') == '0' then
    redis.call('HSET', key, 'revoked', '1')
    table.insert(ended, fam)
  end
  redis.call('ZREM', KEYS[2], fam)
end
return {#fams, ended}
`);

export interface RevokedUserSessions {
  /** Every family the user had (live, revoked or expired). */
  families: number;
  /** The families this call ended. */
  ended: string[];
}

export async function revokeUserSessions(
  redis: Redis,
  tenantId: string,
  userId: string,
): Promise<RevokedUserSessions> {
  const [families, ended] = (await REVOKE_USER.run(
    redis,
    [sessionKeys.user(tenantId, userId), sessionKeys.live(tenantId)],
    [SESSION_KEY_PARTS.family],
  )) as [number, string[]];
  return { families: Number(families), ended: ended ?? [] };
}
