import type { MigrationInterface, QueryRunner } from 'typeorm';

/** TRUNCATE fires no DELETE triggers: since the membership tables lost their foreign keys
 *  (1764350000000), `TRUNCATE users` or `ldap_groups` (or a tenant's, by CASCADE) left their rows
 *  behind, and with RESTART IDENTITY they would attach to whoever got the ids next. Truncating
 *  either table now empties both membership tables, as the foreign keys' CASCADE did. */
export class MembershipTruncateTriggers1764360000000 implements MigrationInterface {
  name = 'MembershipTruncateTriggers1764360000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION ldap_memberships_truncate() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        TRUNCATE ldap_group_members, ldap_inherited_memberships;
        RETURN NULL;
      END $$`);
    for (const table of ['users', 'ldap_groups']) {
      await queryRunner.query(`
        CREATE TRIGGER ${table}_truncate_ldap_memberships AFTER TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION ldap_memberships_truncate()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['users', 'ldap_groups']) {
      await queryRunner.query(`DROP TRIGGER ${table}_truncate_ldap_memberships ON ${table}`);
    }
    await queryRunner.query('DROP FUNCTION ldap_memberships_truncate()');
  }
}
