/** `npm run bench:ldap-sync`: the directory sync at issue #4's scale. It generates a directory of
 *  100,000 users and 1,000 groups of 100 members, loads it with slapadd into a throwaway slapd,
 *  starts a private redis-server, a `gh_bench_*` database, ldap-sync and auth-gateway as processes,
 *  and measures in one run:
 *    (a) the baseline: ldapsearch paged dump of the sync's attributes | psql \copy;
 *    (b) a full sync into the empty database; (c) the same with nothing changed;
 *    (d) an incremental sync (`?mode=incremental`, what a scheduled run between full runs does)
 *        after 1% of the users were changed with ldapmodify, and a full sync after another 1%;
 *  and the peak RSS of the ldap-sync process (VmHWM). Each sync is started like production starts
 *  it (POST /api/v1/ldap/sync-users through the gateway) and timed to the end of its run record.
 *  Prints each figure with its ratio to the baseline and PASS/MISS; JSON in
 *  .tmp/bench-ldap-sync.json. Exit 0 whatever the figures; 1 when the harness failed. */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { sweepStale, ThrowawaySlapd } from '../auth/ldap-login';
import {
  CpuMeter,
  type CpuShare,
  messageOf,
  othersBusyPercent,
  repoRoot,
  SetupError,
  Teardown,
} from '../auth/support';
import { measureBaseline } from './baseline';
import {
  BASE_DN,
  changeLdif,
  type DirectoryShape,
  GROUPS_BASE,
  USERS_BASE,
  writeDirectoryLdif,
} from './directory';
import { formatTable, ratioOf, row, seconds, SYNC_TARGETS, type SyncRow } from './report';
import { LDAP_SYNC_MEMORY_LIMIT_MIB } from './memory-limit';
import { startSyncStack, type SyncStack } from './stack';
import { memoryOf, resetPeak, runSync, type SyncRunResult, userCounts } from './sync-run';

const ADMIN_DN = `cn=admin,${BASE_DN}`;
const ADMIN_PASSWORD = 'admin-secret';

function log(message: string): void {
  process.stdout.write(`bench:ldap-sync: ${message}\n`);
}

function intFrom(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SetupError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

interface Settings {
  shape: DirectoryShape;
  changed: number;
  pageSize: number;
  batchSize: number;
  timeoutMs: number;
  memoryLimitMib: number;
  postgresAdminUrl: string;
  output: string;
}

function readSettings(): Settings {
  const users = intFrom('BENCH_SYNC_USERS', 100_000, 100, 1_000_000);
  return {
    shape: {
      users,
      groups: intFrom('BENCH_SYNC_GROUPS', 1000, 1, 100_000),
      membersPerGroup: intFrom('BENCH_SYNC_GROUP_MEMBERS', 100, 1, 10_000),
    },
    changed: intFrom('BENCH_SYNC_CHANGED', Math.max(1, Math.round(users / 100)), 1, users),
    // The app's defaults (LDAP_SYNC_PAGE_SIZE, LDAP_SYNC_BATCH_SIZE) unless overridden.
    pageSize: intFrom('BENCH_SYNC_PAGE_SIZE', 1000, 1, 5000),
    batchSize: intFrom('BENCH_SYNC_BATCH_SIZE', 1000, 1, 1000),
    timeoutMs: intFrom('BENCH_SYNC_TIMEOUT_SECONDS', 300, 10, 3600) * 1000,
    memoryLimitMib: intFrom('BENCH_SYNC_MEMORY_LIMIT_MIB', LDAP_SYNC_MEMORY_LIMIT_MIB, 0, 65536),
    postgresAdminUrl:
      process.env.BENCH_POSTGRES_URL ??
      process.env.TEST_POSTGRES_URL ??
      'postgres://postgres@127.0.0.1:5432/postgres',
    output: process.env.BENCH_OUTPUT ?? '.tmp/bench-ldap-sync.json',
  };
}

interface Phase<T> {
  result: T;
  cpu?: CpuShare;
}

/** Runs one measured phase with the CPU others used meanwhile. */
async function phase<T>(
  what: string,
  work: () => Promise<T>,
  ownPids: () => Promise<number[]>,
): Promise<Phase<T>> {
  log(`measuring ${what}`);
  const meter = CpuMeter.start(await ownPids());
  const result = await work();
  const cpu = meter?.stop(await ownPids());
  if (cpu) log(`  others used ${cpu.othersPercent}% of the CPU meanwhile`);
  return { result, ...(cpu ? { cpu } : {}) };
}

function ldapModify(url: string, passwordFile: string, ldif: string, timeoutMs: number) {
  return new Promise<void>((resolvePromise, reject) => {
    const child = execFile(
      'ldapmodify',
      ['-x', '-H', url, '-D', ADMIN_DN, '-y', passwordFile, '-o', 'nettimeout=10'],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) reject(new SetupError(`ldapmodify failed: ${stderr.slice(-400)}`));
        else resolvePromise();
      },
    );
    child.stdin?.end(ldif);
  });
}

