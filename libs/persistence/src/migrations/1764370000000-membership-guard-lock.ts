import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The membership tables' guard against a user deleted while memberships of it are inserted
 * (1764350000000) becomes one advisory lock instead of a row lock on every referenced user.
 *
 * Inserting 100,000 memberships locked 100,000 user rows `FOR KEY SHARE`: a WAL record and a
 * dirtied page per user, a third of a first sync's membership writes. Now a statement that deletes
 * users first takes the exclusive `MEMBERSHIP_GUARD` advisory lock (a BEFORE DELETE statement
 * trigger), and membership inserts hold it shared for their transaction (membership-insert.ts).
 * Either the delete waits for the inserting transaction, and its AFTER trigger (a new snapshot)
 * then removes the new rows; or the insert waits for the delete to commit, and finds the user
 * gone. The delete takes the lock before its statement touches a row, so it holds no row lock of
 * that statement while it waits. Groups keep their row locks (a directory has few).
 */
export const MEMBERSHIP_GUARD_SQL = `hashtext('gatehouse:ldap-memberships'), 0`;

export class MembershipGuardLock1764370000000 implements MigrationInterface {
  name = 'MembershipGuardLock1764370000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION ldap_membership_guard() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(${MEMBERSHIP_GUARD_SQL});
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER users_delete_membership_guard BEFORE DELETE ON users
      FOR EACH STATEMENT EXECUTE FUNCTION ldap_membership_guard()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER users_delete_membership_guard ON users');
    await queryRunner.query('DROP FUNCTION ldap_membership_guard()');
  }
}
