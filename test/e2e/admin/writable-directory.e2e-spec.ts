import { execFile } from 'node:child_process';
import { insertUser, login, managementCaller, withDatabase } from '@gatehouse/testing/auth-client';
import {
  type SlapdInstance,
  startSlapd,
  TEST_ADMIN_DN,
  TEST_ADMIN_PASSWORD,
} from '@gatehouse/testing/slapd';
import { Suite } from '@gatehouse/testing/suite';

type FieldErrors = { errors?: { field: string; message: string }[] };

interface UserView {
  id: number;
  username: string;
  source: string;
  firstName: string;
  ldapDn: string | null;
}

/** `ldapsearch` as the directory admin; answers the entries' attributes (values base64-decoded). */
function ldapsearch(
  slapd: SlapdInstance,
  filter: string,
  attributes: string[],
): Promise<Record<string, string[]>[]> {
  const args = ['-x', '-LLL', '-o', 'ldif-wrap=no', '-o', 'nettimeout=5', '-H', slapd.url];
  args.push('-D', TEST_ADMIN_DN, '-w', TEST_ADMIN_PASSWORD, '-b', 'ou=users,dc=example,dc=com');
  args.push(filter, ...attributes);
  return new Promise((resolve, reject) => {
    execFile('ldapsearch', args, { timeout: 10000 }, (error, stdout) => {
      if (error) {
        reject(new Error(`ldapsearch failed: ${error.message}`));
        return;
      }
      const entries: Record<string, string[]>[] = [];
      for (const block of stdout.split(/\n\s*\n/)) {
        const entry: Record<string, string[]> = {};
        for (const line of block.split('\n').filter(Boolean)) {
          const match = /^([^:]+)(::?) ?(.*)$/.exec(line);
          if (!match) continue;
          const [, name = '', separator, raw = ''] = match;
          const value = separator === '::' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
          (entry[name] ??= []).push(value);
        }
        if (Object.keys(entry).length > 0) entries.push(entry);
      }
      resolve(entries);
    });
  });
}

/** A tenant whose directory is set writable: users created and edited through the admin API go
 *  to LDAP first (seed 000's create_user with the configured object classes), checked with
 *  `ldapsearch` against a throwaway slapd, then log in through the directory. */
