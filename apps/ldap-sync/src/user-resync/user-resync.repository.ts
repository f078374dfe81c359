import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { insertMemberships } from '../groups/membership-insert';
import type { CurrentLdapUser, PlannedUser } from '../sync/sync-plan';
import { directoryUserColumns } from '../sync/sync.repository';

/** The rows a single-user re-sync reads and writes (users, the user's direct group edges, the
 *  nesting edges it discovered, its roles). Every method takes the tenant. */
@Injectable()
export class UserResyncRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async findByUuid(tenantId: string, ldapUuid: string): Promise<CurrentLdapUser | undefined> {
    const rows = await this.db.query<CurrentLdapUser[]>(
      `SELECT id::text AS id, ldap_uuid AS "ldapUuid", username, email, first_name AS "firstName",
              last_name AS "lastName", employee_number AS "employeeNumber",
              coalesce(ldap_dn, '') AS "ldapDn", active
       FROM users WHERE tenant_id = $1 AND ldap_uuid = $2`,
      [tenantId, ldapUuid],
    );
    return rows[0];
  }

  /** Creates or refreshes the user by its stable id and makes it active; answers its id. */
  async upsertUser(manager: EntityManager, tenantId: string, user: PlannedUser): Promise<string> {
    const rows = await manager.query<{ id: string }[]>(
      `INSERT INTO users (tenant_id, username, source, ldap_uuid, ldap_dn, email, first_name,
                          last_name, employee_number, active)
       VALUES ($1, $2, 'ldap', $3, $4, $5, $6, $7, $8, true)
       ON CONFLICT (tenant_id, ldap_uuid) WHERE ldap_uuid IS NOT NULL DO UPDATE SET
         username = EXCLUDED.username, ldap_dn = EXCLUDED.ldap_dn, email = EXCLUDED.email,
         first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
         employee_number = EXCLUDED.employee_number, active = true, updated_at = now()
       RETURNING id::text AS id`,
      [tenantId, ...directoryUserColumns(user)],
    );
    const id = rows[0]?.id;
    if (!id) throw new Error('user upsert returned no id');
    return id;
  }

  /** The user is a direct member of exactly `groupIds`. */
  async replaceDirectGroups(
    manager: EntityManager,
    tenantId: string,
    userId: string,
    groupIds: readonly string[],
  ): Promise<void> {
    await manager.query(
      `DELETE FROM ldap_group_members WHERE tenant_id = $1 AND user_id = $2
         AND NOT (group_id = ANY($3::bigint[]))`,
      [tenantId, userId, groupIds],
    );
    await insertMemberships(
      manager,
      'ldap_group_members',
      tenantId,
      groupIds.map((groupId) => ({ groupId, userId })),
    );
  }

  /** Nesting edges (parent contains child) seen while walking up from the user's groups. */
  async addNesting(
    manager: EntityManager,
    tenantId: string,
    pairs: readonly [string, string][],
  ): Promise<void> {
    if (pairs.length === 0) return;
    await manager.query(
      `INSERT INTO ldap_group_nesting (tenant_id, group_id, member_group_id)
       SELECT $1::varchar, * FROM unnest($2::bigint[], $3::bigint[]) ON CONFLICT DO NOTHING`,
      [tenantId, pairs.map((pair) => pair[0]), pairs.map((pair) => pair[1])],
    );
  }

  async rolesOf(
    tenantId: string,
    userId: string,
  ): Promise<{ system: string; role: string; source: 'manual' | 'ldap' }[]> {
    return this.db.query(
      `SELECT s.code AS system, r.name AS role, ur.source
       FROM user_roles ur JOIN roles r ON r.id = ur.role_id JOIN systems s ON s.id = r.system_id
       WHERE ur.tenant_id = $1 AND ur.user_id = $2 ORDER BY s.code, r.name`,
      [tenantId, userId],
    );
  }
}