function describeRun(run: SyncRunResult): string {
  return (
    `run ${run.runId} ${run.status} in ${seconds(run.ms)}: ${run.entriesRead} read, ` +
    `${run.newUsers} new, ${run.updatedUsers} updated, ${run.deletedUsers} deactivated, ` +
    `${run.failedUsers} failed${run.error ? ` (${run.error})` : ''}`
  );
}

/** A run that did not do what the phase is about measures nothing: fail the harness. */
function expectRun(run: SyncRunResult, what: string, expected: Partial<SyncRunResult>): void {
  log(`  ${describeRun(run)}`);
  const wrong = Object.entries(expected).filter(
    ([key, value]) => run[key as keyof SyncRunResult] !== value,
  );
  if (wrong.length > 0) {
    throw new SetupError(
      `${what}: expected ${wrong.map(([key, value]) => `${key}=${String(value)}`).join(', ')}; got ${describeRun(run)}`,
    );
  }
}

interface Figures {
  baselineMs: number;
  full: Phase<SyncRunResult>;
  unchanged: Phase<SyncRunResult>;
  changed: Phase<SyncRunResult>;
  changedFull: Phase<SyncRunResult>;
  baselineCpu?: CpuShare;
  peakRssMb?: number;
  idleRssMb?: number;
  phasePeaks?: Record<string, number>;
}

