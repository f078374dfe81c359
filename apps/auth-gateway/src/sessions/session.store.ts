import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ChainableCommander, Redis } from 'ioredis';
import { DomainError, ErrorCode } from '@gatehouse/contracts';
import { randomId, randomToken } from '@gatehouse/crypto';
import {
  InjectRedis,
  LuaScript,
  revokeUserSessions,
  SESSION_KEY_PARTS,
  sessionKeys,
} from '@gatehouse/platform';

/** Rotation happens in one Lua script so two concurrent refreshes with the same token cannot both
 *  win: the first marks it rotated, the second sees that. A rotated token shown again inside the
 *  grace window is refused quietly (two tabs racing); later it revokes the whole family. Key
 *  prefixes come in ARGV (5 family, 6 live set, 7 user set) from SESSION_KEY_PARTS. */
const ROTATE = new LuaScript(`
local old = redis.call('HGETALL', KEYS[1])
if #old == 0 then return {'invalid'} end
local t = {}
for i = 1, #old, 2 do t[old[i]] = old[i + 1] end
local fam = ARGV[5] .. t.fam
if redis.call('HGET', fam, 'revoked') ~= '0' then return {'revoked', t.fam, t.uid, t.tid} end
if t.state == 'rotated' then
  if tonumber(ARGV[1]) - tonumber(t.rotated_at) <= tonumber(ARGV[3]) then return {'race', t.fam, t.uid, t.tid} end
  redis.call('HSET', fam, 'revoked', '1')
  redis.call('ZREM', ARGV[6] .. t.tid, t.fam)
  return {'reuse', t.fam, t.uid, t.tid}
end
redis.call('HSET', KEYS[1], 'state', 'rotated', 'rotated_at', ARGV[1])
redis.call('HSET', KEYS[2], 'fam', t.fam, 'uid', t.uid, 'tid', t.tid, 'state', 'live')
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('EXPIRE', fam, ARGV[2])
redis.call('EXPIRE', ARGV[7] .. t.tid .. ':' .. t.uid, ARGV[2])
redis.call('ZADD', ARGV[6] .. t.tid, (tonumber(ARGV[1]) + tonumber(ARGV[2])) * 1000, t.fam)
return {'ok', t.fam, t.uid, t.tid}
`);

export type RotationOutcome =
  | { kind: 'ok'; familyId: string; userId: string; tenantId: string; refreshToken: string }
  | { kind: 'invalid' }
  | { kind: 'revoked' | 'race' | 'reuse'; familyId: string; userId: string; tenantId: string };

export interface NewSession {
  familyId: string;
  refreshToken: string;
}

/** A session family's id (the tokens' `sid`). Chosen before the family is stored, so an access
 *  token naming it can be signed while the store's transaction is in flight. */
export function newFamilyId(): string {
  return randomId(16);
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Refresh sessions in Redis: opaque refresh tokens stored only as SHA-256 hashes, grouped in
 *  families (one per login) that can be revoked as a whole, and indexed per user. */
@Injectable()
export class SessionStore {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  /** `countLive: false` for client-application sessions, which are not people's sessions.
   *  `alongside` adds the caller's own commands to the same transaction (one round trip);
   *  `familyId` is the caller's when it signs a token naming the family meanwhile. */
  async create(
    tenantId: string,
    userId: string,
    ttlSeconds: number,
    {
      countLive = true,
      alongside,
      familyId = newFamilyId(),
    }: {
      countLive?: boolean;
      alongside?: (tx: ChainableCommander) => void;
      familyId?: string;
    } = {},
  ): Promise<NewSession> {
    const refreshToken = `rt1.${randomToken(32)}`;
    const userKey = sessionKeys.user(tenantId, userId);
    const familyKey = sessionKeys.family(familyId);
    const tokenKey = sessionKeys.refreshToken(hashOf(refreshToken));
    const tx = this.redis
      .multi()
      .hset(familyKey, {
        uid: userId,
        tid: tenantId,
        revoked: '0',
        created: Date.now(),
      })
      .expire(familyKey, ttlSeconds)
      .hset(tokenKey, {
        fam: familyId,
        uid: userId,
        tid: tenantId,
        state: 'live',
      })
      .expire(tokenKey, ttlSeconds)
      .sadd(userKey, familyId)
      .expire(userKey, ttlSeconds);
    if (countLive) tx.zadd(sessionKeys.live(tenantId), Date.now() + ttlSeconds * 1000, familyId);
    alongside?.(tx);
    await tx.exec();
    return { familyId, refreshToken };
  }

  async rotate(
    refreshToken: string,
    ttlSeconds: number,
    graceSeconds: number,
  ): Promise<RotationOutcome> {
    const next = `rt1.${randomToken(32)}`;
    const reply = (await ROTATE.run(
      this.redis,
      [sessionKeys.refreshToken(hashOf(refreshToken)), sessionKeys.refreshToken(hashOf(next))],
      [
        Math.floor(Date.now() / 1000),
        ttlSeconds,
        graceSeconds,
        '',
        SESSION_KEY_PARTS.family,
        SESSION_KEY_PARTS.live,
        SESSION_KEY_PARTS.user,
      ],
    )) as string[];
    const [kind, familyId = '', userId = '', tenantId = ''] = reply;
    switch (kind) {
      case 'ok':
        return { kind: 'ok', familyId, userId, tenantId, refreshToken: next };
      case 'revoked':
      case 'race':
      case 'reuse':
        return { kind, familyId, userId, tenantId };
      default:
        return { kind: 'invalid' };
    }
  }

  /** The family a refresh token belongs to, without rotating it (logout). */
  async familyOf(refreshToken: string): Promise<string | undefined> {
    const family = await this.redis.hget(sessionKeys.refreshToken(hashOf(refreshToken)), 'fam');
    return family ?? undefined;
  }

  /** A Redis that cannot answer makes the session's state unknown: 503, never a 500 or a yes. */
  async isActive(familyId: string): Promise<boolean> {
    let revoked: string | null;
    try {
      revoked = await this.redis.hget(sessionKeys.family(familyId), 'revoked');
    } catch {
      throw new DomainError(ErrorCode.PeerUnavailable, 'Session store unavailable');
    }
    return revoked === '0';
  }

  async revokeFamily(familyId: string): Promise<void> {
    const key = sessionKeys.family(familyId);
    const tenantId = await this.redis.hget(key, 'tid');
    if (tenantId === null) return;
    await this.redis
      .multi()
      .hset(key, 'revoked', '1')
      .zrem(sessionKeys.live(tenantId), familyId)
      .exec();
  }

  /** Sessions of a tenant neither expired nor revoked: a sorted set of family ids scored by
   *  expiry (kept by create, rotate and revoke), pruned of expired ones before counting. */
  async countLive(tenantId: string): Promise<number> {
    const key = sessionKeys.live(tenantId);
    const [, counted] = (await this.redis
      .multi()
      .zremrangebyscore(key, '-inf', Date.now())
      .zcard(key)
      .exec()) ?? [
      [null, 0],
      [null, 0],
    ];
    return Number(counted?.[1] ?? 0);
  }

  /** Every session of a user: logout everywhere, password change, deactivation, LDAP removal. */
  async revokeUser(tenantId: string, userId: string): Promise<number> {
    return (await revokeUserSessions(this.redis, tenantId, userId)).families;
  }
}
