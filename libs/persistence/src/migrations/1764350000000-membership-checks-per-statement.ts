import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The two large membership tables (`ldap_group_members`, a directory's direct user edges, and
 *  `ldap_inherited_memberships`) keep their integrity per statement instead of per row.
 *
 *  Their foreign keys checked each inserted row on its own (a lookup and a row lock in users and
 *  in ldap_groups per row): two thirds of the time a 100,000-membership first sync spent writing
 *  them. Now:
 *  - inserts go through one statement shape (group-sync.repository.ts `insertMemberships`) that
 *    locks the referenced users and groups of the whole chunk `FOR KEY SHARE` in two set
 *    operations, as the foreign keys did row by row, and inserts only pairs whose user and group
 *    exist in the same tenant (the foreign keys never checked the tenant);
 *  - deleting users or groups (by hand, by a sync, or cascaded from a tenant) deletes their
 *    memberships, as ON DELETE CASCADE did, from statement-level triggers over the deleted rows.
 *  The small nesting table keeps its foreign keys. */
/** The two tables and the name prefix of their foreign keys (ldap_inherited_memberships kept the
 *  names it had as ldap_user_groups). */
const MEMBERSHIP_TABLES = [
  ['ldap_group_members', 'ldap_group_members'],
  ['ldap_inherited_memberships', 'ldap_user_groups'],
] as const;
/** The foreign keys each had: column → referenced table (ON DELETE CASCADE). */
const FOREIGN_KEYS = [
  ['tenant_id', 'tenants'],
  ['group_id', 'ldap_groups'],
  ['user_id', 'users'],
] as const;

export class MembershipChecksPerStatement1764350000000 implements MigrationInterface {
  name = 'MembershipChecksPerStatement1764350000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, prefix] of MEMBERSHIP_TABLES) {
      await queryRunner.query(
        `ALTER TABLE ${table} ${FOREIGN_KEYS.map(([column]) => `DROP CONSTRAINT ${prefix}_${column}_fkey`).join(', ')}`,
      );
    }
    // Each DELETE below finds its rows by index: ldap_group_members by its primary key (group_id,
    // user_id) and ldap_group_members_user; ldap_inherited_memberships by its primary key
    // (user_id, group_id) and ldap_inherited_memberships_tenant_group.
    await queryRunner.query(`
      CREATE FUNCTION ldap_memberships_of_deleted_groups() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM ldap_group_members m USING deleted_groups d WHERE m.group_id = d.id;
        DELETE FROM ldap_inherited_memberships m USING deleted_groups d
          WHERE m.tenant_id = d.tenant_id AND m.group_id = d.id;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER ldap_groups_delete_memberships AFTER DELETE ON ldap_groups
      REFERENCING OLD TABLE AS deleted_groups
      FOR EACH STATEMENT EXECUTE FUNCTION ldap_memberships_of_deleted_groups()`);
    await queryRunner.query(`
      CREATE FUNCTION ldap_memberships_of_deleted_users() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM ldap_group_members m USING deleted_users d WHERE m.user_id = d.id;
        DELETE FROM ldap_inherited_memberships m USING deleted_users d WHERE m.user_id = d.id;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER users_delete_ldap_memberships AFTER DELETE ON users
      REFERENCING OLD TABLE AS deleted_users
      FOR EACH STATEMENT EXECUTE FUNCTION ldap_memberships_of_deleted_users()`);
    // Rows a foreign key would have refused (none are expected) are removed before it goes.
    for (const [table] of MEMBERSHIP_TABLES) {
      await queryRunner.query(`
        DELETE FROM ${table} m WHERE NOT EXISTS (
          SELECT 1 FROM users u JOIN ldap_groups g ON g.tenant_id = u.tenant_id
          WHERE u.id = m.user_id AND g.id = m.group_id AND u.tenant_id = m.tenant_id)`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Rows the foreign keys would refuse (left by a TRUNCATE before 1764360000000) go first.
    for (const [table] of MEMBERSHIP_TABLES) {
      await queryRunner.query(`
        DELETE FROM ${table} m
        WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = m.user_id)
           OR NOT EXISTS (SELECT 1 FROM ldap_groups g WHERE g.id = m.group_id)
           OR NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = m.tenant_id)`);
    }
    await queryRunner.query('DROP TRIGGER users_delete_ldap_memberships ON users');
    await queryRunner.query('DROP FUNCTION ldap_memberships_of_deleted_users()');
    await queryRunner.query('DROP TRIGGER ldap_groups_delete_memberships ON ldap_groups');
    await queryRunner.query('DROP FUNCTION ldap_memberships_of_deleted_groups()');
    for (const [table, prefix] of MEMBERSHIP_TABLES) {
      const keys = FOREIGN_KEYS.map(
        ([column, target]) =>
          `ADD CONSTRAINT ${prefix}_${column}_fkey FOREIGN KEY (${column}) REFERENCES ${target}(id) ON DELETE CASCADE`,
      );
      await queryRunner.query(`ALTER TABLE ${table} ${keys.join(', ')}`);
    }
  }
}
