/**
 * The throwaway OpenLDAP server of test/support/slapd.ts, checked with the real OpenLDAP client
 * tools (execFile, no shell): test directory content, LDAPS/StartTLS with the generated CA, binds,
 * paged results, operational attributes, groups, stop/start with the same data.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SlapdInstance, startSlapd, testUserPassword } from '@gatehouse/testing/slapd';

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

type Entry = Record<string, string[]>;

const TOOL_PATH = `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/sbin:/sbin`;
const USERS_DN = 'ou=users,dc=example,dc=com';
const GROUPS_DN = 'ou=groups,dc=example,dc=com';
const JSMITH_DN = 'cn=Smith\\, John,ou=users,dc=example,dc=com';
const AWKWARD_UID = 'jamees,key*cložak)ppp';
const AWKWARD_DN = 'cn=Jamees Clozak,ou=users,dc=example,dc=com';
/** Entries in test/fixtures/ldap/test-directory.ldif: base + 2 ous + 25 users + 4 groups. */
const TOTAL_ENTRIES = 32;
const USER_COUNT = 25;

/** Runs an OpenLDAP client tool; never rejects, the exit code is the LDAP result code. */
function run(tool: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    execFile(
      tool,
      args,
      {
        timeout: 15_000,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, PATH: TOOL_PATH, ...env },
      },
      (error, stdout, stderr) => {
        let code = 0;
        if (error) code = typeof error.code === 'number' ? error.code : -1;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

/** Parses `ldapsearch -LLL -o ldif-wrap=no` output; base64 (`attr:: `) values are decoded. */
function parseLdif(text: string): Entry[] {
  const entries: Entry[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block
      .replace(/\n /g, '')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    if (lines.length === 0) continue;
    const entry: Entry = {};
    for (const line of lines) {
      const match = /^([^:]+)(::?) ?(.*)$/.exec(line);
      if (!match) throw new Error(`unexpected LDIF line: ${line}`);
      const [, name, separator, raw] = match;
      const value = separator === '::' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      (entry[name] ??= []).push(value);
    }
    entries.push(entry);
  }
  return entries;
}

describe('throwaway slapd (test/support/slapd.ts)', () => {
  let slapd: SlapdInstance;
  let otherCaDir: string;

  /** ldapsearch against the instance; options go before the filter and attributes. */
  async function search(
    opts: {
      base?: string;
      scope?: 'base' | 'one' | 'sub';
      filter?: string;
      attrs?: string[];
      bind?: { dn: string; password: string };
      url?: string;
      extra?: string[];
      env?: Record<string, string>;
    } = {},
  ): Promise<RunResult & { entries: Entry[] }> {
    const args = ['-x', '-LLL', '-o', 'ldif-wrap=no', '-o', 'nettimeout=5'];
    args.push('-H', opts.url ?? slapd.url, '-b', opts.base ?? slapd.baseDN);
    args.push('-s', opts.scope ?? 'sub');
    if (opts.bind) args.push('-D', opts.bind.dn, '-w', opts.bind.password);
    args.push(...(opts.extra ?? []), opts.filter ?? '(objectClass=*)', ...(opts.attrs ?? []));
    const result = await run('ldapsearch', args, opts.env);
    return { ...result, entries: result.code === 0 ? parseLdif(result.stdout) : [] };
  }

  const admin = (): { dn: string; password: string } => ({
    dn: slapd.adminDN,
    password: slapd.adminPassword,
  });

  beforeAll(async () => {
    slapd = await startSlapd();
    otherCaDir = await mkdtemp(join(tmpdir(), 'gatehouse-other-ca-'));
    const made = await run('openssl', [
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
      join(otherCaDir, 'other-ca.key'),
      '-out',
      join(otherCaDir, 'other-ca.crt'),
    ]);
    if (made.code !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  }, 600_000);

  afterAll(async () => {
    await slapd?.destroy();
    if (otherCaDir) await rm(otherCaDir, { recursive: true, force: true });
  });

  it('describes itself: loopback URLs, known credentials, a temp dir and the CA', () => {
    expect(slapd.url).toBe(`ldap://127.0.0.1:${slapd.port}`);
    expect(slapd.ldapsUrl).toBe(`ldaps://127.0.0.1:${slapd.ldapsPort}`);
    expect(slapd.port).not.toBe(slapd.ldapsPort);
    expect(slapd.baseDN).toBe('dc=example,dc=com');
    expect(slapd.adminDN).toBe('cn=admin,dc=example,dc=com');
    expect(slapd.dir.startsWith(tmpdir())).toBe(true);
    expect(existsSync(slapd.caCertPath)).toBe(true);
  });

  it('serves the test directory over plain LDAP, anonymously and as admin', async () => {
    const anonymous = await search({
      base: USERS_DN,
      filter: '(objectClass=inetOrgPerson)',
      attrs: ['uid', 'userPassword'],
    });
    expect(anonymous.code).toBe(0);
    expect(anonymous.entries.length).toBeGreaterThanOrEqual(20);
    expect(anonymous.entries).toHaveLength(USER_COUNT);
    // userPassword is readable for nobody but the entry itself (and the rootdn).
    expect(anonymous.entries.every((e) => e.userPassword === undefined)).toBe(true);

    const asAdmin = await search({ bind: admin(), attrs: ['userPassword'] });
    expect(asAdmin.code).toBe(0);
    expect(asAdmin.entries).toHaveLength(TOTAL_ENTRIES);
    const alice = asAdmin.entries.find((e) => e.dn[0] === `uid=alice,${USERS_DN}`);
    expect(alice?.userPassword).toEqual([testUserPassword('alice')]);
  });

  it('returns the Chinese name 张三 and the awkward uid, by value and in filters', async () => {
    const byUid = await search({ filter: '(uid=zhangsan)', attrs: ['cn', 'sn', 'givenName'] });
    expect(byUid.entries).toHaveLength(1);
    expect(byUid.entries[0].cn).toEqual(['张三']);
    expect(byUid.entries[0].sn).toEqual(['张']);

    const byCn = await search({ filter: '(cn=张三)', attrs: ['uid'] });
    expect(byCn.entries.map((e) => e.uid)).toEqual([['zhangsan']]);

    const lisi = await search({ base: `cn=李四,${USERS_DN}`, scope: 'base', attrs: ['uid'] });
    expect(lisi.code).toBe(0);
    expect(lisi.entries[0].uid).toEqual(['lisi']);

    // RFC 4515: '*', '(', ')' and '\' are escaped in filters; ',' is not.
    const awkward = await search({ filter: '(uid=jamees,key\\2acložak\\29ppp)', attrs: ['uid'] });
    expect(awkward.entries).toHaveLength(1);
    expect(awkward.entries[0].dn).toEqual([AWKWARD_DN]);
    expect(awkward.entries[0].uid).toEqual([AWKWARD_UID]);
  });

  it('has the entry whose DN holds an escaped comma, and users without / with two mails', async () => {
    const jsmith = await search({ base: JSMITH_DN, scope: 'base', attrs: ['uid', 'cn'] });
    expect(jsmith.code).toBe(0);
    // OpenLDAP returns entry DNs with hex escapes (`\2C`); both forms are valid RFC 4514, so
    // clients must compare normalised DNs. DN-valued attributes (member) keep the LDIF's `\,`.
    expect(jsmith.entries[0].dn).toEqual(['cn=Smith\\2C John,ou=users,dc=example,dc=com']);
    const hexForm = await search({ base: jsmith.entries[0].dn[0], scope: 'base', attrs: ['uid'] });
    expect(hexForm.entries[0].uid).toEqual(['jsmith']);
    const tts = await search({ base: `cn=tts-technicians,${GROUPS_DN}`, attrs: ['member'] });
    expect(tts.entries[0].member).toContain(JSMITH_DN);
    const byMember = await search({
      filter: '(member=cn=Smith\\5c, John,ou=users,dc=example,dc=com)',
    });
    expect(byMember.entries.map((e) => e.dn[0])).toEqual([`cn=tts-technicians,${GROUPS_DN}`]);
    expect(jsmith.entries[0].cn).toEqual(['Smith, John']);
    expect(jsmith.entries[0].uid).toEqual(['jsmith']);

    const oscar = await search({ filter: '(uid=oscar)', attrs: ['mail', 'cn'] });
    expect(oscar.entries).toHaveLength(1);
    expect(oscar.entries[0].mail).toBeUndefined();

    const niaj = await search({ filter: '(uid=niaj)', attrs: ['mail'] });
    expect(niaj.entries[0].mail).toHaveLength(2);
  });

  it('speaks LDAPS and StartTLS with the generated CA', async () => {
    const tls = { LDAPTLS_CACERT: slapd.caCertPath, LDAPTLS_REQCERT: 'demand' };
    const ldaps = await search({ url: slapd.ldapsUrl, scope: 'base', env: tls });
    expect(ldaps.stderr).toBe('');
    expect(ldaps.code).toBe(0);
    expect(ldaps.entries[0].dn).toEqual([slapd.baseDN]);

    const startTls = await search({ extra: ['-ZZ'], scope: 'base', bind: admin(), env: tls });
    expect(startTls.stderr).toBe('');
    expect(startTls.code).toBe(0);
    expect(startTls.entries[0].dn).toEqual([slapd.baseDN]);
  });

  it('refuses LDAPS and StartTLS when the client does not trust the CA', async () => {
    const untrusted = {
      LDAPTLS_CACERT: join(otherCaDir, 'other-ca.crt'),
      LDAPTLS_REQCERT: 'demand',
    };
    const ldaps = await search({ url: slapd.ldapsUrl, scope: 'base', env: untrusted });
    expect(ldaps.code).not.toBe(0);
    expect(ldaps.stdout).not.toContain('dn:');

    const startTls = await search({ extra: ['-ZZ'], scope: 'base', env: untrusted });
    expect(startTls.code).not.toBe(0);
    expect(startTls.stdout).not.toContain('dn:');
  });

  it('binds users with their documented password and rejects a wrong one', async () => {
    const ok = await search({
      base: `uid=alice,${USERS_DN}`,
      scope: 'base',
      bind: { dn: `uid=alice,${USERS_DN}`, password: testUserPassword('alice') },
      attrs: ['uid'],
    });
    expect(ok.code).toBe(0);
    expect(ok.entries[0].uid).toEqual(['alice']);

    const awkward = await search({
      base: AWKWARD_DN,
      scope: 'base',
      bind: { dn: AWKWARD_DN, password: testUserPassword(AWKWARD_UID) },
    });
    expect(awkward.code).toBe(0);

    const escaped = await search({
      base: JSMITH_DN,
      scope: 'base',
      bind: { dn: JSMITH_DN, password: testUserPassword('jsmith') },
    });
    expect(escaped.code).toBe(0);

    const wrong = await search({
      scope: 'base',
      bind: { dn: `uid=alice,${USERS_DN}`, password: 'not-the-password' },
    });
    expect(wrong.code).toBe(49); // invalidCredentials
    expect(wrong.stderr).toContain('Invalid credentials');
  });

  it('pages through all entries with the paged-results control (critical)', async () => {
    for (const bind of [undefined, admin()]) {
      const paged = await search({ bind, extra: ['-E', '!pr=5/noprompt'], attrs: ['1.1'] });
      expect(paged.code).toBe(0);
      expect(paged.entries).toHaveLength(TOTAL_ENTRIES);
      expect(new Set(paged.entries.map((e) => e.dn[0])).size).toBe(TOTAL_ENTRIES);
    }
  });

  it('maintains entryUUID, createTimestamp and modifyTimestamp', async () => {
    const result = await search({
      filter: '(uid=alice)',
      attrs: ['entryUUID', 'createTimestamp', 'modifyTimestamp'],
    });
    const [alice] = result.entries;
    expect(alice.entryUUID?.[0]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(alice.createTimestamp?.[0]).toMatch(/^\d{14}Z$/);
    expect(alice.modifyTimestamp?.[0]).toMatch(/^\d{14}Z$/);
  });

  it('has the groups: a nested one, a groupOfUniqueNames and users in several groups', async () => {
    const groups = await search({ base: GROUPS_DN, scope: 'one', attrs: ['objectClass', 'cn'] });
    const byCn = new Map(groups.entries.map((e) => [e.cn[0], e.objectClass]));
    expect(byCn.get('tts-technicians')).toEqual(['groupOfNames']);
    expect(byCn.get('hdts-agents')).toEqual(['groupOfNames']);
    expect(byCn.get('ams-users')).toEqual(['groupOfNames']);
    expect(byCn.get('ams-admins')).toEqual(['groupOfUniqueNames']);

    const ttsDn = `cn=tts-technicians,${GROUPS_DN}`;
    const nesting = await search({ base: GROUPS_DN, filter: `(member=${ttsDn})`, attrs: ['cn'] });
    expect(nesting.entries.map((e) => e.cn[0])).toEqual(['ams-users']);

    const unique = await search({
      filter: '(objectClass=groupOfUniqueNames)',
      attrs: ['uniqueMember'],
    });
    expect(unique.entries).toHaveLength(1);
    expect(unique.entries[0].uniqueMember).toContain(JSMITH_DN);

    const daves = await search({ filter: `(member=uid=dave,${USERS_DN})`, attrs: ['cn'] });
    expect(daves.entries.length).toBeGreaterThanOrEqual(2);
  });

  it('stop() takes the server down, start() brings it back on the same ports with the data', async () => {
    const marker = join(slapd.dir, 'marker.ldif');
    await writeFile(
      marker,
      `dn: uid=bob,${USERS_DN}\nchangetype: modify\nreplace: title\ntitle: Survived a restart\n`,
    );
    const modified = await run('ldapmodify', [
      '-x',
      '-H',
      slapd.url,
      '-D',
      slapd.adminDN,
      '-w',
      slapd.adminPassword,
      '-f',
      marker,
    ]);
    expect(modified.stderr).toBe('');
    expect(modified.code).toBe(0);
    const before = await search({ filter: '(uid=bob)', attrs: ['entryUUID', 'title'] });
    const { url, ldapsUrl } = slapd;

    await slapd.stop();
    const down = await search({ scope: 'base' });
    expect(down.code).not.toBe(0);
    expect(down.stderr).toContain("Can't contact LDAP server");

    await slapd.start();
    expect(slapd.url).toBe(url);
    expect(slapd.ldapsUrl).toBe(ldapsUrl);
    const after = await search({ filter: '(uid=bob)', attrs: ['entryUUID', 'title'] });
    expect(after.code).toBe(0);
    expect(after.entries).toEqual(before.entries);
    expect(after.entries[0].title).toEqual(['Survived a restart']);
    const all = await search({ bind: admin(), attrs: ['1.1'] });
    expect(all.entries).toHaveLength(TOTAL_ENTRIES);
  });

  it('destroy() stops the server and removes its temp folder', async () => {
    const { dir } = slapd;
    await slapd.destroy();
    expect(existsSync(dir)).toBe(false);
    const down = await search({ scope: 'base' });
    expect(down.code).not.toBe(0);
    await slapd.destroy(); // idempotent
  });
});
