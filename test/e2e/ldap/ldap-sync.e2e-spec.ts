import type {
  LdapSyncDetailView,
  LdapSyncHistoryPage,
  LdapSyncRunView,
} from '@gatehouse/contracts';
import { login, withDatabase, managementCaller } from '@gatehouse/testing/auth-client';
import { type JsonResponse, request } from '@gatehouse/testing/http-client';
import {
  ldapTool as ldapToolOf,
  type SlapdInstance,
  startSlapd,
  TEST_ADMIN_DN,
  TEST_ADMIN_PASSWORD,
  testUserPassword,
} from '@gatehouse/testing/slapd';
import { Suite } from '@gatehouse/testing/suite';
import { waitFor } from '@gatehouse/testing/wait-for';
import { Queue } from 'bullmq';
import { redisOptionsFromUrl } from '@gatehouse/platform';

const USERS_BASE = 'ou=users,dc=example,dc=com';

/** seed 003 "手动同步LDAP用户", "同步历史", "同步详情" end to end: HTTP to the gateway, Redis-RPC and
 *  a BullMQ job in ldap-sync, a real slapd, the users in PostgreSQL, sessions in Redis. */
describe('LDAP user sync (seed 003)', () => {
  const ADMIN_PASSWORD = 'ldap-sync-e2e-password';
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

  async function directoryUserCount(): Promise<number> {
    const out = await ldapTool('ldapsearch', ['-LLL', '-b', USERS_BASE, '(uid=*)', '1.1']);
    return out.split('\n').filter((line) => /^dn::? /.test(line)).length;
  }

  const query = <T extends Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> =>
    withDatabase(suite.database.url, async (db) => (await db.query<T>(sql, params)).rows);

  async function ldapUsers(): Promise<
    {
      id: string;
      username: string;
      email: string | null;
      active: boolean;
      updated_at: Date;
      ldap_dn: string;
    }[]
  > {
    return query(
      `SELECT id::text AS id, username, email, active, updated_at, ldap_dn FROM users
       WHERE tenant_id = '1' AND source = 'ldap' ORDER BY id`,
    );
  }

  /** POST /sync-users, then waits for the run to end; answers its detail. */
  async function sync(params = ''): Promise<LdapSyncDetailView> {
    const started = await call<LdapSyncRunView>('POST', `/sync-users${params}`);
    expect([started.status, started.body.code, started.body.message]).toEqual([
      200,
      'S',
      '同步任务已启动',
    ]);
    expect(started.body.data.status).toBe('进行中');
    const id = started.body.data.id ?? '';
    expect(id).toMatch(/^SYNC_\d+$/);
    return waitFor(
      `sync run ${id}`,
      async () => {
        const detail = await call<LdapSyncDetailView>('GET', `/sync-history/${id}`);
        expect(detail.status).toBe(200);
        return detail.body.data.status === '进行中' ? undefined : detail.body.data;
      },
      { timeoutMs: 30000 },
    );
  }

  const configBody = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    isEnabled: true,
    server: slapd.url,
    baseDN: 'dc=example,dc=com',
    bindDN: TEST_ADMIN_DN,
    bindPassword: TEST_ADMIN_PASSWORD,
    userSearchBase: USERS_BASE,
    userSearchFilter: '(uid={0})',
    groupSearchBase: 'ou=groups,dc=example,dc=com',
    groupSearchFilter: '(member={0})',
    useSsl: false,
    syncEnabled: false,
    syncInterval: 3600,
    ...overrides,
  });

  const usernames = (list: { username: string | null }[]): (string | null)[] =>
    list.map((item) => item.username).sort();

  beforeAll(async () => {
    slapd = await startSlapd();
    suite = await Suite.start({
      label: 'ldap-sync',
      env: {
        GATEHOUSE_ADMIN_USERNAME: 'admin',
        GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LOGIN_MAX_FAILURES: '50',
        LDAP_SYNC_PAGE_SIZE: '7',
        LDAP_SYNC_BATCH_SIZE: '5',
      },
    });
    gateway = suite.apps['auth-gateway'].baseUrl;
    adminToken = (await login(gateway, 'admin', ADMIN_PASSWORD)).accessToken;
  });

  afterAll(async () => {
    await suite?.stop();
    await slapd?.destroy();
  });

  it('refuses without a token, and with LDAP_003 before a configuration is saved', async () => {
    expect((await call('POST', '/sync-users', undefined, '')).status).toBe(401);
    expect((await call('GET', '/sync-history', undefined, '')).status).toBe(401);
    const unconfigured = await call('POST', '/sync-users');
    expect([unconfigured.status, unconfigured.body.code]).toEqual([400, 'LDAP_003']);
    const saved = await call('PUT', '/config', configBody());
    expect(saved.status).toBe(200);
  });

  it('a dry run answers the plan and writes nothing', async () => {
    const expected = await directoryUserCount();
    const response = await call<LdapSyncDetailView>('POST', '/sync-users?dryRun=true');
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({
      id: null,
      dryRun: true,
      status: '成功',
      totalUsers: expected,
      newUsers: expected,
    });
    expect(response.body.data.details.newUsersList).toHaveLength(expected);
    expect(await ldapUsers()).toEqual([]);
    expect(await query('SELECT id FROM ldap_sync_runs')).toEqual([]);
  });

  it('the first sync creates every directory user with source ldap and its entryUUID', async () => {
    const expected = await directoryUserCount();
    expect(expected).toBe(25);
    const detail = await sync();
    expect(detail).toMatchObject({
      status: '成功',
      syncType: 'manual',
      totalUsers: expected,
      newUsers: expected,
      updatedUsers: 0,
      deletedUsers: 0,
      failedUsers: 0,
      error: null,
    });
    expect(detail.duration).toMatch(/^\d+(秒|分钟)$/);
    expect(detail.details.newUsersList).toHaveLength(expected);
    expect(detail.details.newUsersList).toContainEqual({
      username: 'alice',
      name: expect.any(String) as unknown,
      email: 'alice@example.com',
    });
    const rows = await query<{ count: string }>(
      `SELECT count(*)::text AS count FROM users
       WHERE tenant_id = '1' AND source = 'ldap' AND ldap_uuid IS NOT NULL AND active`,
    );
    expect(rows[0]?.count).toBe(String(expected));
  });

  it('a second sync changes no row', async () => {
    const before = await ldapUsers();
    const detail = await sync();
    expect(detail).toMatchObject({ status: '成功', newUsers: 0, updatedUsers: 0, deletedUsers: 0 });
    expect(await ldapUsers()).toEqual(before);
  });

  it('a changed mail is an update reporting ["email"]', async () => {
    await ldapTool(
      'ldapmodify',
      [],
      `dn: uid=bob,${USERS_BASE}\nchangetype: modify\nreplace: mail\nmail: bob.new@example.com\n`,
    );
    const detail = await sync();
    expect(detail).toMatchObject({ status: '成功', newUsers: 0, updatedUsers: 1 });
    expect(detail.details.updatedUsersList).toEqual([
      { username: 'bob', name: expect.any(String) as unknown, changes: ['email'] },
    ]);
    const [bob] = await query<{ email: string }>(
      `SELECT email FROM users WHERE tenant_id = '1' AND username = 'bob'`,
    );
    expect(bob?.email).toBe('bob.new@example.com');
  });

  it('a renamed entry keeps its users.id and is an update', async () => {
    const [carol] = await query<{ id: string }>(
      `SELECT id::text AS id FROM users WHERE username = 'carol'`,
    );
    await ldapTool('ldapmodrdn', ['-r', `uid=carol,${USERS_BASE}`, 'uid=carol2']);
    const detail = await sync();
    expect(detail).toMatchObject({ status: '成功', newUsers: 0, updatedUsers: 1, deletedUsers: 0 });
    expect(detail.details.updatedUsersList[0]?.changes).toEqual(
      expect.arrayContaining(['username', 'dn']),
    );
    const renamed = await query<{ id: string; ldap_dn: string }>(
      `SELECT id::text AS id, ldap_dn FROM users WHERE username = 'carol2'`,
    );
    expect(renamed).toEqual([{ id: carol?.id, ldap_dn: `uid=carol2,${USERS_BASE}` }]);
  });

  it('a deleted entry is deactivated, listed as deleted, and its sessions end', async () => {
    const dave = await login(gateway, 'dave', testUserPassword('dave'));
    const me = (): Promise<JsonResponse> =>
      request(`${gateway}/api/v1/auth/me`, {
        headers: { authorization: `Bearer ${dave.accessToken}` },
      });
    expect((await me()).status).toBe(200);
    await ldapTool('ldapdelete', [`uid=dave,${USERS_BASE}`]);
    const detail = await sync();
    expect(detail).toMatchObject({ status: '成功', deletedUsers: 1 });
    expect(usernames(detail.details.deletedUsersList)).toEqual(['dave']);
    const [row] = await query<{ active: boolean }>(
      `SELECT active FROM users WHERE username = 'dave'`,
    );
    expect(row?.active).toBe(false);
    expect((await me()).status).toBe(401);
  });

  it('deleting more than 20% fails the run and deactivates nobody, unless force=true', async () => {
    const doomed = ['erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];
    for (const uid of doomed) await ldapTool('ldapdelete', [`uid=${uid},${USERS_BASE}`]);
    const activeBefore = (await ldapUsers()).filter((user) => user.active).length;
    const refused = await sync();
    expect(refused).toMatchObject({ status: '失败', deletedUsers: 0 });
    expect(refused.error).toMatch(/force=true/);
    expect(refused.details.deletedUsersList).toEqual([]);
    expect((await ldapUsers()).filter((user) => user.active)).toHaveLength(activeBefore);

    const forced = await sync('?force=true');
    expect(forced).toMatchObject({ status: '成功', deletedUsers: doomed.length, forced: true });
    expect(usernames(forced.details.deletedUsersList)).toEqual(doomed);
    expect((await ldapUsers()).filter((user) => user.active)).toHaveLength(
      activeBefore - doomed.length,
    );
  });

  it('with slapd down the run fails with a clear error and deactivates nobody', async () => {
    const before = await ldapUsers();
    await slapd.stop();
    try {
      const detail = await sync();
      expect(detail).toMatchObject({ status: '失败', deletedUsers: 0 });
      expect(detail.error).toMatch(/LDAP connect failed/);
      expect(detail.error).toMatch(/nobody was deactivated/);
      expect(await ldapUsers()).toEqual(before);
    } finally {
      await slapd.start();
    }
  });

  it('two concurrent requests: one 200, one 409 LDAP_005', async () => {
    const answers = await Promise.all([
      call<LdapSyncRunView>('POST', '/sync-users'),
      call<LdapSyncRunView>('POST', '/sync-users'),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const conflict = answers.find((answer) => answer.status === 409);
    expect(conflict?.body.code).toBe('LDAP_005');
    const accepted = answers.find((answer) => answer.status === 200);
    const id = accepted?.body.data.id ?? '';
    await waitFor(`sync run ${id}`, async () => {
      const detail = await call<LdapSyncDetailView>('GET', `/sync-history/${id}`);
      return detail.body.data.status === '进行中' ? undefined : detail.body.data;
    });
  });

  it('a dry run of a pending change reports it and writes nothing', async () => {
    await ldapTool(
      'ldapmodify',
      [],
      `dn: uid=kevin,${USERS_BASE}\nchangetype: modify\nreplace: mail\nmail: kevin.new@example.com\n`,
    );
    const runsBefore = await query('SELECT id FROM ldap_sync_runs');
    const plan = await call<LdapSyncDetailView>('POST', '/sync-users?dryRun=true');
    expect(plan.body.data).toMatchObject({ status: '成功', updatedUsers: 1, newUsers: 0 });
    expect(plan.body.data.details.updatedUsersList).toEqual([
      { username: 'kevin', name: expect.any(String) as unknown, changes: ['email'] },
    ]);
    const [kevin] = await query<{ email: string }>(
      `SELECT email FROM users WHERE username = 'kevin'`,
    );
    expect(kevin?.email).toBe('kevin@example.com');
    expect(await query('SELECT id FROM ldap_sync_runs')).toEqual(runsBefore);
  });

  it('pages the history, filters by status, and answers 404 for an unknown run', async () => {
    const [{ count } = { count: '0' }] = await query<{ count: string }>(
      'SELECT count(*)::text AS count FROM ldap_sync_runs',
    );
    const page = await call<LdapSyncHistoryPage>('GET', '/sync-history?page=1&size=2');
    expect(page.status).toBe(200);
    expect(page.body.data.total).toBe(count);
    expect(page.body.data.list).toHaveLength(2);
    const second = await call<LdapSyncHistoryPage>('GET', '/sync-history?page=2&size=2');
    expect(second.body.data.list[0]?.id).not.toBe(page.body.data.list[0]?.id);
    const failed = await call<LdapSyncHistoryPage>(
      'GET',
      `/sync-history?status=${encodeURIComponent('失败')}`,
    );
    expect(failed.body.data.total).toBe('2');
    expect(failed.body.data.list.every((item) => item.status === '失败')).toBe(true);
    const succeeded = await call<LdapSyncHistoryPage>(
      'GET',
      `/sync-history?status=${encodeURIComponent('成功')}&size=100`,
    );
    expect(Number(succeeded.body.data.total)).toBe(Number(count) - 2);
    expect(succeeded.body.data.list[0]).toMatchObject({
      syncType: 'manual',
      duration: expect.stringMatching(/^\d+(秒|分钟)$/) as unknown,
      creator: 'admin',
    });
    expect((await call('GET', '/sync-history?status=done')).status).toBe(400);
    expect((await call('GET', '/sync-history?size=101')).status).toBe(400);
    const missing = await call('GET', '/sync-history/SYNC_999999');
    expect([missing.status, missing.body.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('a run left running by a killed worker is failed when ldap-sync starts again', async () => {
    const ldapSync = suite.apps['ldap-sync'];
    await ldapSync.stop('SIGKILL');
    // What a worker killed mid-run leaves behind: a running run whose job is gone.
    const [orphan] = await query<{ id: string }>(
      `INSERT INTO ldap_sync_runs (tenant_id, started_at, worker_id)
       VALUES ('1', now() - interval '2 minutes', 'killed-worker:1')
       RETURNING id::text AS id`,
    );
    await ldapSync.start();
    const detail = await waitFor('the orphaned run to be failed', async () => {
      const answer = await call<LdapSyncDetailView>('GET', `/sync-history/SYNC_${orphan?.id}`);
      return answer.body.data?.status === '失败' ? answer.body.data : undefined;
    });
    expect(detail.error).toMatch(/worker stopped mid-run/);
    const next = await sync();
    expect(next.status).toBe('成功');
  });

  it('schedules automatic runs per tenant from syncEnabled/syncInterval', async () => {
    const queue = new Queue('ldap-sync', {
      connection: { ...redisOptionsFromUrl(suite.redis.url), maxRetriesPerRequest: null },
    });
    try {
      const before = Date.now();
      expect(
        (await call('PUT', '/config', configBody({ syncEnabled: true, syncInterval: 300 }))).status,
      ).toBe(200);
      const scheduler = await queue.getJobScheduler('tenant-1');
      expect(Number(scheduler?.every)).toBe(300_000);
      expect(Number(scheduler?.next)).toBeGreaterThanOrEqual(before + 300_000);

      expect(
        (await call('PUT', '/config', configBody({ syncEnabled: true, syncInterval: 600 }))).status,
      ).toBe(200);
      expect(Number((await queue.getJobScheduler('tenant-1'))?.every)).toBe(600_000);

      // What the scheduler enqueues at each tick: an automatic run by the system.
      await queue.add('scheduled', { tenantId: '1' });
      const auto = await waitFor('an automatic run', async () => {
        const page = await call<LdapSyncHistoryPage>('GET', '/sync-history?size=1');
        const latest = page.body.data.list[0];
        return latest?.syncType === 'auto' && latest.status !== '进行中' ? latest : undefined;
      });
      expect(auto).toMatchObject({ status: '成功', createdBy: 'SYSTEM', creator: '系统自动' });

      expect((await call('PUT', '/config', configBody({ syncEnabled: false }))).status).toBe(200);
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((each) => each.key)).not.toContain('tenant-1');
    } finally {
      await queue.close();
    }
  });
});
