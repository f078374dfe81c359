import { Injectable, Logger } from '@nestjs/common';
import type { LdapSyncMode, LdapSyncStatus, LdapSyncType } from '@gatehouse/contracts';
import { SHARED_AUDIT_ACTIONS, SYSTEM_ACTOR_NAME } from '@gatehouse/platform';
import { type AuditActor, AuditLogRepository, type AuditRow } from './audit-log.repository';

/** The scheduler (and the start-up recovery of a run whose worker died). */
export const SYNC_AUDIT_ACTOR_SYSTEM: AuditActor = {
  actorId: null,
  actorName: SYSTEM_ACTOR_NAME,
  clientAddress: null,
  requestId: null,
};

/** A run as it ended: what `after` of its `ldap.sync` row says. */
export interface EndedRun {
  tenantId: string;
  runId: string;
  syncType: LdapSyncType;
  mode: LdapSyncMode;
  forced: boolean;
  status: Exclude<LdapSyncStatus, 'running'>;
  counts?: {
    totalUsers: number;
    newUsers: number;
    updatedUsers: number;
    deletedUsers: number;
    failedUsers: number;
    entriesRead: number;
    entriesWritten: number;
  };
  error: string | null;
}

/** The session families a run ended when it deactivated users. */
export interface EndedSessions {
  userId: string;
  familyIds: string[];
}

/**
 * The audit rows of ldap-sync (issue #6 "syncs are recorded too"): one `ldap.sync` row when a run
 * ends, one `auth.session_family_revoked` row per session family it ended, one
 * `ldap.user_resync` row per single-user re-sync. They are written after the fact, all rows of a
 * run in one INSERT; a failure to write them is logged and never fails the sync.
 */
@Injectable()
export class SyncAuditService {
  private readonly logger = new Logger(SyncAuditService.name);

  constructor(private readonly audit: AuditLogRepository) {}

  async runEnded(run: EndedRun, actor: AuditActor, sessions: EndedSessions[] = []): Promise<void> {
    const rows: AuditRow[] = [
      {
        action: SHARED_AUDIT_ACTIONS.ldapSync,
        targetType: 'ldap_sync_run',
        targetId: `SYNC_${run.runId}`,
        after: {
          status: run.status,
          syncType: run.syncType,
          mode: run.mode,
          forced: run.forced,
          ...(run.counts ?? {}),
          error: run.error,
        },
      },
    ];
    for (const user of sessions) {
      for (const familyId of user.familyIds) {
        rows.push({
          action: SHARED_AUDIT_ACTIONS.sessionFamilyRevoked,
          targetType: 'user',
          targetId: user.userId,
          after: { familyId, reason: 'deactivated by LDAP sync', runId: `SYNC_${run.runId}` },
        });
      }
    }
    await this.write(run.tenantId, actor, rows);
  }

  async userResynced(
    tenantId: string,
    actor: AuditActor,
    username: string,
    after: Record<string, unknown>,
  ): Promise<void> {
    await this.write(tenantId, actor, [
      {
        action: SHARED_AUDIT_ACTIONS.ldapUserResync,
        targetType: 'ldap_user',
        targetId: username,
        after,
      },
    ]);
  }

  private async write(tenantId: string, actor: AuditActor, rows: AuditRow[]): Promise<void> {
    try {
      await this.audit.insert(tenantId, actor, rows);
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`tenant ${tenantId}: audit rows ${rows[0]?.action} not written: ${message}`);
    }
  }
}