describe('admin API: users written to a writable directory', () => {
  const ADMIN_PASSWORD = 'Adm1n-e2e-writable-dir!';
  const PASSWORD = 'Api-created-Passw0rd!';
  let slapd: SlapdInstance;
  let suite: Suite;
  let gateway: string;
  let adminToken: string;
  let viewerToken: string;
  const VIEWER_PASSWORD = 'Vi3wer-e2e-writable-dir!';

  const admin = managementCaller(
    () => gateway,
    '/api/v1/admin',
    () => adminToken,
  );
  const ldapApi = managementCaller(
    () => gateway,
    '/api/v1/ldap',
    () => adminToken,
  );
  const setWritable = async (writable: boolean): Promise<void> => {
    const saved = await admin<{ writable: boolean }>('PUT', '/directory-write', { writable });
    expect([saved.status, saved.body.data.writable]).toEqual([200, writable]);
  };

  beforeAll(async () => {
    slapd = await startSlapd();
    suite = await Suite.start({
      label: 'writable-dir',
      env: { GATEHOUSE_ADMIN_USERNAME: 'admin', GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    gateway = suite.apps['auth-gateway'].baseUrl;
    adminToken = (await login(gateway, 'admin', ADMIN_PASSWORD)).accessToken;
    await insertUser(suite.database.url, { username: 'viewer', password: VIEWER_PASSWORD });
    viewerToken = (await login(gateway, 'viewer', VIEWER_PASSWORD)).accessToken;
    // Before the directory is configured there is nothing to set writable.
    expect((await admin('PUT', '/directory-write', { writable: true })).status).toBe(404);
    const saved = await ldapApi('PUT', '/config', {
      isEnabled: true,
      server: slapd.url,
      baseDN: 'dc=example,dc=com',
      bindDN: TEST_ADMIN_DN,
      bindPassword: TEST_ADMIN_PASSWORD,
      userSearchBase: 'ou=users,dc=example,dc=com',
      userSearchFilter: '(uid={0})',
      groupSearchBase: 'ou=groups,dc=example,dc=com',
      groupSearchFilter: '(member={0})',
      useSsl: false,
      syncEnabled: false,
      syncInterval: 3600,
    });
    expect(saved.status).toBe(200);
    await setWritable(true);
  });

  afterAll(async () => {
    await suite?.stop();
    await slapd?.destroy();
  });

  it('reads and sets the switch behind RBAC, refuses bad input and audits the change', async () => {
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', { writable: true }],
    ] as const) {
      expect((await admin(method, '/directory-write', body, '')).status).toBe(401);
      expect((await admin(method, '/directory-write', body, viewerToken)).status).toBe(403);
    }
    const current = await admin<{ writable: boolean; userObjectClasses: string[] }>(
      'GET',
      '/directory-write',
    );
    expect(current.body.data).toEqual({
      writable: true,
      userObjectClasses: ['person', 'organizationalPerson', 'inetOrgPerson'],
    });
    const cases: [unknown, string][] = [
      [{}, 'writable'],
      [{ writable: 'yes' }, 'writable'],
      [{ writable: true, userObjectClasses: [] }, 'userObjectClasses'],
      [{ writable: true, userObjectClasses: ['bad class'] }, 'userObjectClasses'],
      [{ writable: true, tenantId: '2' }, 'tenantId'],
    ];
    for (const [body, field] of cases) {
      const response = await admin<null>('PUT', '/directory-write', body);
      expect([body, response.status, response.body.code]).toEqual([body, 400, 'VALIDATION_FAILED']);
      const fields = (response.body.extensions as FieldErrors).errors?.map((error) => error.field);
      expect([body, fields]).toEqual([body, expect.arrayContaining([field])]);
    }
    const audit = await admin<{ list: { action: string; actorName: string; after: unknown }[] }>(
      'GET',
      '/audit?action=ldap.directory_write.update',
    );
    expect(audit.body.data.list[0]).toMatchObject({
      actorName: 'admin',
      after: { writable: true },
    });
  });

  it('creates the entry in LDAP first, then stores the user with its entryUUID; the user logs in through the directory', async () => {
    const created = await admin<UserView>('POST', '/users', {
      username: 'api.created',
      password: PASSWORD,
      firstName: 'Api',
      lastName: 'Created',
      email: 'api.created@example.com',
      employeeNumber: 'E5555',
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      source: 'ldap',
      ldapDn: 'uid=api.created,ou=users,dc=example,dc=com',
    });
    const [entry] = await ldapsearch(slapd, '(uid=api.created)', [
      'objectClass',
      'cn',
      'sn',
      'givenName',
      'mail',
      'employeeNumber',
      'userPassword',
      'entryUUID',
    ]);
    expect(entry).toMatchObject({
      dn: ['uid=api.created,ou=users,dc=example,dc=com'],
      objectClass: ['person', 'organizationalPerson', 'inetOrgPerson'],
      cn: ['Api Created'],
      sn: ['Created'],
      givenName: ['Api'],
      mail: ['api.created@example.com'],
      employeeNumber: ['E5555'],
    });
    expect(entry?.userPassword?.[0]).toMatch(/^\{SSHA\}/);
    const stored = await withDatabase(suite.database.url, (client) =>
      client.query<{ ldap_uuid: string }>('SELECT ldap_uuid FROM users WHERE id = $1', [
        created.body.data.id,
      ]),
    );
    expect(stored.rows[0]?.ldap_uuid).toBe(entry?.entryUUID?.[0]);

    const session = await login(gateway, 'api.created', PASSWORD);
    expect(session.response.body.data.id).toBe(created.body.data.id);
  });

  it('writes edits of mapped fields to the entry; a rename and a name taken in the directory are refused', async () => {
    const found = await admin<{ list: UserView[] }>('GET', '/users/search?keyword=api.created');
    const id = found.body.data.list[0]?.id;
    const edited = await admin<UserView>('PUT', `/users/${id}`, {
      firstName: 'Renamed',
      email: null,
    });
    expect(edited.status).toBe(200);
    const [entry] = await ldapsearch(slapd, '(uid=api.created)', ['cn', 'givenName', 'mail']);
    expect(entry).toEqual({
      dn: ['uid=api.created,ou=users,dc=example,dc=com'],
      cn: ['Renamed Created'],
      givenName: ['Renamed'],
    });

    const rename = await admin<null>('PUT', `/users/${id}`, { username: 'other.name' });
    expect(rename.status).toBe(409);
    // `alice` is in the directory but not yet in the database.
    const taken = await admin<null>('POST', '/users', { username: 'alice', lastName: 'Again' });
    expect(taken.status).toBe(409);
    expect((taken.body.extensions as FieldErrors).errors?.[0]?.field).toBe('username');
    const users = await withDatabase(suite.database.url, (client) =>
      client.query('SELECT 1 FROM users WHERE username = $1', ['alice']),
    );
    expect(users.rowCount).toBe(0);

    await setWritable(false);
    const readOnly = await admin<null>('PUT', `/users/${id}`, { firstName: 'Again' });
    expect(readOnly.status).toBe(409);
    const local = await admin<UserView>('POST', '/users', { username: 'local.only' });
    expect(local.body.data.source).toBe('local');
    expect(await ldapsearch(slapd, '(uid=local.only)', ['uid'])).toEqual([]);
    await setWritable(true);
  });
});
