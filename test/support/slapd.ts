/**
 * Throwaway OpenLDAP servers for medium/e2e tests: `startSlapd()` runs a real slapd (back_mdb,
 * suffix dc=example,dc=com) on free loopback ports with LDAP, StartTLS and LDAPS, loaded with the
 * test directory (test/fixtures/ldap/test-directory.ldif). Nothing has to be started by hand:
 * the first call runs scripts/ldap/ensure-slapd.sh, which installs slapd/ldap-utils if missing.
 *
 * The heavy lifting (CA + server certificate, slapd.conf, slapadd) is done by
 * scripts/ldap/start-slapd.sh, which then execs slapd in the foreground as our child process.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface SlapdInstance {
  /** ldap://127.0.0.1:PORT (StartTLS available) */
  url: string;
  /** ldaps://127.0.0.1:LDAPS_PORT */
  ldapsUrl: string;
  port: number;
  ldapsPort: number;
  baseDN: string;
  adminDN: string;
  adminPassword: string;
  /** PEM of the CA generated for this instance (signs the server certificate). */
  caCertPath: string;
  /** Temp folder holding config, certificates and data. */
  dir: string;
  /** SIGTERM, wait for exit; keeps the data so start() can resume. */
  stop(): Promise<void>;
  /** Restarts on the same ports with the same data (no-op when running). */
  start(): Promise<void>;
  /** Stops and removes the temp folder. Idempotent. */
  destroy(): Promise<void>;
}

export interface StartSlapdOptions {
  /** LDIF loaded with slapadd before the first start. Default: the test directory. */
  ldifPath?: string;
  /** How long to wait for slapd to answer an ldapsearch. Default 15 s. */
  startTimeoutMs?: number;
}

const REPO_ROOT = resolve(__dirname, '..', '..');
const SCRIPTS_DIR = join(REPO_ROOT, 'scripts', 'ldap');

/** The default LDIF: 25 users, 4 groups; see the header of the file. */
export const TEST_DIRECTORY_LDIF = join(
  REPO_ROOT,
  'test',
  'fixtures',
  'ldap',
  'test-directory.ldif',
);
export const TEST_BASE_DN = 'dc=example,dc=com';
export const TEST_ADMIN_DN = `cn=admin,${TEST_BASE_DN}`;
export const TEST_ADMIN_PASSWORD = 'admin-secret';

/** Password rule of the test directory: every user's password is `Passw0rd!<uid>`. */
export function testUserPassword(uid: string): string {
  return `Passw0rd!${uid}`;
}

const DEFAULT_START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 15_000;
const ENSURE_TIMEOUT_MS = 15 * 60_000;
const LOG_LIMIT = 32_000;
/** slapd and slapadd live in /usr/sbin, not on a normal user's PATH on Debian. */
const TOOL_PATH = `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/local/sbin:/usr/sbin:/sbin`;

let ensured: Promise<string> | undefined;

/**
 * Runs scripts/ldap/ensure-slapd.sh once per process (per test file under jest's module
 * registry; it takes milliseconds when everything is installed). Resolves with its report line.
 */
export function ensureSlapd(): Promise<string> {
  ensured ??= new Promise<string>((resolvePromise, reject) => {
    execFile(
      'bash',
      [join(SCRIPTS_DIR, 'ensure-slapd.sh')],
      { timeout: ENSURE_TIMEOUT_MS, env: { ...process.env, PATH: TOOL_PATH } },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`ensure-slapd.sh failed: ${error.message}\n${stdout}${stderr}`));
        } else {
          resolvePromise(stdout.trim());
        }
      },
    );
  });
  const attempt = ensured;
  // A failed attempt is not cached, so a later test may retry.
  attempt.catch(() => {
    if (ensured === attempt) ensured = undefined;
  });
  return attempt;
}

const DIR_PREFIX = 'gatehouse-slapd-';
const OWNER_FILE = 'owner.pid';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let swept = false;

/**
 * Removes the temp folders of test processes that died without destroy() (slapd itself gets
 * SIGTERM when its parent dies; a survivor whose command line names the folder is killed here).
 */
