/**
 * `ldap.authenticate` over Redis-RPC to the built ldap-sync process (the Suite's three apps): the
 * payload is validated where it is received, domain errors cross the transport with their seed
 * 003 code, and the bind password stored encrypted in `ldap_configs` is decrypted with the key
 * ring the process got from GATEHOUSE_SECRET_KEYS.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DomainError, ErrorCode, RPC_PATTERNS } from '@gatehouse/contracts';
import { KeyRing, SecretBox } from '@gatehouse/crypto';
import { bindPasswordAad } from '@gatehouse/persistence';
import { MetricsService, RpcClient } from '@gatehouse/platform';
import { type SlapdInstance, startSlapd, testUserPassword } from '@gatehouse/testing/slapd';
import { Suite } from '@gatehouse/testing/suite';

/** LDAP timeouts are 5 s by default; the caller must wait longer than the directory may take. */
const RPC_TIMEOUT_MS = 10_000;

describe('ldap.authenticate over Redis-RPC', () => {
  const secretKeys = `e2e:${randomBytes(32).toString('base64')}`;
  let slapd: SlapdInstance;
  let suite: Suite;
  let rpc: RpcClient;

  beforeAll(async () => {
    [slapd, suite] = await Promise.all([
      startSlapd(),
      Suite.start({ label: 'ldap-auth', env: { GATEHOUSE_SECRET_KEYS: secretKeys } }),
    ]);
    const sealed = new SecretBox(KeyRing.parse(secretKeys)).encrypt(
      slapd.adminPassword,
      bindPasswordAad('1'),
    );
    const db = new Client({ connectionString: suite.database.url, connectionTimeoutMillis: 5000 });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO ldap_configs (id, tenant_id, is_enabled, server, base_dn, bind_dn,
           bind_password_enc, user_search_base, group_search_base)
         VALUES ('cfg-1', '1', true, $1, $2, $3, $4, $5, $6)`,
        [
          slapd.url,
          slapd.baseDN,
          slapd.adminDN,
          sealed,
          `ou=users,${slapd.baseDN}`,
          `ou=groups,${slapd.baseDN}`,
        ],
      );
    } finally {
      await db.end();
    }
    rpc = new RpcClient('ldap-sync', suite.redis.url, RPC_TIMEOUT_MS, new MetricsService());
    await rpc.onApplicationBootstrap();
  }, 120_000);

  afterAll(async () => {
    await rpc?.onApplicationShutdown();
    await suite?.stop();
    await slapd?.destroy();
  });

  async function refusal(promise: Promise<unknown>): Promise<DomainError> {
    try {
      await promise;
    } catch (error: unknown) {
      if (error instanceof DomainError) return error;
      throw error;
    }
    throw new Error('expected the call to fail');
  }

  it('authenticates zhangsan with the column-default field mapping', async () => {
    const reply = await rpc.send(RPC_PATTERNS.ldap.authenticate, {
      tenantId: '1',
      username: 'zhangsan',
      password: testUserPassword('zhangsan'),
      includeGroups: true,
    });
    expect(reply).toMatchObject({
      authenticated: true,
      userDN: 'uid=zhangsan,ou=users,dc=example,dc=com',
      mapped: { username: 'zhangsan', name: '张三', email: 'zhangsan@example.com' },
    });
    expect(reply.groups?.sort()).toEqual([
      'cn=ams-users,ou=groups,dc=example,dc=com',
      'cn=tts-technicians,ou=groups,dc=example,dc=com',
    ]);
  });

  it.each([
    ['a wrong password', 'zhangsan', 'nope', ErrorCode.LdapAuthenticationFailed],
    ['an empty password', 'zhangsan', '', ErrorCode.LdapAuthenticationFailed],
    ['an unknown user', 'nobody', 'nope', ErrorCode.LdapUserNotFound],
    ['the username *', '*', testUserPassword('zhangsan'), ErrorCode.LdapUserNotFound],
  ])('answers %s with its code', async (_, username, password, code) => {
    const error = await refusal(
      rpc.send(RPC_PATTERNS.ldap.authenticate, { tenantId: '1', username, password }),
    );
    expect(error.code).toBe(code);
  });

  it('answers LDAP_003 for a tenant without a directory', async () => {
    const error = await refusal(
      rpc.send(RPC_PATTERNS.ldap.authenticate, {
        tenantId: 'other',
        username: 'zhangsan',
        password: 'x',
      }),
    );
    expect(error.code).toBe(ErrorCode.LdapConfigInvalid);
  });

  it('refuses a payload whose password is not a string', async () => {
    const payload = { tenantId: '1', username: 'zhangsan', password: ['x'] };
    const error = await refusal(
      rpc.send(
        RPC_PATTERNS.ldap.authenticate,
        payload as unknown as { tenantId: string; username: string; password: string },
      ),
    );
    expect(error.code).toBe(ErrorCode.ValidationFailed);
    expect(error.fields.map((field) => field.field)).toContain('password');
  });
});