async function measureAll(root: string, settings: Settings, teardown: Teardown): Promise<Figures> {
  const { shape } = settings;
  await sweepStale(log);
  const slapd = await ThrowawaySlapd.create(teardown);
  const ldif = join(slapd.dir, 'bench-directory.ldif');
  const generated = Date.now();
  await writeDirectoryLdif(ldif, shape);
  log(
    `directory of ${shape.users} users and ${shape.groups} groups (${shape.membersPerGroup} ` +
      `members each) written in ${seconds(Date.now() - generated)}`,
  );
  const loaded = Date.now();
  await slapd.start(root, log, ldif, 600_000);
  log(`  slapadd and start took ${seconds(Date.now() - loaded)}`);
  const passwordFile = join(slapd.dir, 'admin.password');

  const stack: SyncStack = await startSyncStack({
    root,
    postgresAdminUrl: settings.postgresAdminUrl,
    ldapUrl: slapd.url,
    adminDn: ADMIN_DN,
    adminPassword: ADMIN_PASSWORD,
    usersBase: USERS_BASE,
    groupsBase: GROUPS_BASE,
    pageSize: settings.pageSize,
    batchSize: settings.batchSize,
    memoryLimitMib: settings.memoryLimitMib,
    teardown,
    log,
  });
  const ownPids = async (): Promise<number[]> => [
    ...(await stack.backendPids()),
    ...(await slapd.pids()),
  ];

  const baseline = await phase(
    '(a) baseline: ldapsearch paged dump | psql \\copy',
    () =>
      measureBaseline({
        root,
        ldapUrl: slapd.url,
        adminDn: ADMIN_DN,
        passwordFile,
        usersBase: USERS_BASE,
        filter: '(uid=*)',
        pageSize: settings.pageSize,
        databaseUrl: stack.databaseUrl,
        timeoutMs: settings.timeoutMs,
      }),
    ownPids,
  );
  log(`  ${baseline.result.rows} rows in ${seconds(baseline.result.ms)}`);
  if (baseline.result.rows !== shape.users) {
    throw new SetupError(`the baseline copied ${baseline.result.rows} rows, not ${shape.users}`);
  }

  const pid = stack.ldapSync.pid;
  const idle = pid === undefined ? undefined : memoryOf(pid);
  if (idle) log(`ldap-sync (pid ${pid}) idle: RSS ${idle.currentMb.toFixed(0)} MB`);
  const phasePeaks: Record<string, number> = {};
  /** One sync, with the peak RSS of ldap-sync during it (VmHWM reset before, where allowed). */
  const sync = async (mode: 'full' | 'incremental' = 'full'): Promise<SyncRunResult> => {
    const resettable = pid !== undefined && resetPeak(pid);
    const result = await runSync(
      stack.gatewayUrl,
      stack.token,
      stack.databaseUrl,
      settings.timeoutMs,
      mode,
    );
    const memory = pid === undefined ? undefined : memoryOf(pid);
    if (memory && resettable) {
      phasePeaks[`run ${result.runId}`] = memory.peakMb;
      log(`  ldap-sync peak RSS during run ${result.runId}: ${memory.peakMb.toFixed(0)} MB`);
    }
    return result;
  };
  const full = await phase('(b) full sync into an empty database', () => sync(), ownPids);
  expectRun(full.result, '(b)', { status: 'succeeded', newUsers: shape.users, failedUsers: 0 });
  const counts = await userCounts(stack.databaseUrl);
  if (counts.active !== shape.users) {
    throw new SetupError(`after (b) ${counts.active} users are active, not ${shape.users}`);
  }
  const unchanged = await phase('(c) full sync, nothing changed', () => sync(), ownPids);
  expectRun(unchanged.result, '(c)', {
    status: 'succeeded',
    newUsers: 0,
    updatedUsers: 0,
    deletedUsers: 0,
  });

  // (d) as a run between full runs makes it: incremental, reading the entries whose
  // modifyTimestamp is past the last successful run; then the same change once more, read by a
  // full run (what a manual sync without ?mode does).
  const changeAndSync = async (round: number, mode: 'full' | 'incremental') => {
    const modified = Date.now();
    await ldapModify(slapd.url, passwordFile, changeLdif(shape, settings.changed, round), 300_000);
    log(`${settings.changed} entries changed with ldapmodify in ${seconds(Date.now() - modified)}`);
    const what = `(d) ${mode} sync after ${settings.changed} users changed`;
    const measured = await phase(what, () => sync(mode), ownPids);
    expectRun(measured.result, what, {
      status: 'succeeded',
      mode,
      newUsers: 0,
      updatedUsers: settings.changed,
      deletedUsers: 0,
      ...(mode === 'incremental' ? { entriesRead: settings.changed } : {}),
    });
    return measured;
  };
  const changed = await changeAndSync(1, 'incremental');
  const changedFull = await changeAndSync(2, 'full');
  const memory = pid === undefined ? undefined : memoryOf(pid);
  const peakMb = Math.max(memory?.peakMb ?? 0, idle?.peakMb ?? 0, ...Object.values(phasePeaks));
  if (memory)
    log(
      `ldap-sync (pid ${pid}): peak RSS ${peakMb.toFixed(0)} MB, now ${memory.currentMb.toFixed(0)} MB`,
    );
  return {
    baselineMs: baseline.result.ms,
    ...(baseline.cpu ? { baselineCpu: baseline.cpu } : {}),
    full,
    unchanged,
    changed,
    changedFull,
    ...(memory ? { peakRssMb: peakMb, idleRssMb: idle?.currentMb, phasePeaks } : {}),
  };
}

