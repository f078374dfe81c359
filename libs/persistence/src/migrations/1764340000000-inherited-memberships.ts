import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each user's effective groups were stored whole in `ldap_user_groups`, so every direct
 *  membership was written twice: once as an edge in `ldap_group_members`, once as an effective
 *  row (in a flat directory, every row twice). The table now keeps only the memberships that come
 *  from nesting, as `ldap_inherited_memberships` (never a pair that is also a direct edge), and
 *  `ldap_user_groups` becomes a view of both with the same columns as before, `direct` included,
 *  so its readers (the group → role mapping) are unchanged. */
export class InheritedMemberships1764340000000 implements MigrationInterface {
  name = 'InheritedMemberships1764340000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DELETE FROM ldap_user_groups WHERE direct');
    await queryRunner.query('ALTER TABLE ldap_user_groups RENAME TO ldap_inherited_memberships');
    await queryRunner.query('ALTER TABLE ldap_inherited_memberships DROP COLUMN direct');
    await queryRunner.query(
      'ALTER TABLE ldap_inherited_memberships RENAME CONSTRAINT ldap_user_groups_pkey TO ldap_inherited_memberships_pkey',
    );
    await queryRunner.query(
      'ALTER INDEX ldap_user_groups_tenant_group RENAME TO ldap_inherited_memberships_tenant_group',
    );
    await queryRunner.query(`
      CREATE VIEW ldap_user_groups AS
        SELECT tenant_id, user_id, group_id, true AS direct FROM ldap_group_members
        UNION ALL
        SELECT tenant_id, user_id, group_id, false AS direct FROM ldap_inherited_memberships`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP VIEW ldap_user_groups');
    await queryRunner.query(
      'ALTER INDEX ldap_inherited_memberships_tenant_group RENAME TO ldap_user_groups_tenant_group',
    );
    await queryRunner.query(
      'ALTER TABLE ldap_inherited_memberships RENAME CONSTRAINT ldap_inherited_memberships_pkey TO ldap_user_groups_pkey',
    );
    await queryRunner.query(
      'ALTER TABLE ldap_inherited_memberships ADD COLUMN direct boolean NOT NULL DEFAULT false',
    );
    await queryRunner.query(
      'ALTER TABLE ldap_inherited_memberships ALTER COLUMN direct DROP DEFAULT',
    );
    await queryRunner.query('ALTER TABLE ldap_inherited_memberships RENAME TO ldap_user_groups');
    await queryRunner.query(`
      INSERT INTO ldap_user_groups (tenant_id, user_id, group_id, direct)
      SELECT tenant_id, user_id, group_id, true FROM ldap_group_members
      ON CONFLICT (user_id, group_id) DO UPDATE SET direct = true`);
  }
}
