import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@gatehouse/contracts';
import { currentRequestId, SHARED_AUDIT_ACTIONS } from '@gatehouse/platform';
import { maskSecrets } from './audit-mask.util';
import { AuditBackgroundWriter } from './audit-background.writer';
import { AuditRepository } from './audit.repository';
import type { AuditActor, AuditEntry, Queryable } from './audit.types';

export const AUDIT_ACTIONS = {
  login: 'auth.login',
  loginFailed: 'auth.login_failed',
  lockout: 'auth.lockout',
  sessionFamilyRevoked: SHARED_AUDIT_ACTIONS.sessionFamilyRevoked,
} as const;

/** Writes the audit log. Admin changes call `record` inside their own transaction, so a change
 *  and its record commit or roll back together. Login events are recorded after the fact, in
 *  batches (AuditBackgroundWriter); a failure to record them is logged, never turned into a
 *  failed login. */
@Injectable()
export class AuditService {
  constructor(
    private readonly audit: AuditRepository,
    private readonly backgroundWriter: AuditBackgroundWriter,
  ) {}

  async record(q: Queryable, actor: AuditActor, entry: AuditEntry): Promise<void> {
    await this.audit.insert(q, actor, {
      ...entry,
      before: maskSecrets(entry.before),
      after: maskSecrets(entry.after),
    });
  }

  /** Records the outcome of a login and hands it back unchanged (success, 401, or 429 lockout). */
  async trackLogin<T extends { claims: { sub: string } }>(
    input: Record<string, unknown>,
    address: string | undefined,
    outcome: Promise<T>,
  ): Promise<T> {
    const tenantId = typeof input.tenantId === 'string' ? input.tenantId : '1';
    const username = typeof input.username === 'string' ? input.username.slice(0, 256) : '';
    const actor = (actorId: string | null): AuditActor => ({
      tenantId,
      actorId,
      actorName: username,
      address: address ?? null,
      requestId: currentRequestId() ?? null,
    });
    try {
      const result = await outcome;
      const userId = result.claims.sub;
      this.background(actor(userId), {
        action: AUDIT_ACTIONS.login,
        targetType: 'user',
        targetId: userId ?? '',
      });
      return result;
    } catch (error: unknown) {
      if (error instanceof DomainError) {
        const action =
          error.code === ErrorCode.TooManyRequests
            ? AUDIT_ACTIONS.lockout
            : error.code === ErrorCode.Unauthenticated
              ? AUDIT_ACTIONS.loginFailed
              : undefined;
        if (action)
          this.background(actor(null), { action, targetType: 'user', targetId: username });
      }
      throw error;
    }
  }

  /** A refresh family revoked because a rotated token was shown again (possible token theft). */
  familyRevoked(tenantId: string, userId: string, familyId: string): void {
    this.background(
      {
        tenantId,
        actorId: null,
        actorName: 'system',
        address: null,
        requestId: currentRequestId() ?? null,
      },
      {
        action: AUDIT_ACTIONS.sessionFamilyRevoked,
        targetType: 'user',
        targetId: userId,
        after: { familyId, reason: 'refresh token reuse' },
      },
    );
  }

  /** Recorded in the background writer's next batch (events of tenants that do not exist, which
   *  only a failed login can name, are skipped there). */
  private background(actor: AuditActor, entry: AuditEntry): void {
    this.backgroundWriter.add(actor, entry);
  }
}
