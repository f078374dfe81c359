import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LdapGroupMembersReply } from '@gatehouse/contracts';
import { login, managementCaller } from '@gatehouse/testing/auth-client';
import {
  type SlapdInstance,
  startSlapd,
  TEST_ADMIN_DN,
  TEST_ADMIN_PASSWORD,
} from '@gatehouse/testing/slapd';
import { Suite } from '@gatehouse/testing/suite';

const run = promisify(execFile);
const USERS_BASE = 'ou=users,dc=example,dc=com';
const GROUPS_BASE = 'ou=groups,dc=example,dc=com';
const BIG_GROUP = `cn=big-group,${GROUPS_BASE}`;
const MEMBERS = 250;

const uid = (index: number): string => `member${String(index).padStart(3, '0')}`;

/** seed 003 "获取LDAP组成员" for a group larger than a page: every member comes back, page by page,
 *  through the gateway, with the total telling how many there are. */
describe('LDAP group members, paged (seed 003)', () => {
  const ADMIN_PASSWORD = 'ldap-members-e2e-password';
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
  const members = (query = ''): ReturnType<typeof call<LdapGroupMembersReply>> =>
    call<LdapGroupMembersReply>('GET', `/groups/${encodeURIComponent(BIG_GROUP)}/members${query}`);

  beforeAll(async () => {
    slapd = await startSlapd();
    const entries = Array.from({ length: MEMBERS }, (_, index) =>
      [
        `dn: uid=${uid(index)},${USERS_BASE}`,
        'objectClass: inetOrgPerson',
        `uid: ${uid(index)}`,
        `cn: Member ${index}`,
        `sn: ${index}`,
        `mail: ${uid(index)}@example.com`,
        '',
      ].join('\n'),
    );
    entries.push(
      [
        `dn: ${BIG_GROUP}`,
        'objectClass: groupOfNames',
        'cn: big-group',
        ...Array.from({ length: MEMBERS }, (_, index) => `member: uid=${uid(index)},${USERS_BASE}`),
        '',
      ].join('\n'),
    );
    const add = run('ldapadd', [
      '-x',
      '-H',
      slapd.url,
      '-D',
      TEST_ADMIN_DN,
      '-w',
      TEST_ADMIN_PASSWORD,
    ]);
    add.child.stdin?.end(entries.join('\n'));
    await add;
    suite = await Suite.start({
      label: 'ldap-group-members',
      env: { GATEHOUSE_ADMIN_USERNAME: 'admin', GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD },
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
      groupSearchBase: GROUPS_BASE,
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

  it('answers every member across pages, each once, with the total on each page', async () => {
    const seen: (string | null)[] = [];
    for (const [page, expected] of [
      [1, 100],
      [2, 100],
      [3, 50],
    ] as const) {
      const response = await members(`?page=${page}&size=100`);
      expect(response.status).toBe(200);
      expect(response.body.data).toMatchObject({
        groupDN: BIG_GROUP,
        groupName: 'big-group',
        total: MEMBERS,
        page,
        size: 100,
      });
      expect(response.body.data.members).toHaveLength(expected);
      seen.push(...response.body.data.members.map((member) => member.uid));
    }
    expect(seen).toEqual(Array.from({ length: MEMBERS }, (_, index) => uid(index)));
    const beyond = await members('?page=4&size=100');
    expect(beyond.body.data).toMatchObject({ total: MEMBERS, members: [] });
  });

  it('answers the first 200 by default and says there are more', async () => {
    const response = await members();
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ total: MEMBERS, page: 1, size: 200 });
    expect(response.body.data.members).toHaveLength(200);
    expect(response.body.data.members[0]).toEqual({
      dn: `uid=${uid(0)},${USERS_BASE}`,
      uid: uid(0),
      cn: 'Member 0',
      mail: `${uid(0)}@example.com`,
    });
  });

  it.each(['?size=0', '?size=1001', '?page=0', '?page=x', '?size=10&extra=1'])(
    'refuses %s with 400 VALIDATION_FAILED',
    async (query) => {
      const response = await members(query);
      expect([response.status, response.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    },
  );
});
