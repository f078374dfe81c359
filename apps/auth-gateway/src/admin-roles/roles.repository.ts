import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Queryable } from '../audit/audit.types';

export interface RoleView {
  id: string;
  system: string;
  name: string;
  description: string;
  holders: number;
}

const ROLE_COLUMNS = `r.id, s.code AS system, r.name, r.description,
  (SELECT count(*)::int FROM user_roles ur WHERE ur.role_id = r.id) AS holders`;

/** Roles of the tenant's systems and their grants to users. Every method takes the tenant. */
@Injectable()
export class RolesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  list(tenantId: string, system?: string): Promise<RoleView[]> {
    return this.db.query(
      `SELECT ${ROLE_COLUMNS} FROM roles r JOIN systems s ON s.id = r.system_id
       WHERE r.tenant_id = $1 AND ($2::text IS NULL OR s.code = $2) ORDER BY s.code, r.name`,
      [tenantId, system ?? null],
    );
  }

  async findById(q: Queryable, tenantId: string, id: string): Promise<RoleView | undefined> {
    const rows = await q.query<RoleView[]>(
      `SELECT ${ROLE_COLUMNS} FROM roles r JOIN systems s ON s.id = r.system_id
       WHERE r.tenant_id = $1 AND r.id = $2`,
      [tenantId, id],
    );
    return rows[0];
  }

  async systemId(q: Queryable, tenantId: string, code: string): Promise<string | undefined> {
    const rows = await q.query<{ id: string }[]>(
      'SELECT id FROM systems WHERE tenant_id = $1 AND code = $2',
      [tenantId, code],
    );
    return rows[0]?.id;
  }

  async insert(
    q: Queryable,
    tenantId: string,
    systemId: string,
    name: string,
    description: string,
  ): Promise<string> {
    const rows = await q.query<{ id: string }[]>(
      `INSERT INTO roles (tenant_id, system_id, name, description) VALUES ($1, $2, $3, $4)
       RETURNING id`,
      [tenantId, systemId, name, description],
    );
    return rows[0]?.id ?? '';
  }

  async update(
    q: Queryable,
    tenantId: string,
    id: string,
    name: string,
    description: string,
  ): Promise<void> {
    await q.query('UPDATE roles SET name = $3, description = $4 WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      id,
      name,
      description,
    ]);
  }

  async remove(q: Queryable, tenantId: string, id: string): Promise<void> {
    await q.query('DELETE FROM roles WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  }

  /** True when the grant is new. */
  async grant(q: Queryable, tenantId: string, userId: string, roleId: string): Promise<boolean> {
    const rows = await q.query<unknown[]>(
      `INSERT INTO user_roles (tenant_id, user_id, role_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING role_id`,
      [tenantId, userId, roleId],
    );
    return rows.length > 0;
  }

  async revoke(q: Queryable, tenantId: string, userId: string, roleId: string): Promise<boolean> {
    const [rows] = await q.query<[unknown[], number]>(
      `DELETE FROM user_roles WHERE tenant_id = $1 AND user_id = $2 AND role_id = $3
       RETURNING role_id`,
      [tenantId, userId, roleId],
    );
    return rows.length > 0;
  }
}
