import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LdapSyncDetailView, LdapSyncRunView } from '@gatehouse/contracts';
import { login, managementCaller, withDatabase } from '@gatehouse/testing/auth-client';
import {
  type SlapdInstance,
  startSlapd,
  TEST_ADMIN_DN,
  TEST_ADMIN_PASSWORD,
} from '@gatehouse/testing/slapd';
import { Suite } from '@gatehouse/testing/suite';
import { waitFor } from '@gatehouse/testing/wait-for';

const USERS_BASE = 'ou=users,dc=example,dc=com';
/** A killed worker's job is handed on once its BullMQ lock (30 s) has expired and a stalled-job
 *  check (every 30 s) has seen it: up to about a minute, more on a busy machine. */
jest.setTimeout(300_000);
/** Enough users, read in small pages and written in small batches, for a run that lasts seconds:
 *  long enough to be interrupted in the middle. */
const USERS = 6000;

/** The test's directory: the suffix, ou=users with `USERS` people, ou=groups. */
function directoryLdif(): string {
  const head = [
    'dn: dc=example,dc=com',
    'objectClass: dcObject',
    'objectClass: organization',
    'dc: example',
    'o: Example Corp',
    '',
    `dn: ${USERS_BASE}`,
    'objectClass: organizationalUnit',
    'ou: users',
    '',
    'dn: ou=groups,dc=example,dc=com',
    'objectClass: organizationalUnit',
    'ou: groups',
    '',
  ];
  const users = Array.from({ length: USERS }, (_, index) => {
    const uid = `fault${String(index).padStart(5, '0')}`;
    return [
      `dn: uid=${uid},${USERS_BASE}`,
      'objectClass: inetOrgPerson',
      `uid: ${uid}`,
      `cn: Fault User ${index}`,
      'givenName: Fault',
      `sn: User ${index}`,
      `mail: ${uid}@example.com`,
      '',
    ].join('\n');
  });
  return `${head.join('\n')}\n${users.join('\n')}\n`;
}

/** issue #4 "Done when": killing ldap-sync in the middle of a sync loses nothing and a later sync
 *  completes; stopping slapd in the middle of a sync deactivates nobody. Real runs against a real
 *  slapd, interrupted while they read and write. */
