import type { LdapConfigView } from '@gatehouse/contracts';
import { insertUser, login, withDatabase, managementCaller } from '@gatehouse/testing/auth-client';
import { freePort } from '@gatehouse/testing/free-port';
import {
  type SlapdInstance,
  startSlapd,
  TEST_ADMIN_DN,
  TEST_ADMIN_PASSWORD,
  testUserPassword,
} from '@gatehouse/testing/slapd';
import { Suite } from '@gatehouse/testing/suite';

type FieldErrors = { errors?: { field: string; message: string }[] };

/** seed 003's LDAP management API end to end: HTTP to the gateway, Redis-RPC to ldap-sync, LDAP
 *  to a real slapd, the configuration row in PostgreSQL. */
describe('LDAP management API (seed 003)', () => {
  const ADMIN_PASSWORD = 'ldap-admin-e2e-password';
  const VIEWER_PASSWORD = 'ldap-viewer-e2e-password';
  const SEED_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
  let slapd: SlapdInstance;
  let suite: Suite;
  let gateway: string;
  let adminToken: string;
  let adminId: number;
  let viewerToken: string;

  const call = managementCaller(
    () => gateway,
    '/api/v1/ldap',
    () => adminToken,
    15000,
  );

  const validConfig = (): Record<string, unknown> => ({
    isEnabled: true,
    server: slapd.url,
    baseDN: 'dc=example,dc=com',
    bindDN: TEST_ADMIN_DN,
    bindPassword: TEST_ADMIN_PASSWORD,
    userSearchBase: 'ou=users,dc=example,dc=com',
    userSearchFilter: '(uid={0})',
    groupSearchBase: 'ou=groups,dc=example,dc=com',
    groupSearchFilter: '(|(member={0})(uniqueMember={0}))',
    useSsl: false,
    syncEnabled: true,
    syncInterval: 3600,
  });

  beforeAll(async () => {
    slapd = await startSlapd();
    suite = await Suite.start({
      label: 'ldap-admin',
      env: {
        GATEHOUSE_ADMIN_USERNAME: 'admin',
        GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LOGIN_MAX_FAILURES: '50',
      },
    });
    gateway = suite.apps['auth-gateway'].baseUrl;
    await insertUser(suite.database.url, {
      username: 'viewer',
      password: VIEWER_PASSWORD,
      roles: [{ system: 'TTS', role: 'User' }],
    });
    const admin = await login(gateway, 'admin', ADMIN_PASSWORD);
    adminToken = admin.accessToken;
    adminId = admin.response.body.data.id;
    viewerToken = (await login(gateway, 'viewer', VIEWER_PASSWORD)).accessToken;
  });

  afterAll(async () => {
    await suite?.stop();
    await slapd?.destroy();
  });

  it('answers 401 without a token and 403 to a user who is not an admin, on every route', async () => {
    const routes: [string, string, unknown][] = [
      ['GET', '/config', undefined],
      ['PUT', '/config', validConfig()],
      ['POST', '/test-connection', {}],
      ['POST', '/test-auth', { username: 'zhangsan', password: 'x' }],
      ['POST', '/search-users', { keyword: 'a' }],
      ['GET', '/groups', undefined],
      [
        'GET',
        `/groups/${encodeURIComponent('cn=ams-admins,ou=groups,dc=example,dc=com')}/members`,
        undefined,
      ],
      ['GET', '/field-mapping', undefined],
      ['PUT', '/field-mapping', { username: 'uid' }],
    ];
    for (const [method, path, body] of routes) {
      const anonymous = await call(method, path, body, '');
      expect([method, path, anonymous.status]).toEqual([method, path, 401]);
      const viewer = await call(method, path, body, viewerToken);
      expect([method, path, viewer.status, viewer.body.code]).toEqual([
        method,
        path,
        403,
        'FORBIDDEN',
      ]);
    }
  });

  it('answers the seed shape with id null and defaults before anything is saved', async () => {
    const response = await call<LdapConfigView>('GET', '/config');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ code: 'S', message: '成功', extensions: {} });
    expect(response.body.data).toMatchObject({
      tenantId: '1',
      id: null,
      isEnabled: false,
      userSearchFilter: '(uid={0})',
      syncInterval: 3600,
      lastSyncTime: null,
    });
    expect(Object.keys(response.body.data).sort()).toEqual(SEED_CONFIG_FIELDS);
  });

  it('refuses an invalid configuration with a 400 naming each field', async () => {
    const response = await call<null>('PUT', '/config', {
      ...validConfig(),
      server: 'http://ldap.example.com',
      baseDN: 'example.com',
      bindDN: 'cn=admin,',
      userSearchFilter: '(uid=admin)',
      groupSearchFilter: '(member={0}',
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    const fields = (response.body.extensions as FieldErrors).errors?.map((error) => error.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'server',
        'baseDN',
        'bindDN',
        'userSearchFilter',
        'groupSearchFilter',
      ]),
    );
    for (const syncInterval of [299, 86401, 'x']) {
      const interval = await call<null>('PUT', '/config', { ...validConfig(), syncInterval });
      expect(interval.status).toBe(400);
      expect(JSON.stringify(interval.body.extensions)).toContain('syncInterval');
    }
    const extra = await call<null>('PUT', '/config', { ...validConfig(), tenantId: '2' });
    expect(extra.status).toBe(400);
  });

  it('saves the configuration with audit fields, masks the password and stores no plaintext', async () => {
    const response = await call<LdapConfigView>('PUT', '/config', validConfig());
    expect(response.status).toBe(200);
    const data = response.body.data;
    expect(Object.keys(data).sort()).toEqual(SEED_CONFIG_FIELDS);
    expect(data).toMatchObject({
      tenantId: '1',
      createdBy: String(adminId),
      creator: 'admin',
      modifiedBy: String(adminId),
      modifier: 'admin',
      bindPassword: '******',
      server: slapd.url,
      bindDN: TEST_ADMIN_DN,
      isEnabled: true,
    });
    expect(data.id).toEqual(expect.any(String));
    expect(data.createdDate).toMatch(SEED_DATE);
    expect(data.modifiedDate).toMatch(SEED_DATE);
    const read = await call<LdapConfigView>('GET', '/config');
    expect(read.body.data.bindPassword).toBe('******');
    expect(read.text).not.toContain(TEST_ADMIN_PASSWORD);
    const rows = await withDatabase(suite.database.url, (db) =>
      db.query<Record<string, unknown>>("SELECT * FROM ldap_configs WHERE tenant_id = '1'"),
    );
    expect(rows.rows).toHaveLength(1);
    expect(JSON.stringify(rows.rows[0])).not.toContain(TEST_ADMIN_PASSWORD);
    expect(rows.rows[0]?.bind_password_enc).toEqual(expect.any(String));
  });

  it('keeps the stored password for "******" or no password, and binds with it', async () => {
    const masked = await call<LdapConfigView>('PUT', '/config', {
      ...validConfig(),
      bindPassword: '******',
      syncInterval: 7200,
    });
    expect(masked.status).toBe(200);
    expect(masked.body.data.syncInterval).toBe(7200);
    const { bindPassword: _omitted, ...withoutPassword } = validConfig();
    const kept = await call<LdapConfigView>('PUT', '/config', withoutPassword);
    expect(kept.status).toBe(200);
    const test = await call<{ connected: boolean }>('POST', '/test-connection', {});
    expect(test.status).toBe(200);
    expect(test.body.data.connected).toBe(true);
  });

  it('never sends the stored password to a changed server or bind DN (400 LDAP_003)', async () => {
    const { bindPassword: _omitted, ...withoutPassword } = validConfig();
    const otherServer = await call<null>('PUT', '/config', {
      ...withoutPassword,
      server: `ldap://127.0.0.1:${await freePort()}`,
    });
    expect(otherServer.status).toBe(400);
    expect(otherServer.body.code).toBe('LDAP_003');
    expect(JSON.stringify(otherServer.body.extensions)).toContain('bindPassword');
    const otherDn = await call<null>('PUT', '/config', {
      ...withoutPassword,
      bindPassword: '******',
      bindDN: 'cn=someone-else,dc=example,dc=com',
    });
    expect(otherDn.status).toBe(400);
    expect(otherDn.body.code).toBe('LDAP_003');
    const testOther = await call<null>('POST', '/test-connection', {
      server: `ldap://127.0.0.1:${await freePort()}`,
    });
    expect(testOther.status).toBe(400);
    expect(testOther.body.code).toBe('LDAP_003');
    const unchanged = await call<LdapConfigView>('GET', '/config');
    expect(unchanged.body.data.server).toBe(slapd.url);
  });

  describe('test-connection', () => {
    it('binds, reads the root DSE and names OpenLDAP', async () => {
      const response = await call<Record<string, unknown>>('POST', '/test-connection', {
        server: slapd.url,
        baseDN: 'dc=example,dc=com',
        bindDN: TEST_ADMIN_DN,
        bindPassword: TEST_ADMIN_PASSWORD,
        useSsl: false,
      });
      expect(response.status).toBe(200);
      expect(response.body.message).toBe('连接测试成功');
      expect(response.body.data).toEqual({
        connected: true,
        testTime: expect.stringMatching(SEED_DATE) as unknown,
        responseTime: expect.any(Number) as unknown,
        serverInfo: { version: '3', vendor: 'OpenLDAP' },
      });
    });

    it('answers LDAP_001 for an unreachable server', async () => {
      const response = await call<null>('POST', '/test-connection', {
        server: `ldap://127.0.0.1:${await freePort()}`,
        bindDN: TEST_ADMIN_DN,
        bindPassword: TEST_ADMIN_PASSWORD,
      });
      expect(response.status).toBe(503);
      expect(response.body.code).toBe('LDAP_001');
    });

    it('answers LDAP_001 with a TLS message for an untrusted LDAPS certificate', async () => {
      const unreachable = await call<null>('POST', '/test-connection', {
        server: `ldap://127.0.0.1:${await freePort()}`,
        bindDN: TEST_ADMIN_DN,
        bindPassword: TEST_ADMIN_PASSWORD,
      });
      const response = await call<null>('POST', '/test-connection', {
        server: slapd.ldapsUrl,
        bindDN: TEST_ADMIN_DN,
        bindPassword: TEST_ADMIN_PASSWORD,
      });
      expect(response.status).toBe(503);
      expect(response.body.code).toBe('LDAP_001');
      expect(response.body.message).toContain('TLS');
      expect(response.body.message).not.toBe(unreachable.body.message);
    });

    it('answers LDAP_002 for a wrong bind password', async () => {
      const response = await call<null>('POST', '/test-connection', {
        bindPassword: 'wrong-password',
      });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('LDAP_002');
    });

    it('answers LDAP_003 naming baseDN when the base DN does not exist', async () => {
      const response = await call<null>('POST', '/test-connection', {
        baseDN: 'dc=nowhere,dc=example,dc=com',
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('LDAP_003');
      expect(JSON.stringify(response.body.extensions)).toContain('baseDN');
    });

    it('refuses a server that is not ldap:// or ldaps://', async () => {
      const response = await call<null>('POST', '/test-connection', {
        server: 'http://127.0.0.1:80',
        bindPassword: 'x',
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });
  });

  it('test-auth answers the user DN and attributes, and LDAP_002 for a wrong password', async () => {
    const response = await call<Record<string, unknown>>('POST', '/test-auth', {
      username: 'zhangsan',
      password: testUserPassword('zhangsan'),
    });
    expect(response.status).toBe(200);
    expect(response.body.message).toBe('认证成功');
    expect(response.body.data).toMatchObject({
      authenticated: true,
      userDN: 'uid=zhangsan,ou=users,dc=example,dc=com',
      attributes: expect.objectContaining({ cn: '张三' }) as unknown,
    });
    const wrong = await call<null>('POST', '/test-auth', { username: 'zhangsan', password: 'no' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('LDAP_002');
  });

  describe('search-users', () => {
    type Found = { dn: string; uid: string | null; cn: string | null }[];

    it('finds users by keyword with the seed fields', async () => {
      const response = await call<Found>('POST', '/search-users', { keyword: 'zhang' });
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual([
        {
          dn: 'uid=zhangsan,ou=users,dc=example,dc=com',
          uid: 'zhangsan',
          cn: '张三',
          mail: expect.any(String) as unknown,
          department: null,
          title: expect.anything() as unknown,
          mobile: expect.anything() as unknown,
        },
      ]);
    });

    it('honours limit (1..500)', async () => {
      const one = await call<Found>('POST', '/search-users', { keyword: 'a', limit: 1 });
      expect(one.status).toBe(200);
      expect(one.body.data).toHaveLength(1);
      for (const limit of [0, 501, 'x']) {
        const bad = await call<null>('POST', '/search-users', { keyword: 'a', limit });
        expect(bad.status).toBe(400);
      }
    });

    it('escapes the keyword: "*" matches only a literal asterisk', async () => {
      const response = await call<Found>('POST', '/search-users', { keyword: '*' });
      expect(response.status).toBe(200);
      expect(response.body.data.map((user) => user.uid)).toEqual(['jamees,key*cložak)ppp']);
    });

    it.each([
      ['a filter break-out', ')(uid=*'],
      ['an OR injection', '*)(|(uid=*'],
      ['a typed \\00', '\\00'],
      ['a NUL character', '\u0000'],
      ['a pre-escaped asterisk', '\\2a'],
    ])('finds nothing for %s and never fails', async (_label, keyword) => {
      const response = await call<Found>('POST', '/search-users', { keyword });
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual([]);
    });

    it('refuses a 10,000-character keyword with 400, not 500', async () => {
      const response = await call<null>('POST', '/search-users', { keyword: 'a'.repeat(10000) });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });

    it('refuses a template without {keyword} or that does not parse', async () => {
      for (const searchFilter of ['(uid=*)', '(uid={keyword}', 'uid={keyword}']) {
        const response = await call<null>('POST', '/search-users', { keyword: 'a', searchFilter });
        expect(response.status).toBe(400);
        expect(JSON.stringify(response.body.extensions)).toContain('searchFilter');
      }
    });

    it('uses a custom template and search base', async () => {
      const response = await call<Found>('POST', '/search-users', {
        keyword: 'alice',
        searchBase: 'ou=users,dc=example,dc=com',
        searchFilter: '(uid={keyword})',
      });
      expect(response.body.data.map((user) => user.uid)).toEqual(['alice']);
    });
  });

  it('lists the groups with their member counts', async () => {
    const response = await call<{ dn: string; cn: string; memberCount: number }[]>(
      'GET',
      '/groups',
    );
    expect(response.status).toBe(200);
    const byName = Object.fromEntries(response.body.data.map((group) => [group.cn, group]));
    expect(byName['tts-technicians']).toMatchObject({
      dn: 'cn=tts-technicians,ou=groups,dc=example,dc=com',
      description: 'Ticket tracking system technicians',
      memberCount: 6,
    });
    expect(byName['ams-admins']?.memberCount).toBe(4);
    expect(byName['ams-users']?.memberCount).toBe(11);
    expect(response.body.data).toHaveLength(4);
  });

  it('lists the members of a URL-encoded group DN; unknown groups are 404', async () => {
    const dn = 'cn=ams-admins,ou=groups,dc=example,dc=com';
    const response = await call<{
      groupDN: string;
      groupName: string;
      members: { dn: string; uid: string | null }[];
    }>('GET', `/groups/${encodeURIComponent(dn)}/members`);
    expect(response.status).toBe(200);
    expect(response.body.data.groupDN).toBe(dn);
    expect(response.body.data.groupName).toBe('ams-admins');
    expect(response.body.data.members.map((member) => member.uid).sort()).toEqual([
      'alice',
      'grace',
      'jsmith',
      'walter',
    ]);
    const unknown = await call<null>(
      'GET',
      `/groups/${encodeURIComponent('cn=nope,ou=groups,dc=example,dc=com')}/members`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('NOT_FOUND');
    const outside = await call<null>(
      'GET',
      `/groups/${encodeURIComponent('uid=alice,ou=users,dc=example,dc=com')}/members`,
    );
    expect(outside.status).toBe(404);
    const invalid = await call<null>('GET', `/groups/${encodeURIComponent('not a dn')}/members`);
    expect(invalid.status).toBe(400);
  });

  describe('field-mapping', () => {
    const mapping = {
      username: 'uid',
      name: 'cn',
      email: 'mail',
      phone: 'telephoneNumber',
      department: 'ou',
      title: 'title',
      employeeNumber: 'employeeNumber',
    };

    it('answers the defaults, saves a new mapping and answers it', async () => {
      const before = await call<Record<string, string>>('GET', '/field-mapping');
      expect(before.status).toBe(200);
      expect(before.body.data).toMatchObject({ username: 'uid', phone: 'mobile' });
      const saved = await call<Record<string, string>>('PUT', '/field-mapping', mapping);
      expect(saved.status).toBe(200);
      expect(saved.body.data).toMatchObject(mapping);
      const after = await call<Record<string, string>>('GET', '/field-mapping');
      expect(after.body.data).toMatchObject({ ...mapping, firstName: 'givenName', lastName: 'sn' });
    });

    it('refuses unknown keys and values that are not attribute names', async () => {
      const unknown = await call<null>('PUT', '/field-mapping', { ...mapping, role: 'admin' });
      expect(unknown.status).toBe(400);
      for (const value of ['1uid', 'ui d', 'uid)(cn=*', 'a'.repeat(65), '']) {
        const bad = await call<null>('PUT', '/field-mapping', { ...mapping, email: value });
        expect([value, bad.status]).toEqual([value, 400]);
      }
      const missing = await call<null>('PUT', '/field-mapping', { username: 'uid' });
      expect(missing.status).toBe(400);
    });
  });
});

const SEED_CONFIG_FIELDS = [
  'tenantId',
  'createdBy',
  'creator',
  'createdDate',
  'modifiedBy',
  'modifier',
  'modifiedDate',
  'id',
  'isEnabled',
  'server',
  'baseDN',
  'bindDN',
  'bindPassword',
  'userSearchBase',
  'userSearchFilter',
  'groupSearchBase',
  'groupSearchFilter',
  'useSsl',
  'syncEnabled',
  'syncInterval',
  'lastSyncTime',
].sort();
