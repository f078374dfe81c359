import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Repository } from 'typeorm';
import { DomainError, ErrorCode } from '@gatehouse/contracts';
import { KeyRing, SecretBox } from '@gatehouse/crypto';
import { bindPasswordAad, LdapConfigEntity } from '@gatehouse/persistence';
import { LdapConfigRepository } from '../ldap-config/ldap-config.repository';
import { LdapConfigService } from '../ldap-config/ldap-config.service';
import { LdapAdapter } from '../ldap/ldap.adapter';
import { LdapConnectionPool } from '../ldap/ldap-connection-pool';
import type {
  LdapConnection,
  LdapConnectOptions,
  LdapEntry,
  LdapPagedSearchOptions,
  LdapSearchOptions,
} from '../ldap/ldap-connection';
import { LdapAdapterError, LdapErrorKind } from '../ldap/ldap.exception';
import { LdapAuthService } from './ldap-auth.service';

const TENANT = '1';
const PASSWORD = 'S3cret-pass!';
const SERVICE_PASSWORD = 'service-secret';
const USER_DN = 'uid=alice,ou=users,dc=example,dc=com';
const box = new SecretBox(KeyRing.parse(`k1:${randomBytes(32).toString('base64')}`));

const alice: LdapEntry = {
  dn: USER_DN,
  attributes: {
    uid: ['alice'],
    cn: ['Alice Anderson'],
    givenName: ['Alice'],
    sn: ['Anderson'],
    mail: ['alice@example.com'],
    entryUUID: ['6f1f0d4e-0a59-4a55-9c59-4b8c3f0e8c11'],
  },
};

function config(overrides: Partial<LdapConfigEntity> = {}): LdapConfigEntity {
  return Object.assign(new LdapConfigEntity(), {
    id: 'cfg-1',
    tenantId: TENANT,
    isEnabled: true,
    server: 'ldap://ldap.example.com:389',
    baseDn: 'dc=example,dc=com',
    bindDn: 'cn=admin,dc=example,dc=com',
    bindPasswordEnc: box.encrypt(SERVICE_PASSWORD, bindPasswordAad(TENANT)),
    userSearchBase: 'ou=users,dc=example,dc=com',
    userSearchFilter: '(uid={0})',
    groupSearchBase: 'ou=groups,dc=example,dc=com',
    groupSearchFilter: '(member={0})',
    useSsl: false,
    tlsCaCert: null,
    tlsVerify: true,
    timeoutMs: 5000,
    fieldMapping: {
      username: 'uid',
      name: 'cn',
      email: 'mail',
      phone: 'mobile',
      department: 'department',
      title: 'title',
      employeeNumber: 'employeeNumber',
    },
    ...overrides,
  });
}

type SearchScript = (base: string, options: LdapSearchOptions) => LdapEntry[];

/** A connection that records what it is asked and fails on anything it was not scripted for. */
class FakeConnection implements LdapConnection {
  readonly binds: { dn: string; password: string }[] = [];
  readonly searches: { base: string; options: LdapSearchOptions }[] = [];
  closed = false;
  /** Set to play a connection the server dropped. */
  dropped = false;

  get usable(): boolean {
    return !this.closed && !this.dropped;
  }

  constructor(
    private readonly script: {
      bind?: (dn: string, password: string) => void;
      search?: SearchScript;
    },
  ) {}

