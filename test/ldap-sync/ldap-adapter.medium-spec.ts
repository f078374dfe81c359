/**
 * LdapAdapter (the one ldapjs file) against a throwaway slapd: binds, searches, paging, UTF-8,
 * operational attributes, LDAPS and StartTLS with and without the right CA, filter escaping as the
 * server sees it (slapd's stats log), and every failure bounded and typed: refused, silent server,
 * DNS, connection lost.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SlapdInstance, startSlapd, testUserPassword } from '@gatehouse/testing/slapd';
import { LdapAdapter } from '../../apps/ldap-sync/src/ldap/ldap.adapter';
import type {
  LdapConnection,
  LdapConnectOptions,
  LdapEntry,
} from '../../apps/ldap-sync/src/ldap/ldap-connection';
import { buildFilter } from '../../apps/ldap-sync/src/ldap/ldap-escape';
import { LdapAdapterError, LdapErrorKind } from '../../apps/ldap-sync/src/ldap/ldap.exception';

const USERS = 'ou=users,dc=example,dc=com';
const AWKWARD_UID = 'jamees,key*cložak)ppp';
const USER_COUNT = 25;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Short timeouts keep the failure tests quick; the bound under test is timeout + 1 s. */
const TIMEOUT_MS = 1500;

jest.setTimeout(60_000);

/** slapd's stdout/stderr (SLAPD_DEBUG=stats below): what the server received. */
function slapdLog(slapd: SlapdInstance): string {
  return 'output' in slapd && typeof slapd.output === 'string' ? slapd.output : '';
}

/**
 * The log once it holds `text` (case-insensitive), waiting up to 3 s: slapd's log arrives over a
 * pipe, which may be read after the LDAP answer that followed it.
 */
async function logHolding(slapd: SlapdInstance, text: string): Promise<string> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const log = slapdLog(slapd).toLowerCase();
    if (log.includes(text.toLowerCase()) || Date.now() > deadline) return log;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function failure(promise: Promise<unknown>): Promise<LdapAdapterError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof LdapAdapterError) return error;
    throw error;
  }
  throw new Error('expected the operation to fail');
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
}

function uidsOf(entries: LdapEntry[]): string[] {
  return entries.map((entry) => entry.attributes.uid?.[0] ?? '?').sort();
}

