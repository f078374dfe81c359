/** LDAP logins: POST /api/v1/auth/login for a directory user through the gateway (gateway →
 *  ldap-sync over RPC → search-then-bind) next to a bare search-then-bind loop with ldapjs
 *  (bare-ldap-login.js, a process of its own) against the same throwaway slapd, at the same
 *  concurrency. The slapd is started here with scripts/ldap/start-slapd.sh --background, loaded
 *  with the test directory, and stopped and removed when the phase ends (and again, as a
 *  backstop, by the run's teardown). */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { KeyRing, SecretBox } from '@gatehouse/crypto';
import { bindPasswordAad } from '@gatehouse/persistence';
import type { LoadResult, LoadSpec } from './autocannon';
import type { Measured } from './report';
import { login } from './stack';
import {
  freePort,
  lastJsonObject,
  messageOf,
  runNode,
  SetupError,
  type Teardown,
  waitFor,
} from './support';

const TENANT = '1';
const BASE_DN = 'dc=example,dc=com';
const SERVICE_DN = `cn=admin,${BASE_DN}`;
const SERVICE_PASSWORD = 'admin-secret';
const USER_BASE = `ou=users,${BASE_DN}`;
/** A user of test/fixtures/ldap/test-directory.ldif; every password there is Passw0rd!<uid>. */
const USERNAME = 'zhangsan';
const PASSWORD = `Passw0rd!${USERNAME}`;
const DIR_PREFIX = 'gatehouse-bench-slapd-';
const OWNER_FILE = 'owner.pid';
const START_TIMEOUT_MS = 30000;

export interface LdapLoginContext {
  root: string;
  gatewayUrl: string;
  databaseUrl: string;
  /** GATEHOUSE_SECRET_KEYS of ldap-sync, to encrypt the bind password with. */
  secretKeys: string;
  seconds: number;
  warmupSeconds: number;
  /** Logins in flight, through the gateway and in the bare loop alike. */
  connections: number;
  teardown: Teardown;
  log: (message: string) => void;
  /** run.ts' phase wrapper (CPU meter); `extraPids` are the benchmark's own non-children. */
  measure<T>(
    what: string,
    work: () => Promise<T>,
    extraPids: () => Promise<number[]>,
  ): Promise<Measured<T>>;
  /** run.ts' autocannon run: a warm-up, then the measured load. */
  load(spec: LoadSpec): Promise<LoadResult>;
}

/** What bare-ldap-login.js prints. */
export interface BareLdapLoginResult {
  loginsPerSecond: number;
  ok: number;
  errors: number;
  seconds: number;
  concurrency: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  firstError?: string;
}

export interface LdapLoginMeasurements {
  ldapLoginBare: Measured<BareLdapLoginResult>;
  ldapLoginGateway: Measured<LoadResult>;
}

/** Live slapd processes serving `dir` (matched on their -f DIR/slapd.conf; pid files can be stale
 *  and a pid reused). A stopped slapd is reparented to PID 1 and may linger as a zombie for a
 *  moment before it is reaped: zombies do not count. */
async function slapdPids(dir: string): Promise<number[]> {
  const conf = join(dir, 'slapd.conf');
  const names = await readdir('/proc').catch((): string[] => []);
  const pids: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const argv = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (!argv[0]?.endsWith('slapd') || !argv.includes(conf)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const state = stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
    if (state !== '' && state !== 'Z') pids.push(Number(name));
  }
  return pids;
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // gone meanwhile
    }
  }
}

/** SIGTERM, then SIGKILL after 10 s, each wait bounded; then removes the folder. */
async function destroySlapd(dir: string): Promise<void> {
  const gone = async (): Promise<true | undefined> =>
    (await slapdPids(dir)).length === 0 ? true : undefined;
  signal(await slapdPids(dir), 'SIGTERM');
  try {
    await waitFor('slapd to stop after SIGTERM', gone, 10000);
  } catch {
    signal(await slapdPids(dir), 'SIGKILL');
    await waitFor('slapd to die after SIGKILL', gone, 5000);
  }
  await rm(dir, { recursive: true, force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the slapd of earlier runs that died without their teardown (SIGKILL): a --background
 *  slapd is detached, nothing else would ever stop it. */
export async function sweepStale(log: (message: string) => void): Promise<void> {
  const root = tmpdir();
  const names = await readdir(root).catch((): string[] => []);
  for (const name of names.filter((entry) => entry.startsWith(DIR_PREFIX))) {
    const dir = join(root, name);
    const owner = Number((await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) continue;
    log(`  removing the slapd of an earlier run that did not clean up (${dir})`);
    await destroySlapd(dir).catch((error: unknown) => log(`  could not: ${messageOf(error)}`));
  }
}

interface ScriptRun {
  code: number | null;
  output: string;
}

function runScript(args: string[], timeoutMs: number): Promise<ScriptRun> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      args,
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        env: { ...process.env, LDAP_ADMIN_PASSWORD: SERVICE_PASSWORD, SLAPD_START_TIMEOUT: '15' },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, output: `${stdout}${stderr}`.trim() });
      },
    );
  });
}

