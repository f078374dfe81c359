import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface ProjectRow {
  id: string;
  tenantId: string;
  slug: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  consecutiveFailures: number;
  nextPollAt: Date | null;
}

const COLUMNS = `id, tenant_id AS "tenantId", slug, name, created_at AS "createdAt",
  updated_at AS "updatedAt", last_success_at AS "lastSuccessAt", last_error AS "lastError",
  last_error_at AS "lastErrorAt", consecutive_failures AS "consecutiveFailures",
  next_poll_at AS "nextPollAt"`;

/** `integration_projects`: projects by slug per tenant, and the health of their integration. */
@Injectable()
export class ProjectsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  list(tenantId: string): Promise<ProjectRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM integration_projects WHERE tenant_id = $1 ORDER BY slug`,
      [tenantId],
    );
  }

  /** Null when the tenant already has a project with this slug. */
  async create(tenantId: string, slug: string, name: string): Promise<ProjectRow | null> {
    const rows: ProjectRow[] = await this.db.query(
      `INSERT INTO integration_projects (tenant_id, slug, name) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, slug) DO NOTHING RETURNING ${COLUMNS}`,
      [tenantId, slug, name],
    );
    return rows[0] ?? null;
  }

  async findBySlug(tenantId: string, slug: string): Promise<ProjectRow | null> {
    const rows: ProjectRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM integration_projects WHERE tenant_id = $1 AND slug = $2`,
      [tenantId, slug],
    );
    return rows[0] ?? null;
  }

  async findById(id: string): Promise<ProjectRow | null> {
    const rows: ProjectRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM integration_projects WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Every tenant's project with this slug (webhook URLs carry no tenant; the signature picks). */
  findAllBySlug(slug: string): Promise<ProjectRow[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM integration_projects WHERE slug = $1`, [slug]);
  }

  /** Deletes the project; its config, unit statuses and change log go with it (ON DELETE
   *  CASCADE). False when it was already gone. */
  async delete(tenantId: string, id: string): Promise<boolean> {
    const rows: { id: string }[] = await this.db.query(
      'DELETE FROM integration_projects WHERE tenant_id = $1 AND id = $2 RETURNING id',
      [tenantId, id],
    );
    return rows.length > 0;
  }

  async recordSuccess(id: string): Promise<void> {
    await this.db.query(
      `UPDATE integration_projects SET last_success_at = now(), consecutive_failures = 0,
         next_poll_at = NULL, last_error = NULL, last_error_at = NULL
       WHERE id = $1`,
      [id],
    );
  }

  /** Counts the failure, keeps its message and, for polling, when the next poll may run. */
  async recordFailure(id: string, error: string, nextPollAt: Date | null): Promise<number> {
    const rows: { failures: number }[] = await this.db.query(
      `UPDATE integration_projects SET last_error = $2, last_error_at = now(),
         consecutive_failures = consecutive_failures + 1, next_poll_at = $3
       WHERE id = $1 RETURNING consecutive_failures AS failures`,
      [id, error.slice(0, 2000), nextPollAt],
    );
    return rows[0]?.failures ?? 0;
  }
}