  bind(dn: string, password: string): Promise<void> {
    this.binds.push({ dn, password });
    if (!this.script.bind) return Promise.reject(new Error(`unexpected bind as ${dn}`));
    try {
      this.script.bind(dn, password);
      return Promise.resolve();
    } catch (error: unknown) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  search(base: string, options: LdapSearchOptions): Promise<LdapEntry[]> {
    this.searches.push({ base, options });
    if (!this.script.search) return Promise.reject(new Error(`unexpected search of ${base}`));
    try {
      return Promise.resolve(this.script.search(base, options));
    } catch (error: unknown) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  searchPages(base: string, _options: LdapPagedSearchOptions): AsyncIterable<LdapEntry[]> {
    throw new Error(`unexpected paged search of ${base}`);
  }

  readRootDse(): Promise<LdapEntry> {
    return Promise.reject(new Error('unexpected root DSE read'));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** Hands out the scripted connections in order; one more connect than scripted is a failure. */
class FakeAdapter extends LdapAdapter {
  readonly connects: LdapConnectOptions[] = [];

  constructor(private readonly connections: (FakeConnection | LdapAdapterError)[]) {
    super();
  }

  override connect(options: LdapConnectOptions): Promise<LdapConnection> {
    this.connects.push(options);
    const next = this.connections.shift();
    if (next === undefined) return Promise.reject(new Error('unexpected connect'));
    return next instanceof LdapAdapterError ? Promise.reject(next) : Promise.resolve(next);
  }
}

class FakeRepository extends LdapConfigRepository {
  constructor(private readonly stored: LdapConfigEntity | null) {
    super(undefined as unknown as Repository<LdapConfigEntity>);
  }

  override findByTenant(tenantId: string): Promise<LdapConfigEntity | null> {
    return Promise.resolve(this.stored?.tenantId === tenantId ? this.stored : null);
  }
}

const pools: LdapConnectionPool[] = [];

function serviceFor(
  stored: LdapConfigEntity | null,
  connections: (FakeConnection | LdapAdapterError)[],
): { service: LdapAuthService; adapter: FakeAdapter; pool: LdapConnectionPool } {
  const adapter = new FakeAdapter(connections);
  const configs = new LdapConfigService(new FakeRepository(stored), box);
  const pool = new LdapConnectionPool();
  pools.push(pool);
  return { service: new LdapAuthService(configs, adapter, pool), adapter, pool };
}

const serviceConnection = (search: SearchScript): FakeConnection =>
  new FakeConnection({
    bind: (dn, password) => {
      if (dn !== 'cn=admin,dc=example,dc=com' || password !== SERVICE_PASSWORD) {
        throw new LdapAdapterError(LdapErrorKind.InvalidCredentials, 'rejected', 49);
      }
    },
    search,
  });

const userConnection = (): FakeConnection =>
  new FakeConnection({
    bind: (dn, password) => {
      if (dn !== USER_DN || password !== PASSWORD) {
        throw new LdapAdapterError(LdapErrorKind.InvalidCredentials, 'rejected', 49);
      }
    },
  });

const directory: SearchScript = (base) =>
  base.startsWith('ou=groups')
    ? [{ dn: 'cn=tts-technicians,ou=groups,dc=example,dc=com', attributes: {} }]
    : [alice];

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('LdapAuthService', () => {
  let logged: string[];

  beforeEach(() => {
    logged = [];
    for (const level of ['log', 'warn', 'error'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
        logged.push(args.map(String).join(' '));
      });
    }
  });

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.onModuleDestroy()));
    jest.restoreAllMocks();
    for (const line of logged) {
      expect(line).not.toContain(PASSWORD);
      expect(line).not.toContain(SERVICE_PASSWORD);
    }
  });

