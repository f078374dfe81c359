import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { CanonicalStatus, UnitStatusSource } from '@gatehouse/contracts';

export interface UnitStatusInput {
  unitId: string;
  status: CanonicalStatus;
  raw: string;
}

export interface UnitChange {
  unitId: string;
  oldStatus: CanonicalStatus | null;
  status: CanonicalStatus;
  raw: string;
  changedAt: Date;
}

export interface UnitStatusRow {
  unitId: string;
  status: CanonicalStatus;
  raw: string;
  source: UnitStatusSource;
  updatedAt: Date;
}

/** Rows per statement: bounded parameters and lock sets for very long lists. */
const CHUNK = 10_000;

/**
 * `integration_unit_statuses` and `integration_status_changes`. One statement per chunk upserts
 * the units whose canonical or raw status differs (an unchanged unit writes nothing) and appends
 * each change, with the status it replaced, to the change log. Units are sorted so concurrent
 * writers (a poll and a webhook) lock rows in the same order.
 */
@Injectable()
export class UnitStatusRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async apply(
    tenantId: string,
    projectId: string,
    units: UnitStatusInput[],
    source: UnitStatusSource,
  ): Promise<UnitChange[]> {
    const sorted = [...units].sort((a, b) =>
      a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0,
    );
    const changes: UnitChange[] = [];
    for (let start = 0; start < sorted.length; start += CHUNK) {
      const chunk = sorted.slice(start, start + CHUNK);
      const rows: UnitChange[] = await this.db.query(
        `WITH incoming AS (
           SELECT * FROM unnest($3::text[], $4::text[], $5::text[]) AS i(unit_id, status, raw_status)
         ), previous AS (
           SELECT s.unit_id, s.status FROM integration_unit_statuses s
           JOIN incoming i ON i.unit_id = s.unit_id WHERE s.project_id = $2
         ), written AS (
           INSERT INTO integration_unit_statuses AS u
             (project_id, unit_id, tenant_id, status, raw_status, source, updated_at)
           SELECT $2, unit_id, $1, status, raw_status, $6, now() FROM incoming
           ON CONFLICT (project_id, unit_id) DO UPDATE
             SET status = EXCLUDED.status, raw_status = EXCLUDED.raw_status,
                 source = EXCLUDED.source, updated_at = EXCLUDED.updated_at
             WHERE u.status <> EXCLUDED.status OR u.raw_status <> EXCLUDED.raw_status
           RETURNING u.unit_id, u.status, u.raw_status, u.updated_at
         ), logged AS (
           INSERT INTO integration_status_changes
             (tenant_id, project_id, unit_id, old_status, new_status, raw_status, source, changed_at)
           SELECT $1, $2, w.unit_id, p.status, w.status, w.raw_status, $6, w.updated_at
           FROM written w LEFT JOIN previous p ON p.unit_id = w.unit_id
           RETURNING unit_id AS "unitId", old_status AS "oldStatus", new_status AS status,
             raw_status AS raw, changed_at AS "changedAt"
         )
         SELECT * FROM logged`,
        [
          tenantId,
          projectId,
          chunk.map((unit) => unit.unitId),
          chunk.map((unit) => unit.status),
          chunk.map((unit) => unit.raw),
          source,
        ],
      );
      changes.push(...rows);
    }
    return changes;
  }

  async list(
    tenantId: string,
    projectId: string,
    status: CanonicalStatus | undefined,
    page: number,
    size: number,
  ): Promise<{ rows: UnitStatusRow[]; total: number }> {
    const filter = status === undefined ? '' : 'AND status = $3';
    const params: unknown[] = [tenantId, projectId];
    if (status !== undefined) params.push(status);
    const rows: UnitStatusRow[] = await this.db.query(
      `SELECT unit_id AS "unitId", status, raw_status AS raw, source, updated_at AS "updatedAt"
       FROM integration_unit_statuses WHERE tenant_id = $1 AND project_id = $2 ${filter}
       ORDER BY unit_id LIMIT ${size} OFFSET ${(page - 1) * size}`,
      params,
    );
    const counted: { total: string }[] = await this.db.query(
      `SELECT count(*) AS total FROM integration_unit_statuses
       WHERE tenant_id = $1 AND project_id = $2 ${filter}`,
      params,
    );
    return { rows, total: Number(counted[0]?.total ?? 0) };
  }
}
