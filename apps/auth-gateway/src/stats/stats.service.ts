import { Injectable } from '@nestjs/common';
import { AUDIT_ACTIONS } from '../audit/audit.service';
import { SessionStore } from '../sessions/session.store';
import { StatsRepository } from './stats.repository';
import type { AdminStats, UserCounts } from './stats.types';

/** The admin dashboard's figures for the caller's tenant, gathered in parallel. */
@Injectable()
export class StatsService {
  constructor(
    private readonly stats: StatsRepository,
    private readonly sessions: SessionStore,
  ) {}

  async forTenant(tenantId: string): Promise<AdminStats> {
    const [counts, actions, lastSync, activeSessions, integrations] = await Promise.all([
      this.stats.userCounts(tenantId),
      this.stats.actionCountsSince(
        tenantId,
        [AUDIT_ACTIONS.login, AUDIT_ACTIONS.loginFailed, AUDIT_ACTIONS.lockout],
        24,
      ),
      this.stats.lastSync(tenantId),
      this.sessions.countLive(tenantId),
      this.stats.integrationCounts(tenantId),
    ]);
    const bySource = { local: empty(), ldap: empty() };
    const total = empty();
    for (const row of counts) {
      const source = row.source === 'ldap' ? bySource.ldap : bySource.local;
      for (const bucket of [source, total]) {
        bucket.total += row.count;
        if (row.active) bucket.active += row.count;
        else bucket.inactive += row.count;
      }
    }
    const countOf = (action: string): number =>
      actions.find((row) => row.action === action)?.count ?? 0;
    return {
      users: { ...total, bySource },
      sessions: { active: activeSessions },
      logins: {
        last24h: {
          succeeded: countOf(AUDIT_ACTIONS.login),
          failed: countOf(AUDIT_ACTIONS.loginFailed),
          lockouts: countOf(AUDIT_ACTIONS.lockout),
        },
      },
      lastSync,
      integrations,
      generatedAt: new Date().toISOString(),
    };
  }
}

function empty(): UserCounts {
  return { total: 0, active: 0, inactive: 0 };
}