  it('searches with the service account, binds as the user on a connection of its own, reads groups', async () => {
    const service = serviceConnection(directory);
    const user = userConnection();
    const { service: auth } = serviceFor(config(), [service, user]);

    const reply = await auth.authenticate({
      tenantId: TENANT,
      username: 'alice',
      password: PASSWORD,
      includeGroups: true,
    });

    expect(reply).toEqual({
      authenticated: true,
      userDN: USER_DN,
      entryUUID: '6f1f0d4e-0a59-4a55-9c59-4b8c3f0e8c11',
      mapped: {
        username: 'alice',
        name: 'Alice Anderson',
        firstName: 'Alice',
        lastName: 'Anderson',
        email: 'alice@example.com',
        phone: null,
        department: null,
        title: null,
        employeeNumber: null,
      },
      attributes: {
        uid: 'alice',
        cn: 'Alice Anderson',
        mail: 'alice@example.com',
        givenName: 'Alice',
        sn: 'Anderson',
      },
      groups: ['cn=tts-technicians,ou=groups,dc=example,dc=com'],
    });
    expect(service.binds).toEqual([
      { dn: 'cn=admin,dc=example,dc=com', password: SERVICE_PASSWORD },
    ]);
    expect(service.searches).toHaveLength(2);
    expect(service.searches[0]).toMatchObject({
      base: 'ou=users,dc=example,dc=com',
      options: { filter: '(uid=alice)', scope: 'sub', sizeLimit: 2 },
    });
    expect(service.searches[1]).toMatchObject({
      base: 'ou=groups,dc=example,dc=com',
      options: { filter: '(member=uid=alice,ou=users,dc=example,dc=com)', attributes: [] },
    });
    expect(user.binds).toEqual([{ dn: USER_DN, password: PASSWORD }]);
    expect([service.closed, user.closed]).toEqual([false, false]);
  });

  it('decrypts the bind password once per cached configuration, not once per login', async () => {
    const decrypt = jest.spyOn(box, 'decrypt');
    try {
      const { service: auth } = serviceFor(config(), [
        serviceConnection(directory),
        userConnection(),
      ]);
      for (let login = 0; login < 3; login += 1) {
        await auth.authenticate({ tenantId: TENANT, username: 'alice', password: PASSWORD });
      }
      expect(decrypt).toHaveBeenCalledTimes(1);
    } finally {
      decrypt.mockRestore();
    }
  });

  it('keeps both connections for the next login, which opens none and binds only the user', async () => {
    const service = serviceConnection(directory);
    const user = userConnection();
    const { service: auth, adapter } = serviceFor(config(), [service, user]);
    await auth.authenticate({ tenantId: TENANT, username: 'alice', password: PASSWORD });
    const reply = await auth.authenticate({
      tenantId: TENANT,
      username: 'alice',
      password: PASSWORD,
    });
    expect(adapter.connects).toHaveLength(2);
    expect(service.binds).toHaveLength(1);
    // Logins do not ask for the groups: one search each, under the user base only.
    expect(service.searches.map((search) => search.base)).toEqual([
      'ou=users,dc=example,dc=com',
      'ou=users,dc=example,dc=com',
    ]);
    expect(reply).not.toHaveProperty('groups');
    expect(user.binds).toHaveLength(2);
  });

  it('opens new connections when the kept ones were dropped by the server', async () => {
    const first = [serviceConnection(directory), userConnection()];
    const second = [serviceConnection(directory), userConnection()];
    const { service: auth, adapter } = serviceFor(config(), [...first, ...second]);
    await auth.authenticate({ tenantId: TENANT, username: 'alice', password: PASSWORD });
    for (const connection of first) connection.dropped = true;
    const reply = await auth.authenticate({
      tenantId: TENANT,
      username: 'alice',
      password: PASSWORD,
    });
    expect(reply.authenticated).toBe(true);
    expect(adapter.connects).toHaveLength(4);
    expect(first.map((connection) => connection.closed)).toEqual([true, true]);
    expect(second[1].binds).toEqual([{ dn: USER_DN, password: PASSWORD }]);
  });

  it('retries once on a new connection when a kept one fails and turns out dead', async () => {
    const kept = serviceConnection(directory);
    const user = userConnection();
    const replacement = serviceConnection(directory);
    const { service: auth, adapter } = serviceFor(config(), [kept, user, replacement]);
    await auth.authenticate({ tenantId: TENANT, username: 'alice', password: PASSWORD });
    // The socket goes away during the next search, as when a firewall dropped an idle connection.
    jest.spyOn(kept, 'search').mockImplementationOnce(() => {
      kept.dropped = true;
      return Promise.reject(new LdapAdapterError(LdapErrorKind.Unreachable, 'connection lost'));
    });
    const reply = await auth.authenticate({
      tenantId: TENANT,
      username: 'alice',
      password: PASSWORD,
    });
    expect(reply.authenticated).toBe(true);
    expect(adapter.connects).toHaveLength(3);
    expect(replacement.binds).toEqual([
      { dn: 'cn=admin,dc=example,dc=com', password: SERVICE_PASSWORD },
    ]);
  });

