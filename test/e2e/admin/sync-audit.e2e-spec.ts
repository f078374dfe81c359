import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ApiEnvelope, LdapSyncDetailView, LdapSyncRunView } from '@gatehouse/contracts';
import { redisOptionsFromUrl } from '@gatehouse/platform';
import { login, managementCaller } from '@gatehouse/testing/auth-client';
import { request } from '@gatehouse/testing/http-client';
import {
  type SlapdInstance,
  startSlapd,
  TEST_ADMIN_DN,
  TEST_ADMIN_PASSWORD,
  testUserPassword,
} from '@gatehouse/testing/slapd';
import { Suite } from '@gatehouse/testing/suite';
import { waitFor } from '@gatehouse/testing/wait-for';
import { Queue } from 'bullmq';

const run = promisify(execFile);
const USERS_BASE = 'ou=users,dc=example,dc=com';

interface AuditRow {
  actorId: string | null;
  actorName: string;
  action: string;
  targetType: string;
  targetId: string;
  after: Record<string, unknown> | null;
  clientAddress: string | null;
  requestId: string | null;
}

interface AuditPage {
  total: string;
  list: AuditRow[];
}

/** Issue #6 "syncs are recorded too": every LDAP sync run and single-user re-sync ends with an
 *  audit row naming who started it (the admin, or `system` for the scheduler), from where, and
 *  how it went; the session families a sync ends are recorded and leave the stats' live count. */
