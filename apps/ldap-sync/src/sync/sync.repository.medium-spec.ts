import type { DataSource } from 'typeorm';
import { openTestDataSource } from '@gatehouse/testing/test-database';
import type { PlannedUser } from './sync-plan';
import { SyncRunExtrasRepository } from './sync-run-extras.repository';
import { SyncRepository } from './sync.repository';

function planned(username: string, ldapUuid = `uuid-${username}`): PlannedUser {
  return {
    username,
    ldapUuid,
    email: `${username}@example.com`,
    firstName: username,
    lastName: 'Test',
    employeeNumber: null,
    ldapDn: `uid=${username},ou=people,dc=example,dc=com`,
    active: true,
    name: `${username} Test`,
  };
}

/** SyncRepository.writeUsers on a real PostgreSQL: the first-sync insert path and its fallback. */
describe('SyncRepository.writeUsers (real PostgreSQL)', () => {
  let close: (() => Promise<void>) | undefined;
  let db: DataSource;
  let runs: SyncRepository;
  let runId: string;

  beforeAll(async () => {
    ({ db, close } = await openTestDataSource('syncwrites'));
    runs = new SyncRepository(db);
  });

  beforeEach(async () => {
    await db.query(`DELETE FROM ldap_sync_runs`);
    await db.query(`DELETE FROM users`);
    const run = await runs.startRun({
      tenantId: '1',
      syncType: 'manual',
      forced: false,
      actorId: 'a',
      actorName: 'A',
    });
    runId = run.id;
  });

  afterAll(async () => {
    await close?.();
  });

  async function usernames(): Promise<{ username: string; source: string }[]> {
    return db.query(`SELECT username, source FROM users ORDER BY username`);
  }

  it('a first sync inserts its users and records them in the detail list in order', async () => {
    expect(await runs.hasLdapUsers('1')).toBe(false);
    const created = ['ann', 'bob', 'cy'].map((name) => planned(name));
    const written = await runs.writeUsers('1', runId, { created, updated: [], failed: [] }, 2, {
      fresh: true,
    });
    expect(written).toMatchObject({ created: 3, updated: 0, failed: [] });
    expect(await runs.hasLdapUsers('1')).toBe(true);
    expect((await runs.items(runId)).newUsersList.map((item) => item.username)).toEqual([
      'ann',
      'bob',
      'cy',
    ]);
  });

  it('writes every field exactly as planned: quotes, backslashes, non-ASCII text and nulls', async () => {
    const odd: PlannedUser = {
      username: 'jamees,key*cložak)ppp',
      ldapUuid: 'uuid-"odd"',
      email: null,
      firstName: '张',
      lastName: 'O\'Brien \\ "the" {1,2} \\u0041',
      employeeNumber: null,
      ldapDn: 'cn=O\\, Brien,ou=people,dc=example,dc=com',
      active: true,
      name: "张 O'Brien",
    };
    const changed: PlannedUser = { ...planned('bob'), employeeNumber: 'E 0001', email: 'b@x.org' };
    await runs.writeUsers('1', runId, { created: [planned('bob')], updated: [], failed: [] }, 10);
    const [bob] = await db.query<{ id: string }[]>(
      `SELECT id::text AS id FROM users WHERE username = 'bob'`,
    );
    const written = await runs.writeUsers(
      '1',
      runId,
      {
        created: [odd],
        updated: [{ id: bob?.id ?? '', user: changed, changes: ['email', 'employeeNumber'] }],
        failed: [],
      },
      10,
    );
    expect(written).toMatchObject({ created: 1, updated: 1, failed: [] });
    expect(
      await db.query(
        `SELECT username, ldap_uuid AS "ldapUuid", email, first_name AS "firstName",
                last_name AS "lastName", employee_number AS "employeeNumber", ldap_dn AS "ldapDn"
         FROM users ORDER BY username`,
      ),
    ).toEqual([
      {
        username: 'bob',
        ldapUuid: 'uuid-bob',
        email: 'b@x.org',
        firstName: 'bob',
        lastName: 'Test',
        employeeNumber: 'E 0001',
        ldapDn: changed.ldapDn,
      },
      {
        username: odd.username,
        ldapUuid: odd.ldapUuid,
        email: null,
        firstName: odd.firstName,
        lastName: odd.lastName,
        employeeNumber: null,
        ldapDn: odd.ldapDn,
      },
    ]);
    const items = await runs.items(runId);
    expect(items.newUsersList).toEqual([
      { username: 'bob', name: 'bob Test', email: 'bob@example.com' },
      { username: odd.username, name: odd.name, email: null },
    ]);
    expect(items.updatedUsersList).toEqual([
      { username: 'bob', name: 'bob Test', changes: ['email', 'employeeNumber'] },
    ]);
  });

  it('a batch meeting a conflict is retried as upserts: only the clashing row fails', async () => {
    // A local account owns "bob"; "cy" was created meanwhile by a directory login.
    await db.query(`INSERT INTO users (tenant_id, username, source) VALUES ('1', 'bob', 'local')`);
    await db.query(
      `INSERT INTO users (tenant_id, username, source, ldap_uuid, email)
       VALUES ('1', 'cy', 'ldap', 'uuid-cy', 'old@example.com')`,
    );
    const created = ['ann', 'bob', 'cy', 'dee'].map((name) => planned(name));
    const written = await runs.writeUsers('1', runId, { created, updated: [], failed: [] }, 10, {
      fresh: true,
    });
    expect(written.created).toBe(3);
    expect(written.failed).toEqual([
      expect.objectContaining({
        username: 'bob',
        reason: 'username bob already belongs to another account',
      }),
    ]);
    expect(await usernames()).toEqual([
      { username: 'ann', source: 'ldap' },
      { username: 'bob', source: 'local' },
      { username: 'cy', source: 'ldap' },
      { username: 'dee', source: 'ldap' },
    ]);
    const [cy] = await db.query<{ email: string }[]>(
      `SELECT email FROM users WHERE username = 'cy'`,
    );
    expect(cy?.email).toBe('cy@example.com');
  });

  it('finds the active directory users a complete read did not see, whatever their ids hold', async () => {
    await runs.writeUsers(
      '1',
      runId,
      {
        created: [planned('ann'), planned('bob'), planned('cy', 'odd\nid'), planned('dee')],
        updated: [],
        failed: [],
      },
      10,
      { fresh: true },
    );
    await db.query(`UPDATE users SET active = false WHERE username = 'dee'`);
    const seen = new Set(['uuid-ann']);
    const found = await runs.unseenActiveLdapUsers('1', seen);
    expect(found.active).toBe(3);
    expect(found.unseen.map((user) => user.username).sort()).toEqual(['bob', 'cy']);
    await db.query(`UPDATE users SET ldap_uuid = 'plain-cy' WHERE username = 'cy'`);
    const plain = await runs.unseenActiveLdapUsers('1', new Set(['uuid-ann', 'plain-cy']));
    expect(plain).toMatchObject({
      active: 3,
      unseen: [expect.objectContaining({ username: 'bob' })],
    });
  });

  it('while other pages are written, a row whose username is still held is handed back, not failed', async () => {
    // "bob" still belongs to another directory user (one that a page written meanwhile renames).
    await runs.writeUsers(
      '1',
      runId,
      { created: [planned('bob', 'uuid-old-bob')], updated: [], failed: [] },
      10,
      {
        fresh: true,
      },
    );
    const created = [planned('ann'), planned('bob')];
    const written = await runs.writeUsers('1', runId, { created, updated: [], failed: [] }, 10, {
      deferConflicts: true,
    });
    expect(written.created).toBe(1);
    expect(written.failed).toEqual([]);
    expect(written.deferred.created.map((user) => user.ldapUuid)).toEqual(['uuid-bob']);

    // Once the rename is written, the handed-back row goes in.
    await db.query(`UPDATE users SET username = 'robert' WHERE ldap_uuid = 'uuid-old-bob'`);
    const retried = await runs.writeUsers('1', runId, written.deferred, 10);
    expect(retried).toMatchObject({ created: 1, failed: [] });
    expect((await usernames()).map((row) => row.username)).toEqual(['ann', 'bob', 'robert']);
  });

  it('progress reported out of order never moves a running record backwards', async () => {
    const extras = new SyncRunExtrasRepository(db);
    const progress = (n: number) => ({
      entriesRead: n,
      entriesWritten: n,
      newUsers: n,
      updatedUsers: 0,
      failedUsers: 0,
    });
    await extras.reportProgress(runId, progress(3000));
    await extras.reportProgress(runId, progress(2000));
    const run = await runs.findRun('1', runId);
    expect(run).toMatchObject({ entriesRead: 3000, entriesWritten: 3000, newUsers: 3000 });
  });
});