  it('does not retry a failure on a kept connection that is still usable', async () => {
    const kept = serviceConnection(directory);
    const { service: auth, adapter } = serviceFor(config(), [kept, userConnection()]);
    await auth.authenticate({ tenantId: TENANT, username: 'alice', password: PASSWORD });
    jest
      .spyOn(kept, 'search')
      .mockImplementationOnce(() =>
        Promise.reject(new LdapAdapterError(LdapErrorKind.Other, 'operations error', 1)),
      );
    const error = await domainError(
      auth.authenticate({ tenantId: TENANT, username: 'alice', password: PASSWORD }),
    );
    expect(error.code).toBe(ErrorCode.LdapSearchFailed);
    expect(adapter.connects).toHaveLength(2);
  });

  it('escapes the username into the filter', async () => {
    const service = serviceConnection(() => []);
    const { service: auth } = serviceFor(config(), [service]);
    const error = await domainError(
      auth.authenticate({ tenantId: TENANT, username: '*)(uid=*', password: PASSWORD }),
    );
    expect(error.code).toBe(ErrorCode.LdapUserNotFound);
    expect(service.searches[0].options.filter).toBe('(uid=\\2a\\29\\28uid=\\2a)');
  });

  it('refuses an empty password without connecting, let alone binding', async () => {
    const { service: auth, adapter } = serviceFor(config(), []);
    const error = await domainError(
      auth.authenticate({ tenantId: TENANT, username: 'alice', password: '' }),
    );
    expect(error.code).toBe(ErrorCode.LdapAuthenticationFailed);
    expect(adapter.connects).toEqual([]);
  });

  it.each([
    ['no configuration', null],
    ['a disabled configuration', config({ isEnabled: false })],
  ])('answers LDAP_003 for %s without connecting', async (_, stored) => {
    const { service: auth, adapter } = serviceFor(stored, []);
    const error = await domainError(
      auth.authenticate({ tenantId: TENANT, username: 'alice', password: PASSWORD }),
    );
    expect(error.code).toBe(ErrorCode.LdapConfigInvalid);
    expect(adapter.connects).toEqual([]);
  });

  it('searches anonymously when no bind DN is configured', async () => {
    const service = new FakeConnection({ search: directory });
    const { service: auth } = serviceFor(config({ bindDn: '', bindPasswordEnc: null }), [
      service,
      userConnection(),
    ]);
    await auth.authenticate({ tenantId: TENANT, username: 'alice', password: PASSWORD });
    expect(service.binds).toEqual([]);
  });

  it('skips the group search without a group search base', async () => {
    const service = serviceConnection(() => [alice]);
    const { service: auth } = serviceFor(config({ groupSearchBase: '' }), [
      service,
      userConnection(),
    ]);
    const reply = await auth.authenticate({
      tenantId: TENANT,
      username: 'alice',
      password: PASSWORD,
      includeGroups: true,
    });
    expect(reply.groups).toEqual([]);
    expect(service.searches).toHaveLength(1);
  });

  it('answers LDAP_004 for an unknown user and LDAP_002 for an ambiguous one, without a user bind', async () => {
    const { service: unknown } = serviceFor(config(), [serviceConnection(() => [])]);
    expect(
      (
        await domainError(
          unknown.authenticate({ tenantId: TENANT, username: 'x', password: PASSWORD }),
        )
      ).code,
    ).toBe(ErrorCode.LdapUserNotFound);

    const { service: ambiguous } = serviceFor(config(), [
      serviceConnection(() => [alice, { ...alice, dn: 'uid=alice,ou=others,dc=example,dc=com' }]),
    ]);
    const error = await domainError(
      ambiguous.authenticate({ tenantId: TENANT, username: 'alice', password: PASSWORD }),
    );
    expect(error.code).toBe(ErrorCode.LdapAuthenticationFailed);
    expect(error.message).toContain('ambiguous');
  });