async function twoFreePorts(): Promise<[number, number]> {
  const first = await freePort();
  for (;;) {
    const second = await freePort();
    if (second !== first) return [first, second];
  }
}

/** A throwaway slapd (the test directory unless told otherwise) on loopback; the caller calls
 *  `destroy`. */
export class ThrowawaySlapd {
  url = '';
  private destroyed?: Promise<void>;

  private constructor(readonly dir: string) {}

  /** Creates the folder and registers its removal with `teardown` before anything can fail. */
  static async create(teardown: Teardown): Promise<ThrowawaySlapd> {
    const dir = await mkdtemp(join(tmpdir(), DIR_PREFIX));
    const slapd = new ThrowawaySlapd(dir);
    teardown.add('stop and remove the throwaway slapd', () => slapd.destroy());
    await writeFile(join(dir, OWNER_FILE), `${process.pid}\n`);
    return slapd;
  }

  /** `ldif`: what slapadd loads (default: the test directory); `timeoutMs` bounds the load and
   *  the start together. */
  async start(
    root: string,
    log: (message: string) => void,
    ldif = join(root, 'test', 'fixtures', 'ldap', 'test-directory.ldif'),
    timeoutMs = START_TIMEOUT_MS,
  ): Promise<void> {
    const script = join(root, 'scripts', 'ldap', 'start-slapd.sh');
    // A port taken by somebody else between freePort() and slapd's bind: try new ones.
    for (let attempt = 1; ; attempt += 1) {
      const [port, ldapsPort] = await twoFreePorts();
      const run = await runScript(
        [
          script,
          '--dir',
          this.dir,
          '--port',
          String(port),
          '--ldaps-port',
          String(ldapsPort),
          '--ldif',
          ldif,
          '--background',
        ],
        timeoutMs,
      );
      if (run.code === 0) {
        this.url = `ldap://127.0.0.1:${port}`;
        log(`  slapd on ${this.url}, data in ${this.dir}`);
        return;
      }
      if (attempt >= 3 || !run.output.includes('Address already in use')) {
        throw new SetupError(
          `start-slapd.sh exited with ${run.code ?? 'a signal'}: ${run.output.slice(-600)}`,
        );
      }
    }
  }

  pids(): Promise<number[]> {
    return slapdPids(this.dir);
  }

  /** Idempotent; a failed attempt may be retried. */
  destroy(): Promise<void> {
    const attempt = (this.destroyed ??= destroySlapd(this.dir));
    attempt.catch(() => {
      if (this.destroyed === attempt) this.destroyed = undefined;
    });
    return attempt;
  }
}

/** Tenant 1's directory, as scripts/demo/configure-demo-directory.ts stores it, with the test
 *  directory's admin as the service account. */