describe('admin API: LDAP syncs in the audit log and the stats', () => {
  const ADMIN_PASSWORD = 'sync-audit-e2e-password';
  let slapd: SlapdInstance;
  let suite: Suite;
  let gateway: string;
  let adminToken: string;
  let adminId: string;

  const ldap = managementCaller(
    () => gateway,
    '/api/v1/ldap',
    () => adminToken,
    30000,
  );
  const admin = managementCaller(
    () => gateway,
    '/api/v1/admin',
    () => adminToken,
  );

  const auditOf = async (query: string): Promise<AuditRow[]> => {
    const page = await admin<AuditPage>('GET', `/audit?size=100&${query}`);
    expect(page.status).toBe(200);
    return page.body.data.list;
  };

  const activeSessions = async (): Promise<number> => {
    const stats = await admin<{ sessions: { active: number } }>('GET', '/stats');
    expect(stats.status).toBe(200);
    return stats.body.data.sessions.active;
  };

  const waitForRun = (id: string): Promise<LdapSyncDetailView> =>
    waitFor(
      `sync run ${id}`,
      async () => {
        const detail = await ldap<LdapSyncDetailView>('GET', `/sync-history/${id}`);
        return detail.body.data?.status === '进行中' ? undefined : detail.body.data;
      },
      { timeoutMs: 30000 },
    );

  /** POST /sync-users with a request id of ours; answers the ended run. */
  async function manualSync(requestId: string, params = ''): Promise<LdapSyncDetailView> {
    const started = await request<ApiEnvelope<LdapSyncRunView>>(
      `${gateway}/api/v1/ldap/sync-users${params}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'x-request-id': requestId },
        timeoutMs: 30000,
      },
    );
    expect(started.status).toBe(200);
    return waitForRun(started.body.data.id ?? '');
  }

  async function ldapDelete(dn: string): Promise<void> {
    await run('ldapdelete', [
      '-x',
      '-H',
      slapd.url,
      '-D',
      TEST_ADMIN_DN,
      '-w',
      TEST_ADMIN_PASSWORD,
      dn,
    ]);
  }

  beforeAll(async () => {
    slapd = await startSlapd();
    suite = await Suite.start({
      label: 'sync-audit',
      env: { GATEHOUSE_ADMIN_USERNAME: 'admin', GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    gateway = suite.apps['auth-gateway'].baseUrl;
    const session = await login(gateway, 'admin', ADMIN_PASSWORD);
    adminToken = session.accessToken;
    adminId = String(session.response.body.data.id);
    const saved = await ldap('PUT', '/config', {
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
    });
    expect(saved.status).toBe(200);
  });

  afterAll(async () => {
    await suite?.stop();
    await slapd?.destroy();
  });

  it('a manual sync ends with an ldap.sync row naming the acting admin, address and request', async () => {
    const ended = await manualSync('sync-audit-manual-1');
    expect(ended.status).toBe('成功');
    const rows = await auditOf(`action=ldap.sync&targetId=${ended.id}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorId: adminId,
      actorName: 'admin',
      targetType: 'ldap_sync_run',
      targetId: ended.id,
      requestId: 'sync-audit-manual-1',
      after: {
        status: 'succeeded',
        syncType: 'manual',
        mode: 'full',
        forced: false,
        newUsers: ended.newUsers,
        totalUsers: ended.totalUsers,
        deletedUsers: 0,
        error: null,
      },
    });
    expect(ended.newUsers).toBeGreaterThan(0);
    expect(rows[0]?.clientAddress).toMatch(/127\.0\.0\.1/);
  });

  it('a sync that deactivates a user ends its sessions: recorded, and the stats count drops', async () => {
    const dave = await login(gateway, 'dave', testUserPassword('dave'));
    const daveId = String(dave.response.body.data.id);
    const before = await activeSessions();
    expect(before).toBeGreaterThanOrEqual(2);
    await ldapDelete(`uid=dave,${USERS_BASE}`);
    const ended = await manualSync('sync-audit-deactivate', '?force=true');
    expect(ended).toMatchObject({ status: '成功', deletedUsers: 1, forced: true });
    expect(await activeSessions()).toBe(before - 1);

    const [syncRow] = await auditOf(`action=ldap.sync&targetId=${ended.id}`);
    expect(syncRow?.after).toMatchObject({ status: 'succeeded', deletedUsers: 1, forced: true });
    const revoked = await auditOf(
      `action=auth.session_family_revoked&targetType=user&targetId=${daveId}`,
    );
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({
      actorId: adminId,
      actorName: 'admin',
      requestId: 'sync-audit-deactivate',
      after: { reason: 'deactivated by LDAP sync', runId: ended.id },
    });
    expect(revoked[0]?.after?.familyId).toEqual(expect.any(String));
    // dave's token no longer validates: the family recorded is the one that ended.
    const me = await request(`${gateway}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${dave.accessToken}` },
    });
    expect(me.status).toBe(401);
  });

  it('a failed run is recorded with its failure message', async () => {
    await slapd.stop();
    let ended: LdapSyncDetailView;
    try {
      ended = await manualSync('sync-audit-failed');
    } finally {
      await slapd.start();
    }
    expect(ended.status).toBe('失败');
    const [row] = await auditOf(`action=ldap.sync&targetId=${ended.id}`);
    expect(row).toMatchObject({ actorName: 'admin', after: { status: 'failed' } });
    expect(String(row?.after?.error)).toMatch(/LDAP connect failed/);
  });

  it('a scheduled run is recorded as the system', async () => {
    const queue = new Queue('ldap-sync', {
      connection: { ...redisOptionsFromUrl(suite.redis.url), maxRetriesPerRequest: null },
    });
    try {
      expect(
        (
          await ldap('PUT', '/config', {
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
            syncEnabled: true,
            syncInterval: 3600,
          })
        ).status,
      ).toBe(200);
      // What the tenant's job scheduler enqueues at each tick.
      await queue.add('scheduled', { tenantId: '1' });
      const row = await waitFor('the scheduled run audit row', async () => {
        const rows = await auditOf('action=ldap.sync');
        return rows.find((each) => each.after?.syncType === 'auto');
      });
      expect(row).toMatchObject({
        actorId: null,
        actorName: 'system',
        clientAddress: null,
        targetType: 'ldap_sync_run',
        after: { status: 'succeeded', syncType: 'auto' },
      });
      expect(row.targetId).toMatch(/^SYNC_\d+$/);
    } finally {
      await queue.close();
    }
  });

  it('a single-user re-sync is recorded with the acting admin, and so is one that fails', async () => {
    const resynced = await ldap<{ userId: string; result: string }>('POST', '/users/alice/sync');
    expect(resynced.status).toBe(200);
    const missing = await ldap('POST', '/users/nobody-here/sync');
    expect([missing.status, missing.body.code]).toEqual([404, 'LDAP_004']);

    const [alice] = await auditOf('action=ldap.user_resync&targetId=alice');
    expect(alice).toMatchObject({
      actorId: adminId,
      actorName: 'admin',
      targetType: 'ldap_user',
      after: {
        status: 'succeeded',
        userId: resynced.body.data.userId,
        result: resynced.body.data.result,
      },
    });
    expect(alice?.clientAddress).toMatch(/127\.0\.0\.1/);
    expect(alice?.requestId).toEqual(expect.any(String));
    const [nobody] = await auditOf('action=ldap.user_resync&targetId=nobody-here');
    expect(nobody).toMatchObject({
      actorId: adminId,
      after: { status: 'failed', code: 'LDAP_004' },
    });
  });

  it('the audit of syncs needs a token (401 without one)', async () => {
    expect((await admin('GET', '/audit?action=ldap.sync', undefined, '')).status).toBe(401);
  });
});