  it('answers LDAP_002 for a wrong password and keeps both connections', async () => {
    const service = serviceConnection(directory);
    const user = userConnection();
    const { service: auth } = serviceFor(config(), [service, user]);
    const error = await domainError(
      auth.authenticate({ tenantId: TENANT, username: 'alice', password: 'wrong' }),
    );
    expect(error.code).toBe(ErrorCode.LdapAuthenticationFailed);
    expect([service.closed, user.closed]).toEqual([false, false]);
  });

  it('answers LDAP_003 when the directory rejects the service account', async () => {
    const wrong = config({
      bindPasswordEnc: box.encrypt('not-the-password', bindPasswordAad(TENANT)),
    });
    const { service: auth } = serviceFor(wrong, [serviceConnection(directory)]);
    const error = await domainError(
      auth.authenticate({ tenantId: TENANT, username: 'alice', password: PASSWORD }),
    );
    expect(error.code).toBe(ErrorCode.LdapConfigInvalid);
  });

  it.each([
    ['a bind DN without a password', { bindPasswordEnc: null }],
    [
      'a password sealed for another tenant',
      { bindPasswordEnc: box.encrypt('x', bindPasswordAad('2')) },
    ],
    ['a user filter without {0}', { userSearchFilter: '(objectClass=person)' }],
  ])('answers LDAP_003 for %s', async (_, overrides: Partial<LdapConfigEntity>) => {
    const { service: auth } = serviceFor(config(overrides), [serviceConnection(directory)]);
    const error = await domainError(
      auth.authenticate({ tenantId: TENANT, username: 'alice', password: PASSWORD }),
    );
    expect(error.code).toBe(ErrorCode.LdapConfigInvalid);
  });

  it.each([
    [LdapErrorKind.Unreachable, 'unreachable'],
    [LdapErrorKind.Tls, 'TLS'],
    [LdapErrorKind.Timeout, 'in time'],
  ])('answers LDAP_001 when connecting fails with %s, saying so', async (kind, wording) => {
    const { service: auth } = serviceFor(config(), [new LdapAdapterError(kind, 'detail')]);
    const error = await domainError(
      auth.authenticate({ tenantId: TENANT, username: 'alice', password: PASSWORD }),
    );
    expect(error.code).toBe(ErrorCode.LdapConnectionFailed);
    expect(error.message).toContain(wording);
  });

  it('answers LDAP_001 when the search times out and LDAP_006 when it fails otherwise', async () => {
    const failing = (kind: LdapErrorKind): FakeConnection =>
      serviceConnection(() => {
        throw new LdapAdapterError(kind, 'detail');
      });
    const { service: slow } = serviceFor(config(), [failing(LdapErrorKind.Timeout)]);
    expect(
      (
        await domainError(
          slow.authenticate({ tenantId: TENANT, username: 'a', password: PASSWORD }),
        )
      ).code,
    ).toBe(ErrorCode.LdapConnectionFailed);
    const { service: broken } = serviceFor(config(), [failing(LdapErrorKind.Other)]);
    expect(
      (
        await domainError(
          broken.authenticate({ tenantId: TENANT, username: 'a', password: PASSWORD }),
        )
      ).code,
    ).toBe(ErrorCode.LdapSearchFailed);
  });

  it('refuses an entry without entryUUID or objectGUID', async () => {
    const noId: LdapEntry = { dn: USER_DN, attributes: { uid: ['alice'] } };
    const { service: auth } = serviceFor(config({ groupSearchBase: '' }), [
      serviceConnection(() => [noId]),
      userConnection(),
    ]);
    const error = await domainError(
      auth.authenticate({ tenantId: TENANT, username: 'alice', password: PASSWORD }),
    );
    expect(error.code).toBe(ErrorCode.LdapConfigInvalid);
  });
});
