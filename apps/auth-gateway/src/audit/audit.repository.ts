import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuditActor, AuditEntry, AuditRecordView, Queryable } from './audit.types';

export interface AuditFilter {
  action?: string;
  targetType?: string;
  targetId?: string;
  actorId?: string;
  from?: Date;
  to?: Date;
}

/** The audit log: appended to, never updated. Reads are tenant-scoped and newest first. */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(q: Queryable, actor: AuditActor, entry: AuditEntry): Promise<void> {
    await q.query(
      `INSERT INTO audit_log (tenant_id, actor_id, actor_name, action, target_type, target_id,
                              before, after, client_address, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        actor.tenantId,
        actor.actorId,
        actor.actorName.slice(0, 256),
        entry.action,
        entry.targetType,
        entry.targetId.slice(0, 128),
        entry.before === undefined ? null : JSON.stringify(entry.before),
        entry.after === undefined ? null : JSON.stringify(entry.after),
        actor.address?.slice(0, 64) ?? null,
        actor.requestId,
      ],
    );
  }

  /** Many rows in one statement (the background writer's batches). Rows of a tenant that does not
   *  exist (a login attempt naming one) are skipped rather than failing the batch. Entries are
   *  expected masked already. */
  async insertMany(rows: { actor: AuditActor; entry: AuditEntry; at: Date }[]): Promise<void> {
    if (rows.length === 0) return;
    const column = <T>(pick: (row: { actor: AuditActor; entry: AuditEntry; at: Date }) => T): T[] =>
      rows.map(pick);
    const json = (value: unknown): string | null =>
      value === undefined ? null : JSON.stringify(value);
    await this.db.query(
      `INSERT INTO audit_log (tenant_id, actor_id, actor_name, action, target_type, target_id,
                              before, after, client_address, request_id, created_at)
       SELECT r.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::jsonb[], $8::jsonb[], $9::text[], $10::text[],
                              $11::timestamptz[])
         AS r(tenant_id, actor_id, actor_name, action, target_type, target_id, before, after,
              client_address, request_id, created_at)
       WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.id = r.tenant_id)`,
      [
        column((row) => row.actor.tenantId),
        column((row) => row.actor.actorId),
        column((row) => row.actor.actorName.slice(0, 256)),
        column((row) => row.entry.action),
        column((row) => row.entry.targetType),
        column((row) => row.entry.targetId.slice(0, 128)),
        column((row) => json(row.entry.before)),
        column((row) => json(row.entry.after)),
        column((row) => row.actor.address?.slice(0, 64) ?? null),
        column((row) => row.actor.requestId),
        // When it happened, not when the batch was written: the log's order is the events'.
        column((row) => row.at),
      ],
    );
  }

  async page(
    tenantId: string,
    filter: AuditFilter,
    page: number,
    size: number,
  ): Promise<{ total: number; list: AuditRecordView[] }> {
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.action) add('action = ?', filter.action);
    if (filter.targetType) add('target_type = ?', filter.targetType);
    if (filter.targetId) add('target_id = ?', filter.targetId);
    if (filter.actorId) add('actor_id = ?', filter.actorId);
    if (filter.from) add('created_at >= ?', filter.from);
    if (filter.to) add('created_at < ?', filter.to);
    const clause = where.join(' AND ');
    const [counted, list] = await Promise.all([
      this.db.query<{ total: string }[]>(
        `SELECT count(*) AS total FROM audit_log WHERE ${clause}`,
        params,
      ),
      this.db.query<AuditRecordView[]>(
        `SELECT id, tenant_id AS "tenantId", actor_id AS "actorId", actor_name AS "actorName",
                action, target_type AS "targetType", target_id AS "targetId", before, after,
                client_address AS "clientAddress", request_id AS "requestId",
                to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"
         FROM audit_log WHERE ${clause}
         ORDER BY created_at DESC, id DESC LIMIT ${size} OFFSET ${(page - 1) * size}`,
        params,
      ),
    ]);
    return { total: Number(counted[0]?.total ?? 0), list };
  }
}
