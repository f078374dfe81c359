import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { IntegrationCounts, LastSyncView } from './stats.types';

/** The stats' queries, each answered from an index (see the 1764310000000 migration): counts by
 *  (tenant, source, active), audit actions by (tenant, action, created_at), the last sync run by
 *  (tenant, started_at). */
@Injectable()
export class StatsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  userCounts(tenantId: string): Promise<{ source: string; active: boolean; count: number }[]> {
    return this.db.query(
      `SELECT source, active, count(*)::int AS count FROM users WHERE tenant_id = $1
       GROUP BY source, active`,
      [tenantId],
    );
  }

  actionCountsSince(
    tenantId: string,
    actions: string[],
    hours: number,
  ): Promise<{ action: string; count: number }[]> {
    return this.db.query(
      `SELECT action, count(*)::int AS count FROM audit_log
       WHERE tenant_id = $1 AND action = ANY($2::text[])
         AND created_at > now() - make_interval(hours => $3)
       GROUP BY action`,
      [tenantId, actions, hours],
    );
  }

  async lastSync(tenantId: string): Promise<LastSyncView | null> {
    const rows = await this.db.query<LastSyncView[]>(
      `SELECT tenant_id AS "tenantId", 'SYNC_' || id AS id, status, sync_type AS "syncType",
              to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startedAt",
              to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "endedAt",
              total_users AS "totalUsers", new_users AS "newUsers",
              updated_users AS "updatedUsers", deleted_users AS "deletedUsers",
              failed_users AS "failedUsers", error
       FROM ldap_sync_runs WHERE tenant_id = $1 AND NOT dry_run
       ORDER BY started_at DESC, id DESC LIMIT 1`,
      [tenantId],
    );
    return rows[0] ?? null;
  }

  /** Read straight from integration-gateway's tables (a dashboard count; the gateway writes
   *  nothing there). */
  async integrationCounts(tenantId: string): Promise<IntegrationCounts> {
    const rows = await this.db.query<
      (Omit<IntegrationCounts, 'byMethod'> & IntegrationCounts['byMethod'])[]
    >(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE c.id IS NULL)::int AS unconfigured,
              count(*) FILTER (WHERE c.id IS NOT NULL AND p.last_error IS NULL)::int AS healthy,
              count(*) FILTER (WHERE c.id IS NOT NULL AND p.last_error IS NOT NULL)::int AS failing,
              count(*) FILTER (WHERE c.update_method = 'polling')::int AS polling,
              count(*) FILTER (WHERE c.update_method = 'sse')::int AS sse,
              count(*) FILTER (WHERE c.update_method = 'webhook')::int AS webhook
       FROM integration_projects p LEFT JOIN integration_configs c ON c.project_id = p.id
       WHERE p.tenant_id = $1`,
      [tenantId],
    );
    const row = rows[0];
    return {
      total: row?.total ?? 0,
      unconfigured: row?.unconfigured ?? 0,
      healthy: row?.healthy ?? 0,
      failing: row?.failing ?? 0,
      byMethod: { polling: row?.polling ?? 0, sse: row?.sse ?? 0, webhook: row?.webhook ?? 0 },
    };
  }
}
