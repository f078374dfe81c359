import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

export interface StoredMapping {
  groupDN: string;
  system: string;
  role: string;
  groupName: string | null;
  createdBy: string;
  creator: string;
  createdDate: Date;
}

export interface MappingRow {
  groupDn: string;
  groupDnKey: string;
  roleId: string;
}

/** The tenant's directory group → role mappings (`ldap_group_role_mappings`). */
@Injectable()
export class GroupRoleMappingRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async list(tenantId: string): Promise<StoredMapping[]> {
    return this.db.query<StoredMapping[]>(
      `SELECT m.group_dn AS "groupDN", s.code AS system, r.name AS role,
              (SELECT g.cn FROM ldap_groups g
               WHERE g.tenant_id = m.tenant_id AND g.dn_key = m.group_dn_key LIMIT 1) AS "groupName",
              m.created_by AS "createdBy", m.creator, m.created_date AS "createdDate"
       FROM ldap_group_role_mappings m
       JOIN roles r ON r.id = m.role_id JOIN systems s ON s.id = r.system_id
       WHERE m.tenant_id = $1 ORDER BY m.group_dn_key, s.code, r.name`,
      [tenantId],
    );
  }

  /** Role ids of the tenant by `SYSTEM/role` (system code as stored, role name exact). */
  async roleIds(tenantId: string): Promise<Map<string, string>> {
    const rows = await this.db.query<{ system: string; role: string; id: string }[]>(
      `SELECT s.code AS system, r.name AS role, r.id::text AS id
       FROM roles r JOIN systems s ON s.id = r.system_id WHERE r.tenant_id = $1`,
      [tenantId],
    );
    return new Map(rows.map((row) => [`${row.system}/${row.role}`, row.id]));
  }

  /** Makes the tenant's mappings exactly `rows`; mappings kept keep their audit fields. */
  async replace(
    manager: EntityManager,
    tenantId: string,
    rows: readonly MappingRow[],
    actor: { id: string; name: string },
  ): Promise<void> {
    await manager.query(
      `DELETE FROM ldap_group_role_mappings t WHERE t.tenant_id = $1
         AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::bigint[]) AS n(k, r)
                         WHERE n.k = t.group_dn_key AND n.r = t.role_id)`,
      [tenantId, rows.map((row) => row.groupDnKey), rows.map((row) => row.roleId)],
    );
    await manager.query(
      `INSERT INTO ldap_group_role_mappings (tenant_id, group_dn, group_dn_key, role_id,
                                             created_by, creator)
       SELECT $1::varchar, n.dn, n.k, n.r, $5, $6
       FROM unnest($2::text[], $3::text[], $4::bigint[]) AS n(dn, k, r)
       ON CONFLICT (tenant_id, group_dn_key, role_id) DO NOTHING`,
      [
        tenantId,
        rows.map((row) => row.groupDn),
        rows.map((row) => row.groupDnKey),
        rows.map((row) => row.roleId),
        actor.id,
        actor.name,
      ],
    );
  }
}
