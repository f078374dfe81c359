import type {
  LdapGroupRoleMappingsReply,
  LdapSyncDetailView,
  LdapSyncHistoryPage,
  LdapSyncRunView,
  LdapUserResyncReply,
  UserInfo,
} from '@gatehouse/contracts';
import { login, managementCaller, withDatabase } from '@gatehouse/testing/auth-client';
import { request } from '@gatehouse/testing/http-client';
import {
  ldapTool as ldapToolOf,
  type SlapdInstance,
  startSlapd,
  TEST_ADMIN_DN,
  TEST_ADMIN_PASSWORD,
  testUserPassword,
} from '@gatehouse/testing/slapd';
import { Suite } from '@gatehouse/testing/suite';
import { sleep, waitFor } from '@gatehouse/testing/wait-for';
import { Queue } from 'bullmq';
import { redisOptionsFromUrl } from '@gatehouse/platform';

const USERS = 'ou=users,dc=example,dc=com';
const GROUPS = 'ou=groups,dc=example,dc=com';
const group = (cn: string): string => `cn=${cn},${GROUPS}`;

/** Groups added to the test directory for this file: a posixGroup, a nesting cycle and a group
 *  that is deleted later. */
const EXTRA_GROUPS = `dn: ${group('bms-staff')}
objectClass: posixGroup
cn: bms-staff
gidNumber: 5001
memberUid: bob
memberUid: kevin

dn: ${group('cycle-a')}
objectClass: groupOfNames
cn: cycle-a
member: uid=oscar,${USERS}
member: ${group('cycle-b')}

dn: ${group('cycle-b')}
objectClass: groupOfNames
cn: cycle-b
member: ${group('cycle-a')}

dn: ${group('temp-group')}
objectClass: groupOfNames
cn: temp-group
member: uid=peggy,${USERS}
`;

const MAPPINGS = [
  { groupDN: group('tts-technicians'), system: 'TTS', role: 'Technician' },
  { groupDN: group('ams-users'), system: 'AMS', role: 'User' },
  { groupDN: group('cycle-b'), system: 'HDTS', role: 'Agent' },
  { groupDN: group('bms-staff'), system: 'BMS', role: 'User' },
];

type Grant = { system: string; role: string };

/** Issue #4's sync additions end to end (gateway → RPC → ldap-sync → slapd → PostgreSQL): groups
 *  and nested memberships, group → role mappings reaching user-info and tokens, incremental
 *  scheduled runs, progress of a running run, and the re-sync of one user. */