describe('LdapAdapter against slapd', () => {
  const adapter = new LdapAdapter();
  const opened: LdapConnection[] = [];
  let slapd: SlapdInstance;
  let ca: string;
  let otherCaDir: string;
  let otherCa: string;
  let previousDebug: string | undefined;

  async function connect(options: Partial<LdapConnectOptions> = {}): Promise<LdapConnection> {
    const connection = await adapter.connect({
      url: slapd.url,
      startTls: false,
      tls: { rejectUnauthorized: true },
      connectTimeoutMs: TIMEOUT_MS,
      operationTimeoutMs: TIMEOUT_MS,
      ...options,
    });
    opened.push(connection);
    return connection;
  }

  async function admin(options: Partial<LdapConnectOptions> = {}): Promise<LdapConnection> {
    const connection = await connect(options);
    await connection.bind(slapd.adminDN, slapd.adminPassword);
    return connection;
  }

  beforeAll(async () => {
    previousDebug = process.env.SLAPD_DEBUG;
    process.env.SLAPD_DEBUG = 'stats';
    slapd = await startSlapd();
    ca = await readFile(slapd.caCertPath, 'utf8');
    otherCaDir = await mkdtemp(join(tmpdir(), 'gatehouse-other-ca-'));
    await new Promise<void>((resolve, reject) => {
      execFile(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=Unrelated CA',
          '-keyout',
          join(otherCaDir, 'ca.key'),
          '-out',
          join(otherCaDir, 'ca.crt'),
        ],
        { timeout: 15_000 },
        (error) => (error ? reject(new Error(`openssl failed: ${error.message}`)) : resolve()),
      );
    });
    otherCa = await readFile(join(otherCaDir, 'ca.crt'), 'utf8');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((connection) => connection.close()));
  });

  afterAll(async () => {
    if (previousDebug === undefined) delete process.env.SLAPD_DEBUG;
    else process.env.SLAPD_DEBUG = previousDebug;
    await slapd?.destroy();
    if (otherCaDir) await rm(otherCaDir, { recursive: true, force: true });
  });

  describe('bind', () => {
    it('binds as the admin and as a user, including one with an escaped comma in its DN', async () => {
      await admin();
      const jsmith = await connect();
      await expect(
        jsmith.bind('cn=Smith\\, John,ou=users,dc=example,dc=com', testUserPassword('jsmith')),
      ).resolves.toBeUndefined();
    });

    it('maps a wrong password (result 49) to invalid_credentials', async () => {
      const connection = await connect();
      const error = await failure(connection.bind(`uid=alice,${USERS}`, 'wrong'));
      expect(error.kind).toBe(LdapErrorKind.InvalidCredentials);
      expect(error.resultCode).toBe(49);
      expect(error.message).not.toContain('wrong');
    });

    it('refuses an empty password without sending a bind', async () => {
      const connection = await connect();
      const error = await failure(connection.bind(`uid=bob,${USERS}`, ''));
      expect(error.kind).toBe(LdapErrorKind.InvalidCredentials);
      // The connection is still usable, and slapd never saw a bind for bob.
      await connection.bind(`uid=carol,${USERS}`, testUserPassword('carol'));
      const carolBind = 'BIND dn="uid=carol,ou=users,dc=example,dc=com"'.toLowerCase();
      const log = await logHolding(slapd, carolBind);
      expect(log).toContain(carolBind);
      expect(log).not.toContain('uid=bob,ou=users');
    });
  });

  describe('search', () => {
    it('returns UTF-8 values, readable DNs and the entryUUID', async () => {
      const connection = await admin();
      const entries = await connection.search(USERS, {
        filter: '(|(uid=zhangsan)(uid=lisi)(uid=jsmith))',
        scope: 'sub',
        attributes: ['uid', 'cn', 'sn'],
      });
      const byUid = new Map(entries.map((entry) => [entry.attributes.uid?.[0], entry]));
      expect(byUid.get('zhangsan')).toMatchObject({
        dn: 'uid=zhangsan,ou=users,dc=example,dc=com',
        attributes: { cn: ['张三'], sn: ['张'] },
      });
      expect(byUid.get('lisi')?.dn).toBe('cn=李四,ou=users,dc=example,dc=com');
      expect(byUid.get('jsmith')?.dn).toBe('cn=Smith\\, John,ou=users,dc=example,dc=com');
      for (const entry of entries) expect(entry.attributes.entryUUID?.[0]).toMatch(UUID);
      expect(byUid.get('zhangsan')?.attributes).not.toHaveProperty('mail');
    });

    it('finds zhangsan by a UTF-8 value', async () => {
      const connection = await connect();
      const entries = await connection.search(USERS, {
        filter: buildFilter('(cn={0})', '张三'),
        scope: 'sub',
      });
      expect(uidsOf(entries)).toEqual(['zhangsan']);
    });

    it('returns only DNs when asked for no attributes', async () => {
      const connection = await connect();
      const [entry] = await connection.search(USERS, {
        filter: '(uid=alice)',
        scope: 'sub',
        attributes: [],
      });
      expect(entry).toEqual({ dn: `uid=alice,${USERS}`, attributes: {} });
    });

    it('stops at the caller’s size limit without an error', async () => {
      const connection = await connect();
      const entries = await connection.search(USERS, {
        filter: '(objectClass=inetOrgPerson)',
        scope: 'sub',
        attributes: ['uid'],
        sizeLimit: 2,
      });
      expect(entries).toHaveLength(2);
    });

    it('reads every page of a paged search', async () => {
      const connection = await connect();
      const pages: LdapEntry[][] = [];
      for await (const page of connection.searchPages(USERS, {
        filter: '(objectClass=inetOrgPerson)',
        scope: 'sub',
        attributes: ['uid'],
        pageSize: 4,
      })) {
        pages.push(page);
      }
      expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(USER_COUNT / 4));
      for (const page of pages) expect(page.length).toBeLessThanOrEqual(4);
      const uids = uidsOf(pages.flat());
      expect(uids).toHaveLength(USER_COUNT);
      expect(new Set(uids).size).toBe(USER_COUNT);
      expect(uids).toContain(AWKWARD_UID);

      const all = await connection.search(USERS, {
        filter: '(objectClass=inetOrgPerson)',
        scope: 'sub',
        attributes: ['uid'],
        paged: { pageSize: 7 },
      });
      expect(uidsOf(all)).toEqual(uids);
    });

    it('fails a paged search as a whole when a page fails', async () => {
      const connection = await connect();
      const pages = connection.searchPages('ou=missing,dc=example,dc=com', {
        filter: '(objectClass=*)',
        scope: 'sub',
        pageSize: 5,
      });
      const error = await failure(
        (async () => {
          for await (const _ of pages) {
            // drain
          }
        })(),
      );
      expect(error.kind).toBe(LdapErrorKind.NoSuchObject);
    });

    it('maps a missing base (result 32) to no_such_object', async () => {
      const connection = await connect();
      const error = await failure(
        connection.search('ou=missing,dc=example,dc=com', { filter: '(uid=x)', scope: 'sub' }),
      );
      expect(error.kind).toBe(LdapErrorKind.NoSuchObject);
      expect(error.resultCode).toBe(32);
    });

    it('refuses a malformed filter before sending it', async () => {
      const connection = await connect();
      const error = await failure(connection.search(USERS, { filter: 'uid=alice', scope: 'sub' }));
      expect(error.kind).toBe(LdapErrorKind.Other);
    });

    it('reads the root DSE', async () => {
      const connection = await connect();
      const rootDse = await connection.readRootDse();
      expect(rootDse.attributes.namingContexts).toEqual(['dc=example,dc=com']);
      expect(rootDse.attributes.supportedControl).toContain('1.2.840.113556.1.4.319');
    });
  });

  describe('escaping as the server sees it', () => {
    it.each(['*', 'j*', '*)(uid=*', '\\', '\0'])(
      'finds nothing for the username %j',
      async (value) => {
        const connection = await connect();
        const entries = await connection.search(USERS, {
          filter: buildFilter('(uid={0})', value),
          scope: 'sub',
        });
        expect(entries).toEqual([]);
      },
    );

    it('sends \\2a, \\28, \\29 for an injection attempt, not a wildcard', async () => {
      const connection = await connect();
      await connection.search(USERS, {
        filter: buildFilter('(&(objectClass=inetOrgPerson)(uid={0}))', '*)(uid=*'),
        scope: 'sub',
      });
      const wire = 'filter="(&(objectclass=inetorgperson)(uid=\\2a\\29\\28uid=\\2a))"';
      expect(await logHolding(slapd, wire)).toContain(wire);
    });

    it('finds the awkward uid, escaped exactly once', async () => {
      const connection = await connect();
      const entries = await connection.search(USERS, {
        filter: buildFilter('(uid={0})', AWKWARD_UID),
        scope: 'sub',
        attributes: ['uid'],
      });
      expect(entries.map((entry) => entry.dn)).toEqual([
        'cn=Jamees Clozak,ou=users,dc=example,dc=com',
      ]);
      // Escaped once: \2a and \29 on the wire, no \5c2a (an escaped backslash before "2a").
      const wire = '(uid=jamees,key\\2aclo\\c5\\beak\\29ppp)';
      const log = await logHolding(slapd, wire);
      expect(log).toContain(wire);
      expect(log).not.toContain('\\5c2a');
    });
  });

  describe('TLS', () => {
    it('works over LDAPS with the test CA', async () => {
      const connection = await admin({
        url: slapd.ldapsUrl,
        tls: { ca, rejectUnauthorized: true },
      });
      const entries = await connection.search(USERS, { filter: '(uid=alice)', scope: 'sub' });
      expect(uidsOf(entries)).toEqual(['alice']);
    });

    it('works over LDAPS by host name (the certificate names localhost)', async () => {
      const url = slapd.ldapsUrl.replace('127.0.0.1', 'localhost');
      await expect(admin({ url, tls: { ca, rejectUnauthorized: true } })).resolves.toBeDefined();
    });

    it.each([
      ['without a CA (system store)', undefined],
      ['with an unrelated CA', 'other'],
    ])('refuses LDAPS %s as a tls error', async (_, which) => {
      const error = await failure(
        connect({
          url: slapd.ldapsUrl,
          tls: { ...(which ? { ca: otherCa } : {}), rejectUnauthorized: true },
        }),
      );
      expect(error.kind).toBe(LdapErrorKind.Tls);
    });

    it('connects without verification only when told to', async () => {
      const connection = await admin({ url: slapd.ldapsUrl, tls: { rejectUnauthorized: false } });
      await expect(connection.readRootDse()).resolves.toBeDefined();
    });

    it('upgrades with StartTLS and the test CA', async () => {
      const connection = await admin({ startTls: true, tls: { ca, rejectUnauthorized: true } });
      const entries = await connection.search(USERS, { filter: '(uid=zhangsan)', scope: 'sub' });
      expect(entries[0]?.attributes.cn).toEqual(['张三']);
    });

    it('refuses StartTLS without the CA as a tls error', async () => {
      const error = await failure(connect({ startTls: true, tls: { rejectUnauthorized: true } }));
      expect(error.kind).toBe(LdapErrorKind.Tls);
    });
  });

  describe('failures are bounded and typed', () => {
    let silent: Server;
    let silentPort: number;
    const sockets = new Set<Socket>();

    beforeAll(async () => {
      // Accepts TCP connections and never says a word: neither LDAP nor a TLS handshake.
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const address = silent.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      silentPort = address.port;
    });

    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('gives timeout when a connected server does not answer a bind', async () => {
      const connection = await connect({ url: `ldap://127.0.0.1:${silentPort}` });
      const { result: error, ms } = await timed(() =>
        failure(connection.bind(slapd.adminDN, slapd.adminPassword)),
      );
      expect(error.kind).toBe(LdapErrorKind.Timeout);
      expect(ms).toBeLessThan(TIMEOUT_MS + 1000);
      // The connection is given up, not reused in an unknown state: the next call fails at once.
      const { result: next, ms: nextMs } = await timed(() =>
        failure(connection.search(USERS, { filter: '(uid=a)', scope: 'sub' })),
      );
      expect(next.kind).toBe(LdapErrorKind.Timeout);
      expect(nextMs).toBeLessThan(100);
    });

    it('gives unreachable when the TLS handshake never completes', async () => {
      const { result: error, ms } = await timed(() =>
        failure(connect({ url: `ldaps://127.0.0.1:${silentPort}` })),
      );
      expect(error.kind).toBe(LdapErrorKind.Unreachable);
      expect(ms).toBeLessThan(TIMEOUT_MS + 1000);
    });

    it('gives unreachable for a name that does not resolve', async () => {
      const { result: error, ms } = await timed(() =>
        failure(connect({ url: 'ldap://gatehouse-test.invalid:389' })),
      );
      expect(error.kind).toBe(LdapErrorKind.Unreachable);
      expect(ms).toBeLessThan(TIMEOUT_MS + 1000);
    });

    it('refuses a URL that is not ldap:// or ldaps://', async () => {
      const error = await failure(connect({ url: 'http://127.0.0.1:389' }));
      expect(error.kind).toBe(LdapErrorKind.Other);
    });

    it('gives unreachable within the timeout when slapd is stopped, and recovers', async () => {
      const connection = await admin();
      await slapd.stop();
      try {
        const lost = await failure(
          connection.search(USERS, { filter: '(uid=alice)', scope: 'sub' }),
        );
        expect(lost.kind).toBe(LdapErrorKind.Unreachable);

        for (const url of [slapd.url, slapd.ldapsUrl]) {
          const { result: error, ms } = await timed(() =>
            failure(connect({ url, tls: { ca, rejectUnauthorized: true } })),
          );
          expect(error.kind).toBe(LdapErrorKind.Unreachable);
          expect(error.message).toContain('127.0.0.1');
          expect(ms).toBeLessThan(TIMEOUT_MS + 1000);
        }
      } finally {
        await slapd.start();
      }
      await expect(admin()).resolves.toBeDefined();
    });
  });
});
