import type { DataSource } from 'typeorm';
import { openTestDataSource } from '@gatehouse/testing/test-database';
import { insertMemberships } from './membership-insert';

/** The membership tables without per-row foreign keys (migration 1764350000000): what the insert
 *  lets in, and what deleting users, groups and tenants takes with them. */
describe('membership integrity per statement (real PostgreSQL)', () => {
  let close: (() => Promise<void>) | undefined;
  let db: DataSource;
  const ids: Record<string, string> = {};

  async function count(table: string): Promise<number> {
    const [row] = await db.query<{ n: string }[]>(`SELECT count(*)::text AS n FROM ${table}`);
    return Number(row?.n);
  }

  beforeAll(async () => {
    ({ db, close } = await openTestDataSource('memberships'));
    await db.query(`INSERT INTO tenants (id, slug, name) VALUES ('2', 'other', 'Other')`);
  });

  beforeEach(async () => {
    await db.query(`DELETE FROM users WHERE source = 'ldap'`);
    await db.query(`DELETE FROM ldap_groups`);
    for (const [key, tenant] of [
      ['ann', '1'],
      ['bob', '1'],
      ['eve', '2'],
    ] as const) {
      const [row] = await db.query<{ id: string }[]>(
        `INSERT INTO users (tenant_id, username, source, ldap_uuid)
         VALUES ($1, $2::text, 'ldap', $2::text) RETURNING id::text AS id`,
        [tenant, key],
      );
      ids[key] = row?.id ?? '';
    }
    for (const [key, tenant] of [
      ['staff', '1'],
      ['ops', '1'],
      ['theirs', '2'],
    ] as const) {
      const [row] = await db.query<{ id: string }[]>(
        `INSERT INTO ldap_groups (tenant_id, ldap_uuid, dn, dn_key, cn, kind)
         VALUES ($1, $2::text, 'cn=' || $2::text, 'cn=' || $2::text, $2::text, 'groupOfNames')
         RETURNING id::text AS id`,
        [tenant, key],
      );
      ids[key] = row?.id ?? '';
    }
  });

  afterAll(async () => {
    await close?.();
  });

  it('inserts pairs claimed absent without ON CONFLICT, and falls back when one is there', async () => {
    await insertMemberships(db.manager, 'ldap_group_members', '1', [
      { groupId: ids.staff, userId: ids.ann },
    ]);
    const counts = await db.transaction(async (manager) => {
      const fresh = await insertMemberships(
        manager,
        'ldap_group_members',
        '1',
        [{ groupId: ids.ops, userId: ids.ann }],
        { absent: true },
      );
      // The claim is wrong for (staff, ann): the statement is undone to its savepoint and run
      // again with ON CONFLICT DO NOTHING, and the transaction goes on.
      const wrongClaim = await insertMemberships(
        manager,
        'ldap_group_members',
        '1',
        [
          { groupId: ids.staff, userId: ids.ann },
          { groupId: ids.staff, userId: ids.bob },
          { groupId: ids.staff, userId: ids.eve }, // another tenant's user: still left out
        ],
        { absent: true },
      );
      const [after] = await manager.query<{ n: string }[]>(
        'SELECT count(*)::text AS n FROM ldap_group_members',
      );
      return { fresh, wrongClaim, inTransaction: Number(after?.n) };
    });
    expect(counts).toEqual({ fresh: 1, wrongClaim: 1, inTransaction: 3 });
    expect(
      await db.query(
        `SELECT group_id::text AS "groupId", user_id::text AS "userId" FROM ldap_group_members
         ORDER BY group_id, user_id`,
      ),
    ).toEqual(
      [
        { groupId: ids.staff, userId: ids.ann },
        { groupId: ids.staff, userId: ids.bob },
        { groupId: ids.ops, userId: ids.ann },
      ].sort(
        (a, b) => Number(a.groupId) - Number(b.groupId) || Number(a.userId) - Number(b.userId),
      ),
    );
  });

  it('inserts only pairs whose user and group exist in the tenant, once each', async () => {
    const inserted = await insertMemberships(db.manager, 'ldap_group_members', '1', [
      { groupId: ids.staff, userId: ids.ann },
      { groupId: ids.staff, userId: ids.bob },
      { groupId: ids.staff, userId: ids.eve }, // a user of another tenant
      { groupId: ids.theirs, userId: ids.ann }, // a group of another tenant
      { groupId: ids.staff, userId: '999999999' }, // no such user
      { groupId: '999999999', userId: ids.ann }, // no such group
    ]);
    expect(inserted).toBe(2);
    const again = await insertMemberships(db.manager, 'ldap_group_members', '1', [
      { groupId: ids.staff, userId: ids.ann },
    ]);
    expect(again).toBe(0);
    expect(
      await db.query(
        `SELECT group_id::text AS "groupId", user_id::text AS "userId" FROM ldap_group_members
         ORDER BY user_id`,
      ),
    ).toEqual([
      { groupId: ids.staff, userId: ids.ann },
      { groupId: ids.staff, userId: ids.bob },
    ]);
  });

  it('deleting a user, a group or a tenant deletes their memberships in both tables', async () => {
    for (const table of ['ldap_group_members', 'ldap_inherited_memberships'] as const) {
      await insertMemberships(db.manager, table, '1', [
        { groupId: ids.staff, userId: ids.ann },
        { groupId: ids.staff, userId: ids.bob },
        { groupId: ids.ops, userId: ids.bob },
      ]);
      await insertMemberships(db.manager, table, '2', [{ groupId: ids.theirs, userId: ids.eve }]);
    }
    await db.query('DELETE FROM users WHERE id = $1', [ids.ann]);
    expect(await count('ldap_group_members')).toBe(3);
    expect(await count('ldap_inherited_memberships')).toBe(3);
    await db.query('DELETE FROM ldap_groups WHERE id = $1', [ids.ops]);
    expect(await count('ldap_group_members')).toBe(2);
    expect(await count('ldap_inherited_memberships')).toBe(2);
    await db.query(`DELETE FROM tenants WHERE id = '2'`);
    expect(await db.query(`SELECT tenant_id, user_id::text AS u FROM ldap_group_members`)).toEqual([
      { tenant_id: '1', u: ids.bob },
    ]);
    expect(await count('ldap_inherited_memberships')).toBe(1);
    await db.query(`INSERT INTO tenants (id, slug, name) VALUES ('2', 'other', 'Other')`);
  });

  it('a user deleted while a sync inserts its membership leaves no row behind', async () => {
    const sync = db.createQueryRunner();
    await sync.connect();
    try {
      await sync.startTransaction();
      await insertMemberships(sync.manager, 'ldap_group_members', '1', [
        { groupId: ids.staff, userId: ids.bob },
      ]);
      // The delete waits for the sync's membership guard, then its trigger removes the new row.
      const deleted = db.query('DELETE FROM users WHERE id = $1', [ids.bob]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await sync.commitTransaction();
      await deleted;
    } finally {
      await sync.release();
    }
    expect(await count('ldap_group_members')).toBe(0);
  });

  it('a membership insert waits for a user delete under way, and leaves the user out', async () => {
    const admin = db.createQueryRunner();
    await admin.connect();
    try {
      await admin.startTransaction();
      await admin.query('DELETE FROM users WHERE id = $1', [ids.bob]);
      // The insert waits for the delete's guard, then no longer sees bob.
      const inserted = insertMemberships(db.manager, 'ldap_group_members', '1', [
        { groupId: ids.staff, userId: ids.bob },
        { groupId: ids.staff, userId: ids.ann },
      ]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await count('ldap_group_members')).toBe(0);
      await admin.commitTransaction();
      expect(await inserted).toBe(1);
    } finally {
      await admin.release();
    }
    expect(await db.query(`SELECT user_id::text AS "userId" FROM ldap_group_members`)).toEqual([
      { userId: ids.ann },
    ]);
  });

  it('refuses an id that is not a row id, so none can name two rows', async () => {
    await expect(
      insertMemberships(db.manager, 'ldap_group_members', '1', [
        { groupId: ids.staff, userId: `${ids.ann},${ids.bob}` },
      ]),
    ).rejects.toThrow('membership ids must be row ids');
    expect(await count('ldap_group_members')).toBe(0);
  });

  it('truncating users, groups or tenants empties both membership tables (TRUNCATE fires no DELETE trigger)', async () => {
    const fill = async (): Promise<void> => {
      for (const table of ['ldap_group_members', 'ldap_inherited_memberships'] as const) {
        await insertMemberships(db.manager, table, '1', [{ groupId: ids.staff, userId: ids.ann }]);
      }
    };
    await fill();
    await db.query('TRUNCATE ldap_groups CASCADE');
    expect(await count('ldap_group_members')).toBe(0);
    expect(await count('ldap_inherited_memberships')).toBe(0);

    await db.query(
      `INSERT INTO ldap_groups (id, tenant_id, ldap_uuid, dn, dn_key, cn, kind)
       VALUES ($1, '1', 'staff', 'cn=staff', 'cn=staff', 'staff', 'groupOfNames')`,
      [ids.staff],
    );
    await fill();
    await db.query('TRUNCATE tenants CASCADE');
    expect(await count('ldap_group_members')).toBe(0);
    expect(await count('ldap_inherited_memberships')).toBe(0);
    await db.query(
      `INSERT INTO tenants (id, slug, name) VALUES ('1', 'default', 'Default'), ('2', 'other', 'Other')`,
    );
  });
});
