import type { EntityManager } from 'typeorm';
import { isUniqueViolation, MEMBERSHIP_GUARD_SQL } from '@gatehouse/persistence';

/** The two membership tables whose integrity is kept per statement (migration
 *  1764350000000-membership-checks-per-statement): every insert into them goes through here. */
export type MembershipTable = 'ldap_group_members' | 'ldap_inherited_memberships';

export interface MembershipInsertOptions {
  /**
   * The caller computed the pairs as absent from the table within its transaction, under the
   * tenant's sync lock (the only writer of a tenant's memberships): they are inserted without
   * `ON CONFLICT`, whose extra index probe per row was a quarter of a first sync's membership
   * writes. Should one exist after all, the statement is undone to a savepoint and run again with
   * `ON CONFLICT DO NOTHING`, so the answer never depends on the claim. Needs a transaction.
   */
  absent?: boolean;
}

const SAVEPOINT = 'membership_insert';

/**
 * Inserts (group, user) pairs of one tenant into a membership table in one statement, as the
 * foreign keys it replaces would allow: only pairs whose user and group exist in the tenant are
 * inserted, under the guard against concurrent deletes (migration 1764370000000: the membership
 * guard lock, held shared for the transaction, for users; `FOR KEY SHARE` for the few groups).
 * Pairs already there are left alone. Answers how many rows were inserted. Without a transaction
 * of the caller's, it runs in one of its own (the guard lasts for a transaction).
 */
export async function insertMemberships(
  manager: EntityManager,
  table: MembershipTable,
  tenantId: string,
  pairs: readonly { groupId: string; userId: string }[],
  options: MembershipInsertOptions = {},
): Promise<number> {
  if (pairs.length === 0) return 0;
  if (!manager.queryRunner?.isTransactionActive) {
    return manager.transaction((inner) =>
      insertMemberships(inner, table, tenantId, pairs, options),
    );
  }
  // Its own statement: the insert's snapshot must be taken after the lock is granted.
  await manager.query(`SELECT pg_advisory_xact_lock_shared(${MEMBERSHIP_GUARD_SQL})`);
  const params = [
    tenantId,
    idArray(pairs.map((pair) => pair.groupId)),
    idArray(pairs.map((pair) => pair.userId)),
  ];
  if (!options.absent) return insertStatement(manager, table, params, true);
  await manager.query(`SAVEPOINT ${SAVEPOINT}`);
  try {
    const inserted = await insertStatement(manager, table, params, false);
    await manager.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    return inserted;
  } catch (error: unknown) {
    if (!isUniqueViolation(error)) throw error;
    await manager.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    const inserted = await insertStatement(manager, table, params, true);
    await manager.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    return inserted;
  }
}

async function insertStatement(
  manager: EntityManager,
  table: MembershipTable,
  params: unknown[],
  onConflictDoNothing: boolean,
): Promise<number> {
  const [result] = await manager.query<{ n: string }[]>(
    `WITH pairs AS (
       SELECT * FROM unnest($2::bigint[], $3::bigint[]) AS p(group_id, user_id)
     ), live_users AS (
       SELECT id FROM users WHERE tenant_id = $1 AND id IN (SELECT user_id FROM pairs)
     ), live_groups AS (
       SELECT id FROM ldap_groups
       WHERE tenant_id = $1 AND id IN (SELECT group_id FROM pairs) FOR KEY SHARE
     ), written AS (
       INSERT INTO ${table} (tenant_id, group_id, user_id)
       SELECT $1::varchar, p.group_id, p.user_id FROM pairs p
       JOIN live_users u ON u.id = p.user_id
       JOIN live_groups g ON g.id = p.group_id
       ${onConflictDoNothing ? 'ON CONFLICT DO NOTHING' : ''}
       RETURNING 1
     )
     SELECT count(*)::text AS n FROM written`,
    params,
  );
  return Number(result?.n ?? 0);
}

/** Row ids (bigint text from PostgreSQL) as one `bigint[]` literal: the driver escaped a chunk of
 *  25,000 ids element by element. Anything but digits is refused, so no value can split into
 *  two elements. */
function idArray(ids: readonly string[]): string {
  for (const id of ids) {
    if (!ROW_ID.test(id)) throw new Error('membership ids must be row ids');
  }
  return `{${ids.join(',')}}`;
}

const ROW_ID = /^\d{1,19}$/;
