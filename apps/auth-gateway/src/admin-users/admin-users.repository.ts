import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Queryable } from '../audit/audit.types';
import type {
  AdminRoleGrantView,
  AdminUserRow,
  GrantView,
  UserFields,
  UserSearch,
} from './admin-users.types';

const COLUMNS = `u.id, u.username, u.source, u.user_type AS "userType", u.email,
  u.first_name AS "firstName", u.last_name AS "lastName", u.company_id AS "companyId",
  u.employee_number AS "employeeNumber", u.active, u.ldap_dn AS "ldapDn",
  to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
  to_char(u.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"`;

/** Sort keys to SQL, a fixed list: the sort never reaches SQL as text. `username` sorts by
 *  lower(username) to use the unique (tenant, lower(username)) index; no NULLS clause, so the
 *  default order matches the indexes (a NULLS LAST on a descending sort would sort every row). */
const SORT_SQL: Record<string, string> = {
  id: 'u.id',
  username: 'lower(u.username)',
  email: 'u.email',
  firstName: 'u.first_name',
  lastName: 'u.last_name',
  createdAt: 'u.created_at',
  updatedAt: 'u.updated_at',
};

/** `%`, `_` and `\` are LIKE wildcards; a keyword matches them literally. */
export function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** Users as the admin API sees them. Every method takes the tenant. */
@Injectable()
export class AdminUsersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async search(
    tenantId: string,
    query: UserSearch,
  ): Promise<{ total: number; rows: AdminUserRow[] }> {
    const where = ['u.tenant_id = $1'];
    const params: unknown[] = [tenantId];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const keyword = query.keyword?.trim().toLowerCase();
    if (keyword) where.push(`u.search_text LIKE ${param(`%${likeEscape(keyword)}%`)}`);
    if (query.source) where.push(`u.source = ${param(query.source)}`);
    if (query.active !== undefined) where.push(`u.active = ${param(query.active)}`);
    const onlyRoleFilter = where.length === 1;
    let roleIds: string[] | undefined;
    if (query.system || query.role) {
      // The role ids first: with them as constants the planner knows how many grants match and
      // walks the sort index with a semi-join instead of looping over every grant.
      roleIds = await this.roleIds(tenantId, query.system, query.role);
      if (roleIds.length === 0) return { total: 0, rows: [] };
      where.push(
        `u.id IN (SELECT ur.user_id FROM user_roles ur WHERE ur.role_id = ANY(${param(roleIds)}::bigint[]))`,
      );
    }
    const clause = where.join(' AND ');
    const sort = SORT_SQL[query.sort] ?? 'u.created_at';
    const order = query.order === 'asc' ? 'ASC' : 'DESC';
    const offset = (query.page - 1) * query.size;
    const [counted, rows] = await Promise.all([
      roleIds && onlyRoleFilter
        ? // Holders of the roles, counted from the (role_id, user_id) index alone: the role ids
          // are the tenant's, and so are their grants.
          this.db.query<{ total: string }[]>(
            'SELECT count(DISTINCT user_id) AS total FROM user_roles WHERE role_id = ANY($1::bigint[])',
            [roleIds],
          )
        : this.db.query<{ total: string }[]>(
            `SELECT count(*) AS total FROM users u WHERE ${clause}`,
            params,
          ),
      this.db.query<AdminUserRow[]>(
        `SELECT ${COLUMNS} FROM users u WHERE ${clause}
         ORDER BY ${sort} ${order}, u.id ${order} LIMIT ${query.size} OFFSET ${offset}`,
        params,
      ),
    ]);
    return { total: Number(counted[0]?.total ?? 0), rows };
  }

  private async roleIds(tenantId: string, system?: string, role?: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT r.id FROM roles r JOIN systems s ON s.id = r.system_id
       WHERE r.tenant_id = $1 AND ($2::text IS NULL OR s.code = $2)
         AND ($3::text IS NULL OR r.name = $3)`,
      [tenantId, system ?? null, role ?? null],
    );
    return rows.map((row) => row.id);
  }

  async findById(
    q: Queryable,
    tenantId: string,
    id: string,
    lock = false,
  ): Promise<AdminUserRow | undefined> {
    const rows = await q.query<AdminUserRow[]>(
      `SELECT ${COLUMNS} FROM users u WHERE u.tenant_id = $1 AND u.id = $2${lock ? ' FOR UPDATE' : ''}`,
      [tenantId, id],
    );
    return rows[0];
  }

  async grantsOf(
    q: Queryable,
    tenantId: string,
    userIds: string[],
  ): Promise<Map<string, GrantView[]>> {
    const grants = new Map<string, GrantView[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return grants;
    const rows = await q.query<(GrantView & { userId: string })[]>(
      `SELECT ur.user_id AS "userId", r.id AS "roleId", s.code AS system, r.name AS role
       FROM user_roles ur JOIN roles r ON r.id = ur.role_id JOIN systems s ON s.id = r.system_id
       WHERE ur.tenant_id = $1 AND ur.user_id = ANY($2::bigint[]) ORDER BY s.code, r.name`,
      [tenantId, userIds],
    );
    for (const { userId, ...grant } of rows) grants.get(userId)?.push(grant);
    return grants;
  }

  async adminRolesOf(
    q: Queryable,
    tenantId: string,
    userIds: string[],
  ): Promise<Map<string, AdminRoleGrantView[]>> {
    const roles = new Map<string, AdminRoleGrantView[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return roles;
    const rows = await q.query<(AdminRoleGrantView & { userId: string })[]>(
      `SELECT uar.user_id AS "userId", ar.id, ar.name FROM user_admin_roles uar
       JOIN admin_roles ar ON ar.id = uar.admin_role_id
       WHERE ar.tenant_id = $1 AND uar.user_id = ANY($2::bigint[]) ORDER BY ar.name`,
      [tenantId, userIds],
    );
    for (const { userId, ...role } of rows) roles.get(userId)?.push(role);
    return roles;
  }

  /** The admin permissions a user holds through its admin roles. */
  async permissionsOf(tenantId: string, userId: string): Promise<string[]> {
    const rows = await this.db.query<{ permission: string }[]>(
      `SELECT DISTINCT unnest(ar.permissions) AS permission
       FROM user_admin_roles uar JOIN admin_roles ar ON ar.id = uar.admin_role_id
       WHERE ar.tenant_id = $1 AND uar.user_id = $2`,
      [tenantId, userId],
    );
    return rows.map((row) => row.permission);
  }

  async usernameTaken(
    q: Queryable,
    tenantId: string,
    username: string,
    exceptId?: string,
  ): Promise<boolean> {
    const rows = await q.query<unknown[]>(
      `SELECT 1 FROM users WHERE tenant_id = $1 AND lower(username) = lower($2)
       AND ($3::bigint IS NULL OR id <> $3::bigint)`,
      [tenantId, username, exceptId ?? null],
    );
    return rows.length > 0;
  }

  async insert(
    q: Queryable,
    tenantId: string,
    fields: UserFields,
    passwordHash: string | null,
    directory?: { uuid: string; dn: string },
  ): Promise<string> {
    const rows = await q.query<{ id: string }[]>(
      `INSERT INTO users (tenant_id, username, source, password_hash, email, first_name, last_name,
                          company_id, employee_number, user_type, active, ldap_uuid, ldap_dn)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [
        tenantId,
        fields.username,
        directory ? 'ldap' : 'local',
        passwordHash,
        fields.email,
        fields.firstName,
        fields.lastName,
        fields.companyId,
        fields.employeeNumber,
        fields.userType,
        fields.active,
        directory?.uuid ?? null,
        directory?.dn ?? null,
      ],
    );
    const id = rows[0]?.id;
    if (!id) throw new Error('insert returned no id');
    return id;
  }

  async update(
    q: Queryable,
    tenantId: string,
    id: string,
    fields: UserFields,
    passwordHash?: string,
  ): Promise<void> {
    await q.query(
      `UPDATE users SET username = $3, email = $4, first_name = $5, last_name = $6,
         company_id = $7, employee_number = $8, user_type = $9, active = $10,
         password_hash = COALESCE($11, password_hash), updated_at = now()
       WHERE tenant_id = $1 AND id = $2`,
      [
        tenantId,
        id,
        fields.username,
        fields.email,
        fields.firstName,
        fields.lastName,
        fields.companyId,
        fields.employeeNumber,
        fields.userType,
        fields.active,
        passwordHash ?? null,
      ],
    );
  }

  async setActive(q: Queryable, tenantId: string, id: string, active: boolean): Promise<void> {
    await q.query(
      'UPDATE users SET active = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2',
      [tenantId, id, active],
    );
  }

  async remove(q: Queryable, tenantId: string, id: string): Promise<void> {
    await q.query('DELETE FROM users WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  }

  /** The tenant's directory settings the admin API needs: writable or not, its object classes. */
  async directorySettings(
    tenantId: string,
  ): Promise<{ enabled: boolean; writable: boolean } | undefined> {
    const rows = await this.db.query<{ enabled: boolean; writable: boolean }[]>(
      `SELECT is_enabled AS enabled, directory_writable AS writable FROM ldap_configs
       WHERE tenant_id = $1`,
      [tenantId],
    );
    return rows[0];
  }
}