async function sweepStaleDirs(): Promise<void> {
  if (swept) return;
  swept = true;
  const root = tmpdir();
  const names = await readdir(root).catch((): string[] => []);
  await Promise.all(
    names
      .filter((name) => name.startsWith(DIR_PREFIX))
      .map(async (name) => {
        const dir = join(root, name);
        try {
          const owner = Number((await readFile(join(dir, OWNER_FILE), 'utf8')).trim());
          if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) return;
          const slapdPid = Number(
            (await readFile(join(dir, 'slapd.pid'), 'utf8').catch(() => '')).trim(),
          );
          if (Number.isInteger(slapdPid) && slapdPid > 0 && isAlive(slapdPid)) {
            const cmdline = await readFile(`/proc/${slapdPid}/cmdline`, 'utf8').catch(() => '');
            if (cmdline.includes(dir)) process.kill(slapdPid, 'SIGKILL');
          }
          await rm(dir, { recursive: true, force: true });
        } catch {
          // not one of ours, or removed concurrently
        }
      }),
  );
}

/** Two distinct ports that were free on 127.0.0.1 a moment ago (bind to 0, read, close). */
async function freePorts(): Promise<[number, number]> {
  const servers = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<Server>((resolvePromise, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolvePromise(server));
        }),
    ),
  );
  const [first, second] = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    return address.port;
  });
  await Promise.all(
    servers.map(
      (server) => new Promise<void>((resolvePromise) => server.close(() => resolvePromise())),
    ),
  );
  return [first, second];
}

function delay(ms: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}

/** One anonymous base search of the root DSE; true when slapd answers. */
function answers(url: string): Promise<boolean> {
  return new Promise((resolvePromise) => {
    execFile(
      'ldapsearch',
      ['-x', '-LLL', '-o', 'nettimeout=2', '-H', url, '-b', '', '-s', 'base', 'namingContexts'],
      { timeout: 5_000, env: { ...process.env, PATH: TOOL_PATH } },
      (error) => resolvePromise(error === null),
    );
  });
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

/**
 * Running instances, SIGKILLed (and their folders removed) if a plain Node process exits without
 * destroy(). Under jest this hook does not fire (jest hands tests a copy of `process`); there
 * slapd's parent-death signal (start-slapd.sh) stops it and the next startSlapd() sweeps the folder.
 */
const live = new Set<SlapdServer>();
let exitHookInstalled = false;
function track(instance: SlapdServer): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const running of live) running.killSync();
    });
  }
  live.add(instance);
}

class SlapdServer implements SlapdInstance {
  readonly baseDN = TEST_BASE_DN;
  readonly adminDN = TEST_ADMIN_DN;
  readonly adminPassword = TEST_ADMIN_PASSWORD;
  readonly caCertPath: string;
  private child: ChildProcess | null = null;
  private exited: Promise<Exit> = Promise.resolve({ code: null, signal: null });
  private log = '';
  private destroyed = false;

  constructor(
    readonly dir: string,
    private ports: [number, number],
    private readonly ldifPath: string,
    private readonly startTimeoutMs: number,
  ) {
    this.caCertPath = join(dir, 'tls', 'ca.crt');
  }

  get port(): number {
    return this.ports[0];
  }

  get ldapsPort(): number {
    return this.ports[1];
  }

  /** Only before the first successful start (port taken by somebody else meanwhile). */
  movePorts(ports: [number, number]): void {
    if (this.child) throw new Error('cannot move the ports of a running slapd');
    this.ports = ports;
  }

  get url(): string {
    return `ldap://127.0.0.1:${this.port}`;
  }

  get ldapsUrl(): string {
    return `ldaps://127.0.0.1:${this.ldapsPort}`;
  }

  /** The last lines slapd (and start-slapd.sh) wrote to stdout/stderr. */
  get output(): string {
    return this.log;
  }

