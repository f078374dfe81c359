import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Queryable } from '../audit/audit.types';

export interface AdminRoleView {
  id: string;
  name: string;
  permissions: string[];
  holders: number;
}

const COLUMNS = `ar.id, ar.name, ar.permissions,
  (SELECT count(*)::int FROM user_admin_roles uar WHERE uar.admin_role_id = ar.id) AS holders`;

/** Admin roles (named permission lists of the management API) and their grants. */
@Injectable()
export class AdminRolesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  list(tenantId: string): Promise<AdminRoleView[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM admin_roles ar WHERE ar.tenant_id = $1 ORDER BY ar.name`,
      [tenantId],
    );
  }

  async findById(q: Queryable, tenantId: string, id: string): Promise<AdminRoleView | undefined> {
    const rows = await q.query<AdminRoleView[]>(
      `SELECT ${COLUMNS} FROM admin_roles ar WHERE ar.tenant_id = $1 AND ar.id = $2`,
      [tenantId, id],
    );
    return rows[0];
  }

  async insert(
    q: Queryable,
    tenantId: string,
    name: string,
    permissions: string[],
  ): Promise<string> {
    const rows = await q.query<{ id: string }[]>(
      'INSERT INTO admin_roles (tenant_id, name, permissions) VALUES ($1, $2, $3) RETURNING id',
      [tenantId, name, permissions],
    );
    return rows[0]?.id ?? '';
  }

  async update(
    q: Queryable,
    tenantId: string,
    id: string,
    name: string,
    permissions: string[],
  ): Promise<void> {
    await q.query(
      'UPDATE admin_roles SET name = $3, permissions = $4 WHERE tenant_id = $1 AND id = $2',
      [tenantId, id, name, permissions],
    );
  }

  async remove(q: Queryable, tenantId: string, id: string): Promise<void> {
    await q.query('DELETE FROM admin_roles WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  }

  /** The caller checked that user and admin role are both of the tenant. */
  async grant(q: Queryable, userId: string, adminRoleId: string): Promise<boolean> {
    const rows = await q.query<unknown[]>(
      `INSERT INTO user_admin_roles (user_id, admin_role_id) VALUES ($1, $2)
       ON CONFLICT DO NOTHING RETURNING user_id`,
      [userId, adminRoleId],
    );
    return rows.length > 0;
  }

  async revoke(q: Queryable, userId: string, adminRoleId: string): Promise<boolean> {
    const [rows] = await q.query<[unknown[], number]>(
      'DELETE FROM user_admin_roles WHERE user_id = $1 AND admin_role_id = $2 RETURNING user_id',
      [userId, adminRoleId],
    );
    return rows.length > 0;
  }
}