function buildRows(figures: Figures, settings: Settings): SyncRow[] {
  const base = figures.baselineMs;
  const { full, unchanged, changed, changedFull } = figures;
  return [
    row(
      `(a) baseline: ldapsearch + psql \\copy of ${settings.shape.users} users`,
      seconds(base),
      '1.00×',
      '—',
      undefined,
      figures.baselineCpu,
    ),
    row(
      '(b) full sync, empty database',
      seconds(full.result.ms),
      ratioOf(full.result.ms, base),
      `≤ ${SYNC_TARGETS.fullRatio}× and < ${seconds(SYNC_TARGETS.fullMs)}`,
      full.result.ms <= base * SYNC_TARGETS.fullRatio && full.result.ms < SYNC_TARGETS.fullMs,
      full.cpu,
    ),
    row(
      '(c) full sync, nothing changed',
      seconds(unchanged.result.ms),
      ratioOf(unchanged.result.ms, base),
      `< ${seconds(SYNC_TARGETS.unchangedMs)}`,
      unchanged.result.ms < SYNC_TARGETS.unchangedMs,
      unchanged.cpu,
    ),
    row(
      `(d) sync after ${settings.changed} users changed (incremental)`,
      seconds(changed.result.ms),
      ratioOf(changed.result.ms, base),
      `< ${seconds(SYNC_TARGETS.changedMs)}`,
      changed.result.ms < SYNC_TARGETS.changedMs,
      changed.cpu,
    ),
    row(
      `    the same change read by a full run`,
      seconds(changedFull.result.ms),
      ratioOf(changedFull.result.ms, base),
      '—',
      undefined,
      changedFull.cpu,
    ),
    figures.peakRssMb === undefined
      ? { figure: 'peak RSS of ldap-sync', measured: '?', ratio: '—', target: '', verdict: 'ERROR' }
      : row(
          'peak RSS of ldap-sync (VmHWM)',
          `${figures.peakRssMb.toFixed(0)} MB`,
          '—',
          `< ${SYNC_TARGETS.peakRssMb} MB`,
          figures.peakRssMb < SYNC_TARGETS.peakRssMb,
        ),
  ];
}

async function main(): Promise<number> {
  const startedAt = new Date().toISOString();
  const root = repoRoot();
  const settings = readSettings();
  const teardown = new Teardown();
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: tearing down`);
    void teardown.runAll().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  log(
    `${settings.shape.users} users, ${settings.shape.groups} groups, page size ${settings.pageSize}, ` +
      `batch size ${settings.batchSize}`,
  );
  const loadAverageBefore = loadavg();
  const busyBeforePercent = await othersBusyPercent(2000);
  log(`others' share of the CPU before the run: ${busyBeforePercent ?? '?'}%`);

  let figures: Figures;
  try {
    figures = await measureAll(root, settings, teardown);
  } catch (error: unknown) {
    log(`failed: ${messageOf(error)}`);
    for (const failure of await teardown.runAll()) log(`teardown: ${failure}`);
    log(`app logs: ${join(root, '.tmp', 'bench-logs')}`);
    return 1;
  }
  log('tearing down');
  const teardownFailures = await teardown.runAll();
  for (const failure of teardownFailures) log(`teardown: ${failure}`);
  const rows = buildRows(figures, settings);
  const output = resolve(root, settings.output);
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(
    output,
    `${JSON.stringify(
      {
        startedAt,
        finishedAt: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        loadAverageBefore,
        loadAverageAfter: loadavg(),
        busyBeforePercent,
        settings: { ...settings, postgresAdminUrl: undefined },
        targets: SYNC_TARGETS,
        figures,
        rows,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`\n${formatTable(rows)}\n\n`);
  const noisy = rows.some((each) => (each.othersCpuPercent ?? 0) > 15);
  process.stdout.write(
    `${noisy ? 'NOISY: other work took more than 15% of the CPU during a phase. ' : ''}` +
      `${rows.filter((each) => each.verdict === 'PASS').length} PASS, ` +
      `${rows.filter((each) => each.verdict === 'MISS').length} MISS; results in ${output}\n`,
  );
  return teardownFailures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${messageOf(error)}`);
    process.exit(1);
  },
);
