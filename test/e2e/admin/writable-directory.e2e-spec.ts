import { execFile } from 'node:child_process';
import { login, managementCaller, withDatabase } from '@gatehouse/testing/auth-client';
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
  const setWritable = (writable: boolean): Promise<void> =>
    withDatabase(suite.database.url, async (client) => {
      await client.query('UPDATE ldap_configs SET directory_writable = $1', [writable]);
    });

  beforeAll(async () => {
    slapd = await startSlapd();
    suite = await Suite.start({
      label: 'writable-dir',
      env: { GATEHOUSE_ADMIN_USERNAME: 'admin', GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    gateway = suite.apps['auth-gateway'].baseUrl;
    adminToken = (await login(gateway, 'admin', ADMIN_PASSWORD)).accessToken;
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