describe('LDAP user sync under faults', () => {
  const ADMIN_PASSWORD = 'ldap-sync-faults-password';
  let folder: string;
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
  const query = <T extends Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> =>
    withDatabase(suite.database.url, async (db) => (await db.query<T>(sql, params)).rows);

  async function ldapUserCounts(): Promise<{ all: number; active: number }> {
    const [row] = await query<{ all: string; active: string }>(
      `SELECT count(*)::text AS all, (count(*) FILTER (WHERE active))::text AS active
       FROM users WHERE tenant_id = '1' AND source = 'ldap'`,
    );
    return { all: Number(row?.all ?? 0), active: Number(row?.active ?? 0) };
  }

  async function runRow(
    id: string,
  ): Promise<{ status: string; worker_id: string | null; error: string | null } | undefined> {
    const [row] = await query<{ status: string; worker_id: string | null; error: string | null }>(
      'SELECT status, worker_id, error FROM ldap_sync_runs WHERE id = $1',
      [id],
    );
    return row;
  }

  /** POST /sync-users; answers the run's numeric id. */
  async function startSync(): Promise<string> {
    const started = await call<LdapSyncRunView>('POST', '/sync-users');
    expect([started.status, started.body.data.status]).toEqual([200, '进行中']);
    return (started.body.data.id ?? '').replace(/^SYNC_/, '');
  }

  async function finished(id: string, timeoutMs = 60000): Promise<LdapSyncDetailView> {
    return waitFor(
      `sync run ${id} to end`,
      async () => {
        const detail = await call<LdapSyncDetailView>('GET', `/sync-history/SYNC_${id}`);
        if (detail.status !== 200) throw new Error(`sync-history answered ${detail.status}`);
        return detail.body.data.status === '进行中' ? undefined : detail.body.data;
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'gatehouse-sync-faults-'));
    const ldif = join(folder, 'directory.ldif');
    await writeFile(ldif, directoryLdif());
    slapd = await startSlapd({ ldifPath: ldif, startTimeoutMs: 60000 });
    suite = await Suite.start({
      label: 'ldap-sync-faults',
      env: {
        GATEHOUSE_ADMIN_USERNAME: 'admin',
        GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LDAP_SYNC_PAGE_SIZE: '10',
        LDAP_SYNC_BATCH_SIZE: '2',
      },
    });
    gateway = suite.apps['auth-gateway'].baseUrl;
    adminToken = (await login(gateway, 'admin', ADMIN_PASSWORD)).accessToken;
    const saved = await call('PUT', '/config', {
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
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('SIGKILL of ldap-sync mid-run: nothing written is lost, the run ends, a later sync completes', async () => {
    const ldapSync = suite.apps['ldap-sync'];
    const id = await startSync();
    // In progress and part-way: some users written, not all.
    const before = await waitFor(
      'the run to have written some users',
      async () => {
        const counts = await ldapUserCounts();
        return counts.all >= 200 ? counts : undefined;
      },
      { timeoutMs: 30000, intervalMs: 20 },
    );
    await ldapSync.stop('SIGKILL');
    const atKill = await ldapUserCounts();
    expect(before.all).toBeLessThan(USERS);
    expect(atKill.all).toBeLessThan(USERS);
    expect((await runRow(id))?.status).toBe('running');
    // Everything written before the kill is there, active.
    expect(atKill.active).toBe(atKill.all);

    await ldapSync.start();
    // The interrupted run does not stay "running": once the dead worker's BullMQ lock expires
    // (30 s), the job is stalled and handed to the new worker (at-least-once), which executes the
    // same run again under the tenant's advisory lock and completes it.
    const ended = await finished(id, 180000);
    expect(ended).toMatchObject({
      status: '成功',
      totalUsers: USERS,
      deletedUsers: 0,
      failedUsers: 0,
    });
    expect(ended.newUsers).toBe(USERS - atKill.all);
    expect((await runRow(id))?.worker_id).toMatch(new RegExp(`:${ldapSync.pid ?? 'none'}$`));
    expect(await ldapUserCounts()).toEqual({ all: USERS, active: USERS });

    const later = await finished(await startSync());
    expect(later).toMatchObject({ status: '成功', totalUsers: USERS, deletedUsers: 0 });
    expect(await ldapUserCounts()).toEqual({ all: USERS, active: USERS });
    const [duplicates] = await query<{ count: string }>(
      `SELECT count(*)::text AS count FROM (
         SELECT ldap_uuid FROM users WHERE tenant_id = '1' AND source = 'ldap'
         GROUP BY ldap_uuid HAVING count(*) > 1) AS repeated`,
    );
    expect(duplicates?.count).toBe('0');
  });

  it('slapd stopped mid-read: the run fails while searching and deactivates nobody', async () => {
    if ((await ldapUserCounts()).active !== USERS) await finished(await startSync());
    expect(await ldapUserCounts()).toEqual({ all: USERS, active: USERS });
    // Every user changed since the last run, so this run writes as it reads (batches of 2) and
    // lasts long enough to lose its directory half-way.
    await query(
      `UPDATE users SET email = 'stale-' || email WHERE tenant_id = '1' AND source = 'ldap'`,
    );
    const stale = async (): Promise<number> => {
      const [row] = await query<{ count: string }>(
        `SELECT count(*)::text AS count FROM users
         WHERE tenant_id = '1' AND source = 'ldap' AND email LIKE 'stale-%'`,
      );
      return Number(row?.count ?? 0);
    };
    const id = await startSync();
    await waitFor(
      'the run to have read and written some pages',
      async () => ((await stale()) <= USERS - 100 ? true : undefined),
      { timeoutMs: 30000, intervalMs: 20 },
    );
    expect((await runRow(id))?.status).toBe('running');
    await slapd.stop();
    try {
      const ended = await finished(id);
      expect(ended).toMatchObject({ status: '失败', deletedUsers: 0 });
      expect(ended.error).toMatch(/LDAP search failed/);
      expect(ended.error).toMatch(/nobody was deactivated/);
      expect(await stale()).toBeGreaterThan(0);
      expect(await ldapUserCounts()).toEqual({ all: USERS, active: USERS });
    } finally {
      await slapd.start();
    }
    const later = await finished(await startSync());
    expect(later).toMatchObject({ status: '成功', totalUsers: USERS, deletedUsers: 0 });
    expect(await stale()).toBe(0);
    expect(await ldapUserCounts()).toEqual({ all: USERS, active: USERS });
  });
});
