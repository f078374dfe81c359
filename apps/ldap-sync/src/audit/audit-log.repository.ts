import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { maskSecrets } from '@gatehouse/platform';

/** Who started what ldap-sync records, and from where (null address and request id for the
 *  scheduler). The gateway passes the acting admin in the RPC request and the BullMQ job. */
export interface AuditActor {
  actorId: string | null;
  actorName: string;
  clientAddress: string | null;
  requestId: string | null;
}

export interface AuditRow {
  action: string;
  targetType: string;
  targetId: string;
  before?: unknown;
  after?: unknown;
}

/** Appends to the shared `audit_log` table (owned by the gateway, which reads it at
 *  `GET /api/v1/admin/audit`): any number of rows of one tenant and actor in one INSERT, their
 *  before/after masked by the gateway's rules. */
@Injectable()
export class AuditLogRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(tenantId: string, actor: AuditActor, rows: readonly AuditRow[]): Promise<void> {
    if (rows.length === 0) return;
    const json = (value: unknown): string | null =>
      value === undefined ? null : JSON.stringify(maskSecrets(value));
    await this.db.query(
      `INSERT INTO audit_log (tenant_id, actor_id, actor_name, action, target_type, target_id,
                              before, after, client_address, request_id)
       SELECT $1, $2, $3, r.action, r.target_type, r.target_id, r.before::jsonb, r.after::jsonb,
              $4, $5
       FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
            WITH ORDINALITY AS r(action, target_type, target_id, before, after, n)
       ORDER BY r.n`,
      [
        tenantId,
        actor.actorId?.slice(0, 64) ?? null,
        actor.actorName.slice(0, 256),
        actor.clientAddress?.slice(0, 64) ?? null,
        actor.requestId?.slice(0, 128) ?? null,
        rows.map((row) => row.action),
        rows.map((row) => row.targetType),
        rows.map((row) => row.targetId.slice(0, 128)),
        rows.map((row) => json(row.before)),
        rows.map((row) => json(row.after)),
      ],
    );
  }
}
