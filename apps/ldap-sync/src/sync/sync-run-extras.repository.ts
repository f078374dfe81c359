import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { LdapSyncGroupSummary } from '@gatehouse/contracts';
import type { RunHistoryFacts } from './sync-mode';

/** The counters a running run reports as it goes. */
export interface RunProgress {
  entriesRead: number;
  entriesWritten: number;
  newUsers: number;
  updatedUsers: number;
  failedUsers: number;
}

/**
 * What a run records besides its outcome (sync.repository.ts): progress while it runs, the
 * summary of its group phase, and the history facts that decide a scheduled run's mode.
 */
@Injectable()
export class SyncRunExtrasRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Only a run still in progress takes progress (a late write never overwrites the outcome).
   *  Progress only moves forward: reports from pages written at once may commit out of order,
   *  so each count keeps the larger of the stored and the reported value. */
  async reportProgress(runId: string, progress: RunProgress): Promise<void> {
    await this.db.query(
      `UPDATE ldap_sync_runs SET entries_read = GREATEST(entries_read, $2),
         entries_written = GREATEST(entries_written, $3), new_users = GREATEST(new_users, $4),
         updated_users = GREATEST(updated_users, $5), failed_users = GREATEST(failed_users, $6),
         total_users = GREATEST(total_users, $2), modified_date = now()
       WHERE id = $1 AND status = 'running'`,
      [
        runId,
        progress.entriesRead,
        progress.entriesWritten,
        progress.newUsers,
        progress.updatedUsers,
        progress.failedUsers,
      ],
    );
  }

  async saveGroupSummary(runId: string, summary: LdapSyncGroupSummary): Promise<void> {
    await this.db.query(`UPDATE ldap_sync_runs SET group_summary = $2::jsonb WHERE id = $1`, [
      runId,
      JSON.stringify(summary),
    ]);
  }

  async historyFacts(tenantId: string): Promise<RunHistoryFacts> {
    const [row] = await this.db.query<
      { lastFullSuccess: Date | null; lastSuccess: Date | null; scheduledSinceFull: string }[]
    >(
      `WITH full_ok AS (
         SELECT max(started_at) AS at FROM ldap_sync_runs
         WHERE tenant_id = $1 AND status = 'succeeded' AND mode = 'full' AND NOT dry_run
       )
       SELECT (SELECT at FROM full_ok) AS "lastFullSuccess",
              (SELECT max(started_at) FROM ldap_sync_runs
               WHERE tenant_id = $1 AND status = 'succeeded' AND NOT dry_run) AS "lastSuccess",
              (SELECT count(*) FROM ldap_sync_runs
               WHERE tenant_id = $1 AND sync_type = 'auto'
                 AND started_at > coalesce((SELECT at FROM full_ok), '-infinity'))::text
                AS "scheduledSinceFull"`,
      [tenantId],
    );
    return {
      lastFullSuccess: row?.lastFullSuccess ?? null,
      lastSuccess: row?.lastSuccess ?? null,
      scheduledSinceFull: Number(row?.scheduledSinceFull ?? 0),
    };
  }
}

/** A progress writer for one run that writes at most once per `intervalMs` (the first call
 *  writes at once, so a short run still shows progress); `flush` is not needed at the end,
 *  the run's outcome replaces the counters. Failures to write progress never fail the run. */
export function throttledProgress(
  write: (progress: RunProgress) => Promise<void>,
  intervalMs: number,
  now: () => number = Date.now,
): (progress: RunProgress) => Promise<void> {
  let last = Number.NEGATIVE_INFINITY;
  return async (progress) => {
    const at = now();
    if (at - last < intervalMs) return;
    last = at;
    try {
      await write({ ...progress });
    } catch {
      // Progress is advisory; the run's own writes report real database trouble.
    }
  };
}