describe('LDAP groups, group roles, incremental runs, progress, single-user re-sync', () => {
  const ADMIN_PASSWORD = 'ldap-groups-e2e-password';
  let slapd: SlapdInstance;
  let suite: Suite;
  let gateway: string;
  let adminToken: string;

  const call = managementCaller(
    () => gateway,
    '/api/v1/ldap',
    () => adminToken,
    30000,
  );

  /** An OpenLDAP client tool against the test slapd, as its admin; `input` is LDIF on stdin. */
  const ldapTool = (tool: string, args: string[], input?: string): Promise<string> =>
    ldapToolOf(slapd, tool, args, input);

  const query = <T extends Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> =>
    withDatabase(suite.database.url, async (db) => (await db.query<T>(sql, params)).rows);

  async function userId(username: string): Promise<string> {
    const [row] = await query<{ id: string }>(
      `SELECT id::text AS id FROM users WHERE tenant_id = '1' AND username = $1`,
      [username],
    );
    if (!row) throw new Error(`no user ${username}`);
    return row.id;
  }

  async function effectiveGroups(username: string): Promise<string[]> {
    const rows = await query<{ cn: string; direct: boolean }>(
      `SELECT g.cn, ug.direct FROM ldap_user_groups ug
       JOIN ldap_groups g ON g.id = ug.group_id JOIN users u ON u.id = ug.user_id
       WHERE u.tenant_id = '1' AND u.username = $1`,
      [username],
    );
    return rows.map((row) => `${row.cn}${row.direct ? '' : '~'}`).sort();
  }

  /** seed 001's user-info roles, as a downstream sees them. */
  async function userInfoRoles(username: string): Promise<string[]> {
    const response = await request<UserInfo>(
      `${gateway}/api/v1/tts/user-info/${await userId(username)}/`,
      { headers: { authorization: `Bearer ${adminToken}` } },
    );
    expect(response.status).toBe(200);
    return response.body.roles.map(grantName).sort();
  }

  /** The roles in a fresh access token of the user. */
  async function tokenRoles(username: string): Promise<string[]> {
    const { accessToken } = await login(gateway, username, testUserPassword(username));
    const payload = JSON.parse(
      Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as { roles: Grant[] };
    return payload.roles.map(grantName).sort();
  }

  async function waitForRun(id: string): Promise<LdapSyncDetailView> {
    return waitFor(
      `sync run ${id}`,
      async () => {
        const detail = await call<LdapSyncDetailView>('GET', `/sync-history/${id}`);
        return detail.body.data.status === '进行中' ? undefined : detail.body.data;
      },
      { timeoutMs: 60000 },
    );
  }

  async function sync(params = ''): Promise<LdapSyncDetailView> {
    const started = await call<LdapSyncRunView>('POST', `/sync-users${params}`);
    expect(started.status).toBe(200);
    return waitForRun(started.body.data.id ?? '');
  }

  const configBody = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    isEnabled: true,
    server: slapd.url,
    baseDN: 'dc=example,dc=com',
    bindDN: TEST_ADMIN_DN,
    bindPassword: TEST_ADMIN_PASSWORD,
    userSearchBase: USERS,
    userSearchFilter: '(uid={0})',
    groupSearchBase: GROUPS,
    groupSearchFilter: '(member={0})',
    useSsl: false,
    syncEnabled: false,
    syncInterval: 3600,
    ...overrides,
  });

  beforeAll(async () => {
    slapd = await startSlapd();
    await ldapTool('ldapadd', [], EXTRA_GROUPS);
    suite = await Suite.start({
      label: 'ldap-groups',
      env: {
        GATEHOUSE_ADMIN_USERNAME: 'admin',
        GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LOGIN_MAX_FAILURES: '50',
        LDAP_SYNC_PAGE_SIZE: '5',
        // Progress often enough to be seen during the 2,000-user run of the progress test.
        LDAP_SYNC_PROGRESS_INTERVAL_MS: '100',
        LDAP_SYNC_FULL_EVERY_RUNS: '3',
        LDAP_SYNC_OVERLAP_SECONDS: '0',
      },
    });
    gateway = suite.apps['auth-gateway'].baseUrl;
    adminToken = (await login(gateway, 'admin', ADMIN_PASSWORD)).accessToken;
    expect((await call('PUT', '/config', configBody())).status).toBe(200);
  });

  afterAll(async () => {
    await suite?.stop();
    await slapd?.destroy();
  });

  it('validates group → role mappings and stores them', async () => {
    expect((await call('GET', '/group-role-mappings', undefined, '')).status).toBe(401);
    const empty = await call<LdapGroupRoleMappingsReply>('GET', '/group-role-mappings');
    expect([empty.status, empty.body.data.mappings]).toEqual([200, []]);

    const bad = await call('PUT', '/group-role-mappings', {
      mappings: [
        { groupDN: group('x'), system: 'TTS', role: 'Wizard' },
        { groupDN: 'not a dn', system: 'TTS', role: 'Technician' },
        { groupDN: group('x'), system: 'NOPE', role: 'User' },
        { groupDN: group('x'), system: 'TTS', role: 'User', admin: true },
      ],
    });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const fields = (bad.body.extensions as { errors: { field: string }[] }).errors.map(
      (error) => error.field,
    );
    expect(fields).toEqual(
      expect.arrayContaining([
        'mappings[0].role',
        'mappings[1].groupDN',
        'mappings[2].role',
        'mappings[3].admin',
      ]),
    );
    for (const body of [{}, { mappings: 'x' }, { mappings: ['x'] }, { mappings: [], extra: 1 }]) {
      expect((await call('PUT', '/group-role-mappings', body)).status).toBe(400);
    }
    expect(await query('SELECT id FROM ldap_group_role_mappings')).toEqual([]);

    // A DN holding filter metacharacters is a DN like any other: stored, and matching no group.
    const saved = await call<LdapGroupRoleMappingsReply>('PUT', '/group-role-mappings', {
      mappings: [...MAPPINGS, { groupDN: `cn=*)(cn=*,${GROUPS}`, system: 'AMS', role: 'Admin' }],
    });
    expect(saved.status).toBe(200);
    expect(saved.body.data.mappings).toHaveLength(5);
    expect(saved.body.data.mappings).toContainEqual(
      expect.objectContaining({ ...MAPPINGS[0], creator: 'admin' }),
    );
  });

  it('a full sync writes groups of every kind, nested memberships and their roles', async () => {
    await sync();
    // A grant made by hand before the directory gives any.
    const alice = await userId('alice');
    await query(
      `INSERT INTO user_roles (tenant_id, user_id, role_id, source)
       SELECT '1', $1::bigint, r.id, 'manual' FROM roles r JOIN systems s ON s.id = r.system_id
       WHERE s.code = 'BMS' AND r.name = 'Admin'`,
      [alice],
    );
    const detail = await sync();
    expect(detail).toMatchObject({ status: '成功', mode: 'full', syncType: 'manual' });
    expect(detail.details.groups).toMatchObject({
      mode: 'full',
      groupsRead: 8,
      deletedGroups: 0,
      skippedGroups: [],
    });
    const kinds = await query<{ cn: string; kind: string }>(
      `SELECT cn, kind FROM ldap_groups WHERE tenant_id = '1' ORDER BY cn`,
    );
    expect(kinds).toContainEqual({ cn: 'ams-admins', kind: 'groupOfUniqueNames' });
    expect(kinds).toContainEqual({ cn: 'bms-staff', kind: 'posixGroup' });
    expect(kinds).toHaveLength(8);

    expect(await effectiveGroups('alice')).toEqual(['ams-admins', 'ams-users~', 'tts-technicians']);
    expect(await effectiveGroups('oscar')).toEqual(['ams-users', 'cycle-a', 'cycle-b~']);
    expect(await effectiveGroups('bob')).toEqual(['ams-users', 'bms-staff']);
    expect(await effectiveGroups('jsmith')).toEqual(
      expect.arrayContaining(['ams-admins', 'tts-technicians', 'ams-users~']),
    );

    expect(await userInfoRoles('alice')).toEqual(['AMS/User', 'BMS/Admin', 'TTS/Technician']);
    expect(await userInfoRoles('oscar')).toEqual(['AMS/User', 'HDTS/Agent']);
    expect(await userInfoRoles('bob')).toEqual(['AMS/User', 'BMS/User']);
    expect(await tokenRoles('alice')).toEqual(['AMS/User', 'BMS/Admin', 'TTS/Technician']);
    const sources = await query<{ source: string; n: string }>(
      `SELECT source, count(*)::text AS n FROM user_roles WHERE user_id = $1 GROUP BY source
       ORDER BY source`,
      [alice],
    );
    expect(sources).toEqual([
      { source: 'ldap', n: '2' },
      { source: 'manual', n: '1' },
    ]);

    const snapshot = (): Promise<unknown[]> =>
      Promise.all([
        query('SELECT * FROM ldap_groups ORDER BY id'),
        query('SELECT * FROM ldap_group_members ORDER BY group_id, user_id'),
        query('SELECT * FROM ldap_group_nesting ORDER BY group_id, member_group_id'),
        query('SELECT * FROM ldap_user_groups ORDER BY user_id, group_id'),
        query('SELECT * FROM user_roles ORDER BY user_id, role_id'),
      ]);
    const before = await snapshot();
    const again = await sync();
    expect(await snapshot()).toEqual(before);
    expect(again.details.groups).toMatchObject({
      newGroups: 0,
      updatedGroups: 0,
      membershipsAdded: 0,
      membershipsRemoved: 0,
      rolesGranted: 0,
      rolesRevoked: 0,
    });
  });

  it('removal from a group (and a deleted group) takes the roles away; hand grants stay', async () => {
    await ldapTool(
      'ldapmodify',
      [],
      `dn: ${group('tts-technicians')}\nchangetype: modify\ndelete: member\nmember: uid=alice,${USERS}\n`,
    );
    await ldapTool('ldapdelete', [group('temp-group')]);
    const detail = await sync();
    expect(detail.status).toBe('成功');
    expect(detail.details.groups).toMatchObject({ groupsRead: 7, deletedGroups: 1 });
    expect(await effectiveGroups('alice')).toEqual(['ams-admins']);
    expect(await effectiveGroups('peggy')).toEqual([]);
    expect(await userInfoRoles('alice')).toEqual(['BMS/Admin']);
    expect(await tokenRoles('alice')).toEqual(['BMS/Admin']);
  });

  it('refuses non-admins', async () => {
    const bob = (await login(gateway, 'bob', testUserPassword('bob'))).accessToken;
    expect((await call('GET', '/group-role-mappings', undefined, bob)).status).toBe(403);
    expect((await call('PUT', '/group-role-mappings', { mappings: [] }, bob)).status).toBe(403);
    expect((await call('POST', '/users/alice/sync', undefined, bob)).status).toBe(403);
    expect((await call('POST', '/users/alice/sync', undefined, '')).status).toBe(401);
  });

  it('re-syncs one user on demand: fields, nested groups, roles, active', async () => {
    await ldapTool(
      'ldapmodify',
      [],
      [
        `dn: ${group('tts-technicians')}\nchangetype: modify\nadd: member\nmember: uid=alice,${USERS}\n`,
        `dn: uid=alice,${USERS}\nchangetype: modify\nreplace: mail\nmail: alice.new@example.com\n`,
      ].join('\n'),
    );
    await query(`UPDATE users SET active = false WHERE username = 'alice'`);
    const answer = await call<LdapUserResyncReply>('POST', '/users/alice/sync');
    expect([answer.status, answer.body.code]).toEqual([200, 'S']);
    expect(answer.body.data).toMatchObject({
      username: 'alice',
      userDN: `uid=alice,${USERS}`,
      result: 'updated',
      active: true,
    });
    expect(answer.body.data.changes).toEqual(expect.arrayContaining(['email', 'active']));
    expect(answer.body.data.groups).toEqual(
      [group('ams-admins'), group('ams-users'), group('tts-technicians')].sort(),
    );
    expect(answer.body.data.roles).toEqual([
      { system: 'AMS', role: 'User', source: 'ldap' },
      { system: 'BMS', role: 'Admin', source: 'manual' },
      { system: 'TTS', role: 'Technician', source: 'ldap' },
    ]);
    const [row] = await query<{ email: string; active: boolean }>(
      `SELECT email, active FROM users WHERE username = 'alice'`,
    );
    expect(row).toEqual({ email: 'alice.new@example.com', active: true });
    expect(await tokenRoles('alice')).toEqual(['AMS/User', 'BMS/Admin', 'TTS/Technician']);

    // A user the database has never seen, in a group of a nesting cycle.
    await ldapTool(
      'ldapadd',
      [],
      `dn: uid=newbie,${USERS}\nobjectClass: inetOrgPerson\nuid: newbie\ncn: New Bie\nsn: Bie\nmail: newbie@example.com\n`,
    );
    await ldapTool(
      'ldapmodify',
      [],
      `dn: ${group('cycle-b')}\nchangetype: modify\nadd: member\nmember: uid=newbie,${USERS}\n`,
    );
    const created = await call<LdapUserResyncReply>('POST', '/users/newbie/sync');
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({ username: 'newbie', result: 'new', active: true });
    expect(created.body.data.groups).toEqual([group('cycle-a'), group('cycle-b')]);
    expect(created.body.data.roles).toEqual([{ system: 'HDTS', role: 'Agent', source: 'ldap' }]);
    expect(await effectiveGroups('newbie')).toEqual(['cycle-a~', 'cycle-b']);

    const unchanged = await call<LdapUserResyncReply>('POST', '/users/newbie/sync');
    expect(unchanged.body.data).toMatchObject({ result: 'unchanged', changes: [] });
  });

  it('a user not in the directory is 404 LDAP_004; injection attempts match nothing', async () => {
    const usersBefore = await query('SELECT id, username, active FROM users ORDER BY id');
    for (const name of [
      'nobody',
      '*',
      ')(uid=*',
      'alice*',
      '*)(|(uid=*',
      '\\2a',
      'a'.repeat(256),
    ]) {
      const answer = await call('POST', `/users/${encodeURIComponent(name)}/sync`);
      expect([name, answer.status, answer.body.code]).toEqual([name, 404, 'LDAP_004']);
    }
    const nul = await call('POST', '/users/alice%00/sync');
    expect([nul.status, nul.body.code]).toEqual([404, 'LDAP_004']);
    const long = await call('POST', `/users/${'a'.repeat(300)}/sync`);
    expect([long.status, long.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const huge = await call('POST', `/users/${'a'.repeat(5000)}/sync`);
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);
    expect(await query('SELECT id, username, active FROM users ORDER BY id')).toEqual(usersBefore);
  });

  it('scheduled runs between full runs are incremental and never deactivate', async () => {
    const queue = new Queue('ldap-sync', {
      connection: { ...redisOptionsFromUrl(suite.redis.url), maxRetriesPerRequest: null },
    });
    const scheduled = async (): Promise<LdapSyncRunView> => {
      const before = await call<LdapSyncHistoryPage>('GET', '/sync-history?size=1');
      const previous = before.body.data.list[0]?.id;
      await queue.add('scheduled', { tenantId: '1' });
      return waitFor('a scheduled run', async () => {
        const page = await call<LdapSyncHistoryPage>('GET', '/sync-history?size=1');
        const latest = page.body.data.list[0];
        return latest && latest.id !== previous && latest.status !== '进行中' ? latest : undefined;
      });
    };
    try {
      expect((await call('PUT', '/config', configBody({ syncEnabled: true }))).status).toBe(200);
      // Every entry changed so far is more than a second older than the full run's start.
      await sleep(1100);
      const full = await sync();
      expect(full).toMatchObject({ status: '成功', mode: 'full' });
      await ldapTool(
        'ldapmodify',
        [],
        `dn: uid=kevin,${USERS}\nchangetype: modify\nreplace: mail\nmail: kevin.new@example.com\n`,
      );
      await ldapTool('ldapdelete', [`uid=trent,${USERS}`]);

      const incremental = await scheduled();
      expect(incremental).toMatchObject({
        status: '成功',
        syncType: 'auto',
        mode: 'incremental',
        totalUsers: 1,
        entriesRead: 1,
        updatedUsers: 1,
        newUsers: 0,
        deletedUsers: 0,
      });
      const detail = await call<LdapSyncDetailView>('GET', `/sync-history/${incremental.id}`);
      expect(detail.body.data.details.mode).toBe('incremental');
      expect(detail.body.data.details.updatedUsersList).toEqual([
        { username: 'kevin', name: expect.any(String) as unknown, changes: ['email'] },
      ]);
      expect(detail.body.data.details.groups).toMatchObject({
        mode: 'incremental',
        groupsRead: 0,
        deletedGroups: 0,
      });
      const [trent] = await query<{ active: boolean }>(
        `SELECT active FROM users WHERE username = 'trent'`,
      );
      expect(trent?.active).toBe(true);

      // LDAP_SYNC_FULL_EVERY_RUNS=3: the third scheduled run after a full one is full again.
      expect((await scheduled()).mode).toBe('incremental');
      const third = await scheduled();
      expect(third).toMatchObject({ status: '成功', mode: 'full', deletedUsers: 1 });
      const filtered = await call<LdapSyncHistoryPage>(
        'GET',
        `/sync-history?status=${encodeURIComponent('成功')}&size=100`,
      );
      expect(filtered.body.data.list.map((item) => item.syncType)).toEqual(
        expect.arrayContaining(['manual', 'auto']),
      );
    } finally {
      await call('PUT', '/config', configBody({ syncEnabled: false }));
      await queue.close();
    }
  });

  it('a manual run asked to be incremental reads only the entries changed since the last run', async () => {
    const bad = await call('POST', '/sync-users?mode=partial');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED' });

    await sleep(1100);
    expect(await sync()).toMatchObject({ status: '成功', mode: 'full' });
    // modifyTimestamp has one-second resolution: the change lands after the full run's start.
    await sleep(1100);
    await ldapTool(
      'ldapmodify',
      [],
      `dn: uid=kevin,${USERS}\nchangetype: modify\nreplace: mail\nmail: kevin.manual@example.com\n`,
    );
    const usersBefore = await query('SELECT id, username, email, active FROM users ORDER BY id');

    const preview = await call<LdapSyncDetailView>(
      'POST',
      '/sync-users?dryRun=true&mode=incremental',
    );
    expect(preview.status).toBe(200);
    expect(preview.body.data).toMatchObject({ mode: 'incremental', totalUsers: 1 });
    expect(preview.body.data.details.updatedUsersList).toEqual([
      { username: 'kevin', name: expect.any(String) as unknown, changes: ['email'] },
    ]);
    expect(await query('SELECT id, username, email, active FROM users ORDER BY id')).toEqual(
      usersBefore,
    );

    const run = await sync('?mode=incremental');
    expect(run).toMatchObject({
      status: '成功',
      syncType: 'manual',
      mode: 'incremental',
      entriesRead: 1,
      updatedUsers: 1,
      newUsers: 0,
      deletedUsers: 0,
    });
    const [kevin] = await query<{ email: string }>(
      `SELECT email FROM users WHERE tenant_id = '1' AND username = 'kevin'`,
    );
    expect(kevin?.email).toBe('kevin.manual@example.com');
  });

  it('a running sync shows entries read and written in its record and in the list', async () => {
    const count = 2000;
    const ldif = Array.from(
      { length: count },
      (_, i) =>
        `dn: uid=bulk${i},${USERS}\nobjectClass: inetOrgPerson\nuid: bulk${i}\ncn: Bulk ${i}\nsn: Bulk\nmail: bulk${i}@example.com\n`,
    ).join('\n');
    await ldapTool('ldapadd', [], ldif);

    const started = await call<LdapSyncRunView>('POST', '/sync-users');
    const id = started.body.data.id ?? '';
    const samples: { read: number; written: number; failed: number }[] = [];
    let listed = false;
    let resyncDuringRun: { status: number; code: string; runStillGoing: boolean } | undefined;
    const finished = await waitFor(
      `run ${id}`,
      async () => {
        const detail = await call<LdapSyncDetailView>('GET', `/sync-history/${id}`);
        const data = detail.body.data;
        if (data.status !== '进行中') return data;
        if (data.entriesRead > 0) {
          samples.push({
            read: data.entriesRead,
            written: data.entriesWritten,
            failed: data.failedUsers,
          });
          const page = await call<LdapSyncHistoryPage>('GET', '/sync-history?size=1');
          const item = page.body.data.list[0];
          if (item?.id === id && item.status === '进行中' && item.entriesRead > 0) listed = true;
          if (!resyncDuringRun) {
            const resync = await call('POST', '/users/alice/sync');
            const after = await call<LdapSyncDetailView>('GET', `/sync-history/${id}`);
            resyncDuringRun = {
              status: resync.status,
              code: resync.body.code,
              runStillGoing: after.body.data.status === '进行中',
            };
          }
        }
        return undefined;
      },
      { timeoutMs: 120000, intervalMs: 50 },
    );
    expect(finished.status).toBe('成功');
    expect(samples.length).toBeGreaterThan(0);
    expect(listed).toBe(true);
    const reads = samples.map((sample) => sample.read);
    expect([...reads].sort((a, b) => a - b)).toEqual(reads);
    expect(samples.some((sample) => sample.written > 0)).toBe(true);
    expect(reads[reads.length - 1]).toBeLessThanOrEqual(finished.entriesRead);
    expect(finished.newUsers).toBe(count);
    // A single-user re-sync waits for no run: while one writes, it is refused with LDAP_005.
    if (resyncDuringRun?.runStillGoing) {
      expect(resyncDuringRun).toMatchObject({ status: 409, code: 'LDAP_005' });
    } else {
      expect(resyncDuringRun?.status).toBe(200);
    }
    expect(finished.entriesRead).toBeGreaterThanOrEqual(count);
  });

  it('a group read that fails (its base is gone) fails the run after the users; groups stay', async () => {
    const groupsBefore = await query(`SELECT id, dn FROM ldap_groups ORDER BY id`);
    const bobBefore = await userInfoRoles('bob');
    // The group read starts while the last users are still being written: its failure must still
    // reach the run, and leave groups, memberships and roles as they were.
    const missingBase = `ou=gone,${GROUPS}`;
    expect(
      (await call('PUT', '/config', configBody({ groupSearchBase: missingBase }))).status,
    ).toBe(200);
    try {
      const failed = await sync();
      expect(failed.status).toBe('失败');
      expect(failed.error).toMatch(/group sync failed.*LDAP group read failed/);
      expect(failed.totalUsers).toBeGreaterThan(0);
      expect(await query(`SELECT id, dn FROM ldap_groups ORDER BY id`)).toEqual(groupsBefore);
      expect(await userInfoRoles('bob')).toEqual(bobBefore);
    } finally {
      expect((await call('PUT', '/config', configBody())).status).toBe(200);
    }
    expect((await sync()).status).toBe('成功');
  });

  it('removing more than the threshold of groups fails the run unless forced', async () => {
    const doomed = ['bms-staff', 'cycle-a', 'cycle-b'];
    for (const cn of doomed) await ldapTool('ldapdelete', [group(cn)]);
    const refused = await sync();
    expect(refused.status).toBe('失败');
    expect(refused.error).toMatch(/group sync failed.*force=true/);
    expect(await query(`SELECT id FROM ldap_groups WHERE cn = ANY($1)`, [doomed])).toHaveLength(3);
    expect(await userInfoRoles('bob')).toEqual(['AMS/User', 'BMS/User']);

    const forced = await sync('?force=true');
    expect(forced.status).toBe('成功');
    expect(forced.details.groups).toMatchObject({ deletedGroups: 3 });
    expect(await query(`SELECT id FROM ldap_groups WHERE cn = ANY($1)`, [doomed])).toEqual([]);
    expect(await userInfoRoles('bob')).toEqual(['AMS/User']);
    expect(await userInfoRoles('oscar')).toEqual(['AMS/User']);
  });
});

function grantName(grant: Grant): string {
  return `${grant.system}/${grant.role}`;
}
