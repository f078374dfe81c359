import { randomBytes } from 'node:crypto';
import { KeyRing, SecretBox } from '@gatehouse/crypto';
import { bindPasswordAad } from '@gatehouse/persistence';
import { login, postLogin, withDatabase } from '@gatehouse/testing/auth-client';
import {
  ldapModify,
  type SlapdInstance,
  startSlapd,
  TEST_ADMIN_DN,
  TEST_ADMIN_PASSWORD,
  testUserPassword,
} from '@gatehouse/testing/slapd';
import { Suite } from '@gatehouse/testing/suite';

/** Directory logins end to end: HTTP to the gateway, Redis-RPC to ldap-sync, LDAP to a real slapd. */
describe('logging in against the tenant directory', () => {
  const keys = `e2e:${randomBytes(32).toString('base64')}`;
  let slapd: SlapdInstance;
  let suite: Suite;
  let gateway: string;

  beforeAll(async () => {
    slapd = await startSlapd();
    suite = await Suite.start({
      label: 'ldap-login',
      env: {
        GATEHOUSE_SECRET_KEYS: keys,
        GATEHOUSE_ADMIN_USERNAME: 'admin',
        GATEHOUSE_ADMIN_PASSWORD: 'ldap-e2e-admin-password',
        LOGIN_MAX_FAILURES: '50',
      },
    });
    gateway = suite.apps['auth-gateway'].baseUrl;
    const box = new SecretBox(KeyRing.parse(keys));
    await withDatabase(suite.database.url, (db) =>
      db.query(
        `INSERT INTO ldap_configs (id, tenant_id, is_enabled, server, base_dn, bind_dn, bind_password_enc,
           user_search_base, user_search_filter, group_search_base, group_search_filter, timeout_ms)
         VALUES ('LDAP_CONFIG_001', '1', true, $1, 'dc=example,dc=com', $2, $3,
           'ou=users,dc=example,dc=com', '(uid={0})', 'ou=groups,dc=example,dc=com',
           '(|(member={0})(uniqueMember={0}))', 2000)`,
        [slapd.url, TEST_ADMIN_DN, box.encrypt(TEST_ADMIN_PASSWORD, bindPasswordAad('1'))],
      ),
    );
  });

  afterAll(async () => {
    await suite?.stop();
    await slapd?.destroy();
  });

  it('creates a directory user on first login, keyed by entryUUID, and finds the same row next time', async () => {
    const first = await login(gateway, 'zhangsan', testUserPassword('zhangsan'));
    const body = first.response.body.data;
    expect(body.id).toBeGreaterThan(0);
    const again = await login(gateway, 'zhangsan', testUserPassword('zhangsan'));
    expect(again.response.body.data.id).toBe(body.id);
    const rows = await withDatabase(suite.database.url, (db) =>
      db.query<{ source: string; ldap_uuid: string | null; ldap_dn: string }>(
        'SELECT source, ldap_uuid, ldap_dn FROM users WHERE id = $1',
        [body.id],
      ),
    );
    expect(rows.rows[0]?.source).toBe('ldap');
    expect(rows.rows[0]?.ldap_uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(rows.rows[0]?.ldap_dn).toContain('ou=users,dc=example,dc=com');
  });

  it('writes a directory user again only when the directory changed what its row holds', async () => {
    const row = () =>
      withDatabase(suite.database.url, (db) =>
        db.query<{ email: string | null; updated_at: Date }>(
          "SELECT email, updated_at FROM users WHERE tenant_id = '1' AND username = 'alice'",
        ),
      ).then((result) => result.rows[0]);
    await login(gateway, 'alice', testUserPassword('alice'));
    const first = await row();
    await login(gateway, 'alice', testUserPassword('alice'));
    expect(await row()).toEqual(first);

    await ldapModify(
      slapd,
      'dn: uid=alice,ou=users,dc=example,dc=com\nchangetype: modify\nreplace: mail\nmail: alice.moved@example.com\n',
    );
    const moved = await login(gateway, 'alice', testUserPassword('alice'));
    expect(moved.response.body.data.email).toBe('alice.moved@example.com');
    const after = await row();
    expect(after?.email).toBe('alice.moved@example.com');
    expect(after?.updated_at.getTime()).toBeGreaterThan(first?.updated_at.getTime() ?? 0);
  });

  it('logs in the user whose uid holds filter metacharacters (escaped exactly once)', async () => {
    const uid = 'jamees,key*cložak)ppp';
    const session = await login(gateway, uid, testUserPassword(uid));
    expect(session.response.status).toBe(200);
  });

  it('answers a wrong directory password exactly like a wrong local one', async () => {
    const directory = await postLogin(gateway, { username: 'zhangsan', password: 'wrong' });
    const local = await postLogin(gateway, { username: 'admin', password: 'wrong' });
    const unknown = await postLogin(gateway, { username: 'nobody-here', password: 'wrong' });
    for (const response of [directory, local, unknown]) {
      expect(response.status).toBe(401);
      expect(response.body.code).toBe(local.body.code);
      expect(response.body.message).toBe(local.body.message);
    }
  });

  it.each(['*', 'j*', '*)(uid=*'])('finds nobody for the username %p', async (username) => {
    const response = await postLogin(gateway, { username, password: 'anything' });
    expect(response.status).toBe(401);
  });

  it('answers LDAP_001 within the timeout when the directory is down, while local accounts still log in', async () => {
    await slapd.stop();
    try {
      const started = Date.now();
      const response = await postLogin(gateway, {
        username: 'zhangsan',
        password: testUserPassword('zhangsan'),
      });
      expect(response.status).toBe(503);
      expect(response.body.code).toBe('LDAP_001');
      expect(Date.now() - started).toBeLessThan(10000);
      const admin = await login(gateway, 'admin', 'ldap-e2e-admin-password');
      expect(admin.response.status).toBe(200);
    } finally {
      await slapd.start();
    }
  });
});
