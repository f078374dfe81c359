/**
 * `ldap.authenticate` end to end inside ldap-sync: the feature's real Nest providers (the same
 * list LdapSyncModule uses) on a migrated PostgreSQL database holding `ldap_configs` rows with
 * encrypted bind passwords, against a throwaway slapd. The adapter is the real one, wrapped to
 * record connects and binds, so "no bind" claims are checked rather than assumed.
 */
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import {
  DomainError,
  ErrorCode,
  type LdapAuthenticateReply,
  type LdapAuthenticateRequestDto,
} from '@gatehouse/contracts';
import { KeyRing, SecretBox } from '@gatehouse/crypto';
import {
  bindPasswordAad,
  buildDataSourceOptions,
  LdapConfigEntity,
  type LdapFieldMapping,
} from '@gatehouse/persistence';
import { freePort } from '@gatehouse/testing/free-port';
import { type SlapdInstance, startSlapd, testUserPassword } from '@gatehouse/testing/slapd';
import { createTestDatabase, type TestDatabase } from '@gatehouse/testing/test-database';
import { LdapAuthController } from '../../apps/ldap-sync/src/ldap-auth/ldap-auth.controller';
import { LdapAdapter } from '../../apps/ldap-sync/src/ldap/ldap.adapter';
import type {
  LdapConnection,
  LdapConnectOptions,
} from '../../apps/ldap-sync/src/ldap/ldap-connection';
import { LdapConnectionPool } from '../../apps/ldap-sync/src/ldap/ldap-connection-pool';
import { ldapProviders } from '../../apps/ldap-sync/src/ldap-sync.module';

const USERS = 'ou=users,dc=example,dc=com';
const GROUPS = 'ou=groups,dc=example,dc=com';
const group = (cn: string): string => `cn=${cn},${GROUPS}`;
const AWKWARD_UID = 'jamees,key*cložak)ppp';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMEOUT_MS = 2000;

jest.setTimeout(60_000);

/** The real adapter, recording what it is asked to do. */
class RecordingAdapter extends LdapAdapter {
  connects = 0;
  readonly binds: string[] = [];
  /** The base of every search, in order. */
  readonly searches: string[] = [];

  override async connect(options: LdapConnectOptions): Promise<LdapConnection> {
    this.connects += 1;
    const connection = await super.connect(options);
    return {
      get usable() {
        return connection.usable;
      },
      bind: (dn, password) => {
        this.binds.push(dn);
        return connection.bind(dn, password);
      },
      search: (base, searchOptions) => {
        this.searches.push(base);
        return connection.search(base, searchOptions);
      },
      searchPages: (base, pageOptions) => connection.searchPages(base, pageOptions),
      readRootDse: () => connection.readRootDse(),
      close: () => connection.close(),
    };
  }

  reset(): void {
    this.connects = 0;
    this.binds.splice(0);
    this.searches.splice(0);
  }
}