  async start(): Promise<void> {
    if (this.destroyed) throw new Error(`slapd instance in ${this.dir} was destroyed`);
    if (this.child) return;
    this.log = '';
    const child = spawn(
      'bash',
      [
        join(SCRIPTS_DIR, 'start-slapd.sh'),
        '--dir',
        this.dir,
        '--port',
        String(this.port),
        '--ldaps-port',
        String(this.ldapsPort),
        '--ldif',
        this.ldifPath,
        '--foreground',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, PATH: TOOL_PATH, LDAP_ADMIN_PASSWORD: this.adminPassword },
      },
    );
    const append = (chunk: Buffer): void => {
      this.log = (this.log + chunk.toString('utf8')).slice(-LOG_LIMIT);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    // A forgotten destroy() must not keep the test process alive (see `live` for the cleanup).
    child.unref();
    for (const stream of [child.stdout, child.stderr]) {
      if (stream instanceof Socket) stream.unref();
    }
    const state = { exited: false };
    this.exited = new Promise<Exit>((resolvePromise) => {
      child.once('error', (error) => {
        state.exited = true;
        resolvePromise({ code: null, signal: null, error });
      });
      child.once('exit', (code, signal) => {
        state.exited = true;
        resolvePromise({ code, signal });
      });
    });
    this.child = child;
    track(this);

    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      if (state.exited) {
        const exit = await this.exited;
        this.child = null;
        live.delete(this);
        throw new Error(
          `slapd exited during startup (code ${exit.code}, signal ${exit.signal}` +
            `${exit.error ? `, ${exit.error.message}` : ''}) on ${this.url}:\n${this.log}`,
        );
      }
      if (await answers(this.url)) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `slapd did not answer on ${this.url} within ${this.startTimeoutMs} ms:\n${this.log}`,
        );
      }
      await delay(100);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      this.exited.then(() => true),
      new Promise<false>((resolvePromise) => {
        timer = setTimeout(() => resolvePromise(false), STOP_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (!stopped) {
      child.kill('SIGKILL');
      await this.exited;
    }
    this.child = null;
    live.delete(this);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    await this.stop();
    this.destroyed = true;
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Last resort on process exit: synchronous kill and cleanup. */
  killSync(): void {
    if (this.child?.pid !== undefined) {
      try {
        process.kill(this.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Starts a fresh slapd with its own temp folder, CA and free ports; waits until it answers.
 * Always call destroy() (e.g. in afterAll).
 */
export async function startSlapd(opts: StartSlapdOptions = {}): Promise<SlapdInstance> {
  await ensureSlapd();
  const ldifPath = resolve(opts.ldifPath ?? TEST_DIRECTORY_LDIF);
  const startTimeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  await sweepStaleDirs();
  const dir = await mkdtemp(join(tmpdir(), DIR_PREFIX));
  await writeFile(join(dir, OWNER_FILE), `${process.pid}\n`);
  const server = new SlapdServer(dir, await freePorts(), ldifPath, startTimeoutMs);
  // Another process may grab a port between freePorts() and slapd's bind: retry on new ports.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await server.start();
      return server;
    } catch (error) {
      if (attempt >= 3 || !server.output.includes('Address already in use')) {
        await server.destroy();
        throw error;
      }
      server.movePorts(await freePorts());
    }
  }
}

/** An OpenLDAP client tool (`ldapadd`, `ldapmodify`, `ldapsearch`, `ldapmodrdn`, `ldapdelete`)
 *  against `slapd` as its admin; `input` is LDIF on stdin. Answers stdout; rejects with the tool's
 *  output when it fails. Bounded by 60 s. */
export function ldapTool(
  slapd: SlapdInstance,
  tool: string,
  args: string[],
  input?: string,
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      tool,
      ['-x', '-H', slapd.url, '-D', TEST_ADMIN_DN, '-w', TEST_ADMIN_PASSWORD, ...args],
      { timeout: 60000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${tool} failed: ${stderr || stdout || error.message}`));
        else resolvePromise(stdout);
      },
    );
    child.stdin?.end(input);
  });
}

/** Applies an LDIF change (`changetype: modify`, `add`, …) to `slapd` with `ldapmodify`. */
export async function ldapModify(slapd: SlapdInstance, ldif: string): Promise<void> {
  await ldapTool(slapd, 'ldapmodify', [], ldif);
}
