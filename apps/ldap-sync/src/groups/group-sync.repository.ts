import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { DirectoryGroup, GroupKind } from './group-plan';
import type { EffectiveMembership } from './group-resolution';
import { insertMemberships } from './membership-insert';

export interface StoredGroup {
  id: string;
  ldapUuid: string;
  dn: string;
  dnKey: string;
  cn: string | null;
  kind: GroupKind;
  memberCount: number;
}

export interface MembershipUser {
  id: string;
  ldapDn: string | null;
  username: string;
}

/** Rows per statement of the array-parameter (unnest) writes: one round trip per chunk. Each
 *  membership chunk also locks its users and groups in one pass, so fewer, larger chunks are
 *  cheaper (100,000 memberships: 0.75 s in chunks of 5,000, about 0.5 s in chunks of 25,000);
 *  the bound keeps one statement's parameters a few megabytes. */
const CHUNK = 25000;

/**
 * Directory groups, their edges, effective memberships and the role grants derived from them
 * (raw SQL with array parameters: a chunk of rows is one statement, never a round trip per row).
 * Every method takes the tenant.
 */
@Injectable()
export class GroupSyncRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A transaction without JIT compilation: the planner misjudges the unnest joins of the
   *  membership statements by orders of magnitude and compiled each for 10 ms, to run 150. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(async (manager) => {
      await manager.query('SET LOCAL jit = off');
      return work(manager);
    });
  }

  async groups(tenantId: string, manager: EntityManager = this.db.manager): Promise<StoredGroup[]> {
    return manager.query<StoredGroup[]>(
      `SELECT id::text AS id, ldap_uuid AS "ldapUuid", dn, dn_key AS "dnKey", cn, kind,
              member_count AS "memberCount"
       FROM ldap_groups WHERE tenant_id = $1 ORDER BY id`,
      [tenantId],
    );
  }

  /** The tenant's directory users, as group member values name them. */
  async membershipUsers(tenantId: string): Promise<MembershipUser[]> {
    return this.db.query<MembershipUser[]>(
      `SELECT id::text AS id, ldap_dn AS "ldapDn", username FROM users
       WHERE tenant_id = $1 AND source = 'ldap' AND ldap_uuid IS NOT NULL`,
      [tenantId],
    );
  }

  /** Inserts new groups and updates changed ones (unchanged rows are not touched); answers the
   *  id of every group given, by stable id. */
  async upsertGroups(
    manager: EntityManager,
    tenantId: string,
    groups: readonly (DirectoryGroup & { memberCount: number })[],
  ): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (let i = 0; i < groups.length; i += CHUNK) {
      const chunk = groups.slice(i, i + CHUNK);
      await manager.query(
        `INSERT INTO ldap_groups (tenant_id, ldap_uuid, dn, dn_key, cn, kind, member_count)
         SELECT $1::varchar, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                                  $7::int[])
         ON CONFLICT (tenant_id, ldap_uuid) DO UPDATE SET dn = EXCLUDED.dn,
           dn_key = EXCLUDED.dn_key, cn = EXCLUDED.cn, kind = EXCLUDED.kind,
           member_count = EXCLUDED.member_count, updated_at = now()
         WHERE (ldap_groups.dn, ldap_groups.dn_key, ldap_groups.cn, ldap_groups.kind,
                ldap_groups.member_count)
           IS DISTINCT FROM (EXCLUDED.dn, EXCLUDED.dn_key, EXCLUDED.cn, EXCLUDED.kind,
                             EXCLUDED.member_count)`,
        [
          tenantId,
          chunk.map((group) => group.ldapUuid),
          chunk.map((group) => group.dn),
          chunk.map((group) => group.dnKey),
          chunk.map((group) => group.cn),
          chunk.map((group) => group.kind),
          chunk.map((group) => group.memberCount),
        ],
      );
      const rows = await manager.query<{ id: string; ldapUuid: string }[]>(
        `SELECT id::text AS id, ldap_uuid AS "ldapUuid" FROM ldap_groups
         WHERE tenant_id = $1 AND ldap_uuid = ANY($2::text[])`,
        [tenantId, chunk.map((group) => group.ldapUuid)],
      );
      for (const row of rows) ids.set(row.ldapUuid, row.id);
    }
    return ids;
  }

  async deleteGroups(
    manager: EntityManager,
    tenantId: string,
    ids: readonly string[],
  ): Promise<void> {
    if (ids.length === 0) return;
    await manager.query(`DELETE FROM ldap_groups WHERE tenant_id = $1 AND id = ANY($2::bigint[])`, [
      tenantId,
      ids,
    ]);
  }

  /** Every direct edge of the tenant, as each group's member list (aggregated in the database:
   *  one row per group rather than one per edge). */
  async edges(
    manager: EntityManager,
    tenantId: string,
  ): Promise<{ users: Map<string, string[]>; nested: Map<string, string[]> }> {
    // Ids joined with commas (digits only) and split here: cheaper to read than a row per edge
    // or a PostgreSQL array literal.
    const lists = async (table: string, member: string): Promise<Map<string, string[]>> => {
      const rows = await manager.query<{ g: string; m: string }[]>(
        `SELECT group_id::text AS g, string_agg(${member}::text, ',') AS m FROM ${table}
         WHERE tenant_id = $1 GROUP BY group_id`,
        [tenantId],
      );
      return new Map(rows.map((row) => [row.g, row.m.split(',')]));
    };
    return {
      users: await lists('ldap_group_members', 'user_id'),
      nested: await lists('ldap_group_nesting', 'member_group_id'),
    };
  }

  /** The tenant's memberships that come from nesting only (ldap_inherited_memberships); the
   *  direct ones are the edges of ldap_group_members. */
  async inherited(manager: EntityManager, tenantId: string): Promise<EffectiveMembership[]> {
    return manager.query<EffectiveMembership[]>(
      `SELECT user_id::text AS "userId", group_id::text AS "groupId", false AS direct
       FROM ldap_inherited_memberships WHERE tenant_id = $1`,
      [tenantId],
    );
  }

  /** Inserts and deletes direct edges (pairs of group id and member id), in chunks. `delta` is
   *  the difference to the edges this transaction read (edges()): the added pairs are absent. */
  async writeEdgeDelta(
    manager: EntityManager,
    tenantId: string,
    kind: 'users' | 'nested',
    delta: { added: readonly [string, string][]; removed: readonly [string, string][] },
  ): Promise<void> {
    const [table, member] =
      kind === 'users'
        ? ['ldap_group_members', 'user_id']
        : ['ldap_group_nesting', 'member_group_id'];
    for (let i = 0; i < delta.removed.length; i += CHUNK) {
      const chunk = delta.removed.slice(i, i + CHUNK);
      await manager.query(
        `DELETE FROM ${table} t USING unnest($2::bigint[], $3::bigint[]) AS n(g, m)
         WHERE t.tenant_id = $1 AND t.group_id = n.g AND t.${member} = n.m`,
        [tenantId, chunk.map((pair) => pair[0]), chunk.map((pair) => pair[1])],
      );
    }
    for (let i = 0; i < delta.added.length; i += CHUNK) {
      const chunk = delta.added.slice(i, i + CHUNK);
      if (kind === 'users') {
        await insertMemberships(
          manager,
          'ldap_group_members',
          tenantId,
          chunk.map(([groupId, userId]) => ({ groupId, userId })),
          { absent: true },
        );
        continue;
      }
      await manager.query(
        `INSERT INTO ldap_group_nesting (tenant_id, group_id, member_group_id)
         SELECT $1::varchar, * FROM unnest($2::bigint[], $3::bigint[]) ON CONFLICT DO NOTHING`,
        [tenantId, chunk.map((pair) => pair[0]), chunk.map((pair) => pair[1])],
      );
    }
  }

  /** Inserts and deletes inherited memberships (user and group pairs), in chunks. `delta` is the
   *  difference to the rows this transaction read (inherited()): the inserted pairs are absent. */
  async writeInheritedDelta(
    manager: EntityManager,
    tenantId: string,
    delta: { upserts: readonly EffectiveMembership[]; removed: readonly EffectiveMembership[] },
  ): Promise<void> {
    for (let i = 0; i < delta.removed.length; i += CHUNK) {
      const chunk = delta.removed.slice(i, i + CHUNK);
      await manager.query(
        `DELETE FROM ldap_inherited_memberships t USING unnest($2::bigint[], $3::bigint[]) AS n(u, g)
         WHERE t.tenant_id = $1 AND t.user_id = n.u AND t.group_id = n.g`,
        [tenantId, chunk.map((row) => row.userId), chunk.map((row) => row.groupId)],
      );
    }
    for (let i = 0; i < delta.upserts.length; i += CHUNK) {
      const chunk = delta.upserts.slice(i, i + CHUNK);
      await insertMemberships(manager, 'ldap_inherited_memberships', tenantId, chunk, {
        absent: true,
      });
    }
  }

  /**
   * Makes the effective memberships of the tenant (or, with `userIds`, of those users only)
   * exactly `rows`. The direct ones must already be edges of ldap_group_members (the caller
   * writes those); the inherited ones are stored here. Answers how many inherited rows were
   * inserted and deleted.
   */
  async replaceEffective(
    manager: EntityManager,
    tenantId: string,
    rows: readonly EffectiveMembership[],
    userIds?: readonly string[],
  ): Promise<{ added: number; removed: number }> {
    const inherited = rows.filter((row) => !row.direct);
    const scope = userIds ? 'AND t.user_id = ANY($4::bigint[])' : '';
    const removed = await manager.query<{ n: string }[]>(
      `WITH gone AS (
         DELETE FROM ldap_inherited_memberships t WHERE t.tenant_id = $1 ${scope}
           AND NOT EXISTS (SELECT 1 FROM unnest($2::bigint[], $3::bigint[]) AS n(u, g)
                           WHERE n.u = t.user_id AND n.g = t.group_id)
         RETURNING 1)
       SELECT count(*)::text AS n FROM gone`,
      [
        tenantId,
        inherited.map((row) => row.userId),
        inherited.map((row) => row.groupId),
        ...(userIds ? [userIds] : []),
      ],
    );
    let added = 0;
    for (let i = 0; i < inherited.length; i += CHUNK) {
      const chunk = inherited.slice(i, i + CHUNK);
      added += await insertMemberships(manager, 'ldap_inherited_memberships', tenantId, chunk);
    }
    return { added, removed: Number(removed[0]?.n ?? 0) };
  }

  /**
   * Role grants from the group → role mappings: every directory user of the tenant (or of
   * `userIds`) holds, with source 'ldap', exactly the roles its effective groups map to. Grants
   * made by hand (source 'manual') are never removed, and a role already granted by hand stays
   * a manual grant.
   */
  async applyRoleMappings(
    manager: EntityManager,
    tenantId: string,
    userIds?: readonly string[],
  ): Promise<{ granted: number; revoked: number }> {
    const scope = (alias: string): string =>
      userIds ? `AND ${alias}.user_id = ANY($2::bigint[])` : '';
    const params: unknown[] = userIds ? [tenantId, userIds] : [tenantId];
    const [counts] = await manager.query<{ granted: string; revoked: string }[]>(
      `WITH desired AS (
         SELECT DISTINCT ug.user_id, m.role_id
         FROM ldap_user_groups ug
         JOIN ldap_groups g ON g.id = ug.group_id
         JOIN ldap_group_role_mappings m ON m.tenant_id = g.tenant_id AND m.group_dn_key = g.dn_key
         WHERE ug.tenant_id = $1 ${scope('ug')}
       ), revoked AS (
         DELETE FROM user_roles ur WHERE ur.tenant_id = $1 AND ur.source = 'ldap' ${scope('ur')}
           AND NOT EXISTS (SELECT 1 FROM desired d
                           WHERE d.user_id = ur.user_id AND d.role_id = ur.role_id)
         RETURNING 1
       ), granted AS (
         INSERT INTO user_roles (tenant_id, user_id, role_id, source)
         SELECT $1, d.user_id, d.role_id, 'ldap' FROM desired d
         ON CONFLICT (user_id, role_id) DO NOTHING
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM granted)::text AS granted,
              (SELECT count(*) FROM revoked)::text AS revoked`,
      params,
    );
    return { granted: Number(counts?.granted ?? 0), revoked: Number(counts?.revoked ?? 0) };
  }
}