describe('ldap.authenticate against slapd and PostgreSQL', () => {
  const keyRing = KeyRing.parse(`it:${randomBytes(32).toString('base64')}`);
  const adapter = new RecordingAdapter();
  let database: TestDatabase;
  let slapd: SlapdInstance;
  let moduleRef: TestingModule;
  let controller: LdapAuthController;

  async function addConfig(tenantId: string, overrides: Partial<LdapConfigEntity>): Promise<void> {
    const dataSource = moduleRef.get(DataSource);
    await dataSource.query(
      `INSERT INTO tenants (id, slug, name) VALUES ($1, $2, $1) ON CONFLICT (id) DO NOTHING`,
      [tenantId, tenantId.toLowerCase()],
    );
    const fieldMapping: LdapFieldMapping = {
      username: 'uid',
      name: 'cn',
      email: 'mail',
      phone: 'mobile',
      department: 'departmentNumber',
      title: 'title',
      employeeNumber: 'employeeNumber',
    };
    const secretBox = new SecretBox(keyRing);
    await dataSource.getRepository(LdapConfigEntity).insert({
      id: `cfg-${tenantId}`,
      tenantId,
      isEnabled: true,
      server: slapd.url,
      baseDn: slapd.baseDN,
      bindDn: slapd.adminDN,
      bindPasswordEnc: secretBox.encrypt(slapd.adminPassword, bindPasswordAad(tenantId)),
      userSearchBase: USERS,
      userSearchFilter: '(uid={0})',
      groupSearchBase: GROUPS,
      groupSearchFilter: '(|(member={0})(uniqueMember={0}))',
      useSsl: false,
      tlsCaCert: null,
      tlsVerify: true,
      timeoutMs: TIMEOUT_MS,
      fieldMapping,
      createdBy: 'test',
      creator: 'test',
      createdDate: new Date(),
      modifiedBy: 'test',
      modifier: 'test',
      modifiedDate: new Date(),
      ...overrides,
    });
  }

  function login(
    username: string,
    password = testUserPassword(username),
    tenantId = '1',
    includeGroups = true,
  ): Promise<LdapAuthenticateReply> {
    const request: LdapAuthenticateRequestDto = { tenantId, username, password, includeGroups };
    return controller.authenticate(request);
  }

  async function refusal(promise: Promise<unknown>): Promise<DomainError> {
    try {
      await promise;
    } catch (error: unknown) {
      if (error instanceof DomainError) return error;
      throw error;
    }
    throw new Error('expected the login to be refused');
  }

  beforeAll(async () => {
    [database, slapd] = await Promise.all([createTestDatabase('ldapauth'), startSlapd()]);
    moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot(buildDataSourceOptions(database.url, 2)),
        TypeOrmModule.forFeature([LdapConfigEntity]),
      ],
      controllers: [LdapAuthController],
      providers: ldapProviders(keyRing),
    })
      .overrideProvider(LdapAdapter)
      .useValue(adapter)
      .compile();
    controller = moduleRef.get(LdapAuthController);

    const ca = await readFile(slapd.caCertPath, 'utf8');
    await addConfig('1', {});
    await addConfig('anonymous', { bindDn: '', bindPasswordEnc: null });
    await addConfig('ldaps', { server: slapd.ldapsUrl, tlsCaCert: ca });
    await addConfig('starttls', { useSsl: true, tlsCaCert: ca });
    await addConfig('no-ca', { server: slapd.ldapsUrl });
    await addConfig('disabled', { isEnabled: false });
    await addConfig('nobody-home', { server: `ldap://127.0.0.1:${await freePort()}` });
  });

  // Each test starts without kept connections, so what it counts is its own login's work.
  beforeEach(async () => {
    await moduleRef.get(LdapConnectionPool).drain();
    adapter.reset();
  });

  afterAll(async () => {
    await moduleRef?.close();
    await slapd?.destroy();
    await database?.drop();
  });

  describe('correct logins', () => {
    it('returns the mapped fields, attributes, entryUUID and groups of zhangsan (张三)', async () => {
      const reply = await login('zhangsan');
      expect(reply).toEqual({
        authenticated: true,
        userDN: `uid=zhangsan,${USERS}`,
        entryUUID: expect.stringMatching(UUID) as unknown,
        mapped: {
          username: 'zhangsan',
          name: '张三',
          firstName: '三',
          lastName: '张',
          email: 'zhangsan@example.com',
          phone: '+1 555 0122',
          department: 'Support',
          title: 'Support Technician',
          employeeNumber: '1022',
        },
        attributes: {
          uid: 'zhangsan',
          cn: '张三',
          mail: 'zhangsan@example.com',
          mobile: '+1 555 0122',
          departmentNumber: 'Support',
          title: 'Support Technician',
          employeeNumber: '1022',
          givenName: '三',
          sn: '张',
        },
        groups: expect.any(Array) as unknown,
      });
      expect(reply.groups?.sort()).toEqual([group('ams-users'), group('tts-technicians')]);
      // The service account searched, then the user bound on a second connection.
      expect(adapter.connects).toBe(2);
      expect(adapter.binds).toEqual([slapd.adminDN, `uid=zhangsan,${USERS}`]);
      expect(adapter.searches).toEqual([USERS, GROUPS]);
    });

    it('reads no groups for a caller that does not ask for them (a login)', async () => {
      const reply = await login('zhangsan', testUserPassword('zhangsan'), '1', false);
      expect(reply).toMatchObject({ authenticated: true, userDN: `uid=zhangsan,${USERS}` });
      expect(reply).not.toHaveProperty('groups');
      expect(adapter.searches).toEqual([USERS]);
      expect(adapter.binds).toEqual([slapd.adminDN, `uid=zhangsan,${USERS}`]);
    });

    it('logs in jsmith, whose DN has an escaped comma, and finds member and uniqueMember groups', async () => {
      const reply = await login('jsmith');
      expect(reply.userDN).toBe(`cn=Smith\\, John,${USERS}`);
      expect(reply.mapped.name).toBe('Smith, John');
      expect(reply.groups?.sort()).toEqual([group('ams-admins'), group('tts-technicians')]);
    });

    it(`logs in the user "${AWKWARD_UID}" with its password`, async () => {
      const reply = await login(AWKWARD_UID);
      expect(reply.userDN).toBe(`cn=Jamees Clozak,${USERS}`);
      expect(reply.mapped.username).toBe(AWKWARD_UID);
      expect(reply.mapped.lastName).toBe('Cložak');
      expect(reply.groups?.sort()).toEqual([group('hdts-agents'), group('tts-technicians')]);
    });

    it('logs in lisi, whose DN is not ASCII', async () => {
      const reply = await login('lisi');
      expect(reply.userDN).toBe(`cn=李四,${USERS}`);
      expect(reply.groups).toEqual([group('hdts-agents')]);
    });

    it('gives the first of several mails in mapped and all of them in attributes', async () => {
      const reply = await login('niaj');
      expect(reply.mapped.email).toBe('niaj.nguyen@example.com');
      expect(reply.attributes.mail).toEqual([
        'niaj.nguyen@example.com',
        'support-lead@example.com',
      ]);
    });

    it('gives null for a user without mail', async () => {
      const reply = await login('oscar');
      expect(reply.mapped.email).toBeNull();
      expect(reply.attributes).not.toHaveProperty('mail');
    });

    it('searches anonymously when the configuration has no bind DN', async () => {
      const reply = await login('alice', testUserPassword('alice'), 'anonymous');
      expect(reply.userDN).toBe(`uid=alice,${USERS}`);
      expect(adapter.binds).toEqual([`uid=alice,${USERS}`]);
    });

    it('keeps its connections: a second login opens none and binds only the user', async () => {
      await login('zhangsan');
      expect(adapter.connects).toBe(2);
      adapter.reset();
      const reply = await login('alice');
      expect(reply.userDN).toBe(`uid=alice,${USERS}`);
      expect(adapter.connects).toBe(0);
      expect(adapter.binds).toEqual([`uid=alice,${USERS}`]);
    });

    it('replaces kept connections that slapd dropped when it restarted', async () => {
      await login('zhangsan');
      await slapd.stop();
      await slapd.start();
      adapter.reset();
      await expect(login('zhangsan')).resolves.toMatchObject({ authenticated: true });
      expect(adapter.connects).toBe(2);
      expect(adapter.binds).toEqual([slapd.adminDN, `uid=zhangsan,${USERS}`]);
    });

    it.each(['ldaps', 'starttls'])('works over %s with the configured CA', async (tenant) => {
      const reply = await login('alice', testUserPassword('alice'), tenant);
      expect(reply.groups?.sort()).toEqual([group('ams-admins'), group('tts-technicians')]);
    });
  });

  describe('refused logins', () => {
    it('answers LDAP_002 for a wrong password', async () => {
      const error = await refusal(login('zhangsan', 'wrong password'));
      expect(error.code).toBe(ErrorCode.LdapAuthenticationFailed);
      expect(error.message).not.toContain('wrong password');
    });

    it('answers LDAP_004 for an unknown user, without a user bind', async () => {
      const error = await refusal(login('nobody', 'whatever'));
      expect(error.code).toBe(ErrorCode.LdapUserNotFound);
      expect(adapter.binds).toEqual([slapd.adminDN]);
    });

    it('answers LDAP_002 for an empty password without connecting or binding', async () => {
      const error = await refusal(login('zhangsan', ''));
      expect(error.code).toBe(ErrorCode.LdapAuthenticationFailed);
      expect(adapter.connects).toBe(0);
      expect(adapter.binds).toEqual([]);
    });

    it.each(['*', 'j*', '*)(uid=*', 'zhang*'])(
      'does not authenticate the username %j, whatever the password',
      async (username) => {
        const error = await refusal(login(username, testUserPassword('zhangsan')));
        expect(error.code).toBe(ErrorCode.LdapUserNotFound);
        expect(adapter.binds).toEqual([slapd.adminDN]);
      },
    );

    it('answers LDAP_003 for a disabled configuration and for a tenant without one', async () => {
      expect((await refusal(login('alice', 'x', 'disabled'))).code).toBe(
        ErrorCode.LdapConfigInvalid,
      );
      expect((await refusal(login('alice', 'x', 'no-such-tenant'))).code).toBe(
        ErrorCode.LdapConfigInvalid,
      );
      expect(adapter.connects).toBe(0);
    });

    it('answers LDAP_001 for LDAPS with a certificate the configuration cannot verify', async () => {
      const error = await refusal(login('alice', testUserPassword('alice'), 'no-ca'));
      expect(error.code).toBe(ErrorCode.LdapConnectionFailed);
      expect(error.message).toContain('TLS');
    });

    it('answers LDAP_001 within the timeout when nothing listens', async () => {
      const started = Date.now();
      const error = await refusal(login('alice', testUserPassword('alice'), 'nobody-home'));
      expect(error.code).toBe(ErrorCode.LdapConnectionFailed);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
    });

    it('answers LDAP_001 within the timeout when slapd is stopped', async () => {
      await slapd.stop();
      try {
        const started = Date.now();
        const error = await refusal(login('zhangsan'));
        expect(error.code).toBe(ErrorCode.LdapConnectionFailed);
        expect(error.message).toContain('unreachable');
        expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
      } finally {
        await slapd.start();
      }
      await expect(login('zhangsan')).resolves.toMatchObject({ authenticated: true });
    });
  });
});