async function pointTenantAt(
  databaseUrl: string,
  secretKeys: string,
  ldapUrl: string,
): Promise<void> {
  const box = new SecretBox(KeyRing.parse(secretKeys));
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO ldap_configs (id, tenant_id, is_enabled, server, base_dn, bind_dn, bind_password_enc,
         user_search_base, user_search_filter, group_search_base, group_search_filter)
       VALUES ('LDAP_CONFIG_001', $1, true, $2, 'dc=example,dc=com', $3, $4,
         'ou=users,dc=example,dc=com', '(uid={0})',
         'ou=groups,dc=example,dc=com', '(|(member={0})(uniqueMember={0}))')
       ON CONFLICT (tenant_id) DO UPDATE SET server = EXCLUDED.server, bind_dn = EXCLUDED.bind_dn,
         bind_password_enc = EXCLUDED.bind_password_enc, is_enabled = true, modified_date = now()`,
      [TENANT, ldapUrl, SERVICE_DN, box.encrypt(SERVICE_PASSWORD, bindPasswordAad(TENANT))],
    );
  } finally {
    await client.end();
  }
}

/** One login through the gateway before the load: it must succeed, and as a directory user. */
async function checkGatewayLogin(gatewayUrl: string, databaseUrl: string): Promise<void> {
  await login(gatewayUrl, USERNAME, PASSWORD);
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const rows = await client.query<{ source: string }>(
      'SELECT source FROM users WHERE tenant_id = $1 AND username = $2',
      [TENANT, USERNAME],
    );
    const source = rows.rows[0]?.source;
    if (source !== 'ldap') {
      throw new SetupError(`${USERNAME} logged in, but as a ${source ?? 'missing'} user, not LDAP`);
    }
  } finally {
    await client.end();
  }
}

function isBareResult(
  value: Record<string, unknown>,
): value is Record<string, unknown> & BareLdapLoginResult {
  return ['loginsPerSecond', 'ok', 'errors', 'seconds', 'concurrency', 'p50Ms', 'p99Ms'].every(
    (key) => typeof value[key] === 'number',
  );
}

async function bareLoop(context: LdapLoginContext, ldapUrl: string): Promise<BareLdapLoginResult> {
  const { seconds, warmupSeconds, connections } = context;
  const output = await runNode(
    [join(context.root, 'bench', 'auth', 'bare-ldap-login.js')],
    {
      ...process.env,
      BENCH_LDAP_URL: ldapUrl,
      BENCH_LDAP_SERVICE_DN: SERVICE_DN,
      BENCH_LDAP_SERVICE_PASSWORD: SERVICE_PASSWORD,
      BENCH_LDAP_USER_BASE: USER_BASE,
      BENCH_LDAP_USERNAME: USERNAME,
      BENCH_LDAP_PASSWORD: PASSWORD,
      BENCH_LDAP_CONCURRENCY: String(connections),
      BENCH_LDAP_SECONDS: String(seconds),
      BENCH_LDAP_WARMUP_SECONDS: String(warmupSeconds),
    },
    (seconds + warmupSeconds + 60) * 1000,
  );
  const json = lastJsonObject(output.stdout);
  if (output.code !== 0 || !json || !isBareResult(json)) {
    throw new SetupError(
      `bare-ldap-login exited with ${output.code}: ${output.stderr.trim().slice(-400) || 'no result'}`,
    );
  }
  context.log(
    `  ${json.loginsPerSecond} logins/s, p50 ${json.p50Ms} ms, p99 ${json.p99Ms} ms, ` +
      `${json.ok} ok, ${json.errors} errors${json.firstError ? ` (first: ${json.firstError})` : ''}`,
  );
  return json;
}

export async function measureLdapLogins(context: LdapLoginContext): Promise<LdapLoginMeasurements> {
  const { log } = context;
  let slapd: ThrowawaySlapd | undefined;
  try {
    log('starting a throwaway slapd for the LDAP logins');
    await sweepStale(log);
    slapd = await ThrowawaySlapd.create(context.teardown);
    await slapd.start(context.root, log);
    await pointTenantAt(context.databaseUrl, context.secretKeys, slapd.url);
    await checkGatewayLogin(context.gatewayUrl, context.databaseUrl);
    log(`  tenant ${TENANT} logs in against it; ${USERNAME} logged in through the gateway once`);
    const directory = slapd;
    const slapdPidsNow = (): Promise<number[]> => directory.pids();
    const ldapLoginBare = await context.measure(
      'LDAP logins, bare search-then-bind',
      () => bareLoop(context, directory.url),
      slapdPidsNow,
    );
    const ldapLoginGateway = await context.measure(
      'LDAP logins, gateway',
      () =>
        context.load({
          url: `${context.gatewayUrl}/api/v1/auth/login`,
          connections: context.connections,
          seconds: context.seconds,
          method: 'POST',
          body: JSON.stringify({ username: USERNAME, password: PASSWORD }),
        }),
      slapdPidsNow,
    );
    return { ldapLoginBare, ldapLoginGateway };
  } catch (error: unknown) {
    log(`  LDAP logins could not be measured: ${messageOf(error)}`);
    const failed = { status: 'error' as const, error: messageOf(error) };
    return { ldapLoginBare: failed, ldapLoginGateway: failed };
  } finally {
    if (slapd) {
      // Now rather than at the end of the run, so it does not sit beside the drift check; the
      // run's teardown tries again if this fails.
      await slapd
        .destroy()
        .then(() => log('  throwaway slapd stopped and removed'))
        .catch((error: unknown) => log(`  could not stop the slapd yet: ${messageOf(error)}`));
    }
  }
}
