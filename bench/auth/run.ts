/** `npm run bench:auth`: the auth gateway's throughput and latency against a bare Node server
 *  measured in the same run, on a stack of its own (redis-server, a gh_bench_* database,
 *  auth-gateway and ldap-sync as processes), with autocannon and an RPC load script as separate
 *  processes on loopback. Prints a table with each figure, its target and PASS/MISS, writes the
 *  results as JSON (.tmp/bench-auth.json), and tears everything down, also on error or Ctrl-C.
 *
 *  Exit code: 0 whatever the figures (a MISS is a finding, not a failure); 1 when the harness could
 *  not set up, measure or clean up. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type LoadResult, type LoadSpec, runAutocannon } from './autocannon';
import { measureLdapLogins } from './ldap-login';
import {
  assessNoise,
  buildRows,
  type Environment,
  formatTable,
  type Measured,
  type Measurements,
  TARGETS,
} from './report';
import type { RpcLoadResult } from './rpc-load';
import { type BenchSettings, type Phase, readSettings } from './settings';
import { batchBody, startStack, type Stack, userInfoPath, VALIDATE_PATH } from './stack';
import {
  CpuMeter,
  isRecord,
  lastJsonObject,
  messageOf,
  othersBusyPercent,
  repoRoot,
  runNode,
  SetupError,
  Teardown,
} from './support';

function log(message: string): void {
  process.stdout.write(`bench:auth: ${message}\n`);
}

/** Runs one phase, with the CPU others used meanwhile (the noise in its figures). `extraPids`:
 *  more processes working for the phase that are not our children (a detached slapd). */
async function measure<T>(
  stack: Stack,
  what: string,
  work: () => Promise<T>,
  extraPids: () => Promise<number[]> = () => Promise.resolve([]),
): Promise<Measured<T>> {
  log(`measuring ${what}`);
  const helpers = async (): Promise<number[]> => [
    ...(await stack.helperPids()),
    ...(await extraPids()),
  ];
  const meter = CpuMeter.start(await helpers());
  try {
    const result = await work();
    const cpu = meter?.stop(await helpers());
    if (cpu) log(`  others used ${cpu.othersPercent}% of the CPU meanwhile`);
    return { status: 'ok', result, ...(cpu ? { cpu } : {}) };
  } catch (error: unknown) {
    log(`  ${what} could not be measured: ${messageOf(error)}`);
    return { status: 'error', error: messageOf(error) };
  }
}

/** A warm-up run (discarded), then the measured one, both from autocannon's own process. */
async function load(stack: Stack, settings: BenchSettings, spec: LoadSpec): Promise<LoadResult> {
  if (settings.warmupSeconds > 0 && spec.amount === undefined) {
    await runAutocannon(stack.root, { ...spec, seconds: settings.warmupSeconds });
  }
  const result = await runAutocannon(stack.root, spec);
  log(
    `  ${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
      `${result.ok} ok, ${result.non2xx} non-2xx, ${result.errors} errors`,
  );
  return result;
}

async function rpcLoad(stack: Stack, settings: BenchSettings): Promise<RpcLoadResult> {
  const script = join(__dirname, 'rpc-load.js');
  const output = await runNode(
    [script],
    {
      ...process.env,
      BENCH_REDIS_URL: stack.redisUrl,
      BENCH_TOKEN: stack.token,
      BENCH_RPC_CONCURRENCY: String(settings.rpcConcurrency),
      BENCH_RPC_SECONDS: String(settings.seconds),
      BENCH_RPC_WARMUP_SECONDS: String(settings.warmupSeconds),
    },
    (settings.seconds + settings.warmupSeconds + 60) * 1000,
  );
  const json = lastJsonObject(output.stdout);
  if (output.code !== 0 || !json || !isRpcLoadResult(json)) {
    throw new SetupError(
      `rpc-load exited with ${output.code}: ${output.stderr.trim().slice(-400) || 'no result'}`,
    );
  }
  log(
    `  ${json.requestsPerSecond} req/s, p50 ${json.p50Ms} ms, p99 ${json.p99Ms} ms, ` +
      `${json.ok} ok, ${json.errors} errors`,
  );
  return json;
}

function isRpcLoadResult(
  value: Record<string, unknown>,
): value is Record<string, unknown> & RpcLoadResult {
  return ['requestsPerSecond', 'ok', 'errors', 'p50Ms', 'p99Ms', 'concurrency'].every(
    (key) => typeof value[key] === 'number',
  );
}

/** `measure`, unless BENCH_ONLY leaves `phase` out. */
function measureIf<T>(
  settings: BenchSettings,
  phase: Phase,
  stack: Stack,
  what: string,
  work: () => Promise<T>,
): Promise<Measured<T>> {
  if (!settings.only.has(phase)) return Promise.resolve({ status: 'skipped' });
  return measure(stack, what, work);
}

async function measureAll(
  stack: Stack,
  settings: BenchSettings,
  teardown: Teardown,
): Promise<Measurements> {
  const auth = { Authorization: `Bearer ${stack.token}` };
  const c = settings.connections;
  const s = settings.seconds;
  const validate = (base: string): LoadSpec => ({
    url: `${base}${VALIDATE_PATH}`,
    connections: c,
    seconds: s,
    headers: auth,
  });

  const httpValidateBare = await measureIf(
    settings,
    'validate',
    stack,
    'HTTP validation, bare server',
    () => load(stack, settings, validate(stack.bareUrl)),
  );
  const httpValidateGateway = await measureIf(
    settings,
    'validate',
    stack,
    'HTTP validation, gateway',
    () => load(stack, settings, validate(stack.gatewayUrl)),
  );
  const rpcValidate = await measureIf(settings, 'rpc', stack, 'RPC auth.validateToken', () =>
    rpcLoad(stack, settings),
  );
  const userInfo = await measureIf(settings, 'user-info', stack, 'user-info single lookups', () =>
    load(stack, settings, {
      url: `${stack.gatewayUrl}${userInfoPath(stack.userIds)}`,
      connections: c,
      seconds: s,
      headers: auth,
    }),
  );
  const usersInfoBatch = await measureIf(
    settings,
    'batch',
    stack,
    'users-info 1,000-id batch',
    async () => {
      const spec: LoadSpec = {
        url: `${stack.gatewayUrl}/api/v1/tts/users-info/`,
        connections: 1,
        method: 'POST',
        headers: auth,
        body: batchBody(stack.userIds),
      };
      await runAutocannon(stack.root, { ...spec, amount: 5 });
      return load(stack, settings, { ...spec, amount: settings.batchRequests });
    },
  );
  const localLogin = await measureIf(settings, 'local-login', stack, 'local-password logins', () =>
    load(stack, settings, {
      url: `${stack.gatewayUrl}/api/v1/auth/login`,
      connections: settings.loginConnections,
      seconds: s,
      method: 'POST',
      body: JSON.stringify({ username: stack.admin.username, password: stack.admin.password }),
    }),
  );
  const skipped = { status: 'skipped' } as const;
  const { ldapLoginBare, ldapLoginGateway } = !settings.only.has('ldap-login')
    ? { ldapLoginBare: skipped, ldapLoginGateway: skipped }
    : await measureLdapLogins({
        root: stack.root,
        gatewayUrl: stack.gatewayUrl,
        databaseUrl: stack.databaseUrl,
        secretKeys: stack.secretKeys,
        seconds: s,
        warmupSeconds: settings.warmupSeconds,
        connections: settings.loginConnections,
        teardown,
        log,
        measure: (what, work, extraPids) => measure(stack, what, work, extraPids),
        load: (spec) => load(stack, settings, spec),
      });
  const httpValidateBareAgain = await measureIf(
    settings,
    'validate',
    stack,
    'HTTP validation, bare server again (drift check)',
    () => load(stack, settings, validate(stack.bareUrl)),
  );
  return {
    httpValidateBare,
    httpValidateGateway,
    rpcValidate,
    userInfo,
    usersInfoBatch,
    localLogin,
    ldapLoginBare,
    ldapLoginGateway,
    httpValidateBareAgain,
  };
}

function writeResults(path: string, results: Record<string, unknown>): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
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
    `${settings.seconds} s per phase after ${settings.warmupSeconds} s warm-up, ` +
      `${settings.connections} connections, ${settings.rpcConcurrency} RPC in flight, ` +
      `${settings.loginConnections} login connections`,
  );
  const loadAverageBefore = loadavg();
  const busyBeforePercent = await othersBusyPercent(2000);
  log(`others' share of the CPU before the run: ${busyBeforePercent ?? '?'}%`);

  let measurements: Measurements;
  try {
    const stack = await startStack(root, settings, teardown, log);
    measurements = await measureAll(stack, settings, teardown);
  } catch (error: unknown) {
    log(`setup failed: ${messageOf(error)}`);
    const failures = await teardown.runAll();
    for (const failure of failures) log(`teardown: ${failure}`);
    log(`app logs: ${join(root, '.tmp', 'bench-logs')}`);
    return 1;
  }
  log('tearing down');
  const teardownFailures = await teardown.runAll();
  for (const failure of teardownFailures) log(`teardown: ${failure}`);
  const busyAfterPercent = await othersBusyPercent(1000);
  const environment: Environment = {
    cpus: cpus().length,
    busyBeforePercent,
    busyAfterPercent,
    loadAverageBefore,
    loadAverageAfter: loadavg(),
  };

  const rows = buildRows(measurements, settings);
  const noise = assessNoise(measurements, environment);
  const output = resolve(root, settings.output);
  writeResults(output, {
    startedAt,
    finishedAt: new Date().toISOString(),
    node: process.version,
    settings: { ...settings, postgresAdminUrl: undefined, only: [...settings.only] },
    environment,
    noise,
    targets: TARGETS,
    measurements,
    checks: rows,
  });

  process.stdout.write(`\n${formatTable(rows)}\n\n`);
  process.stdout.write(
    noise.noisy
      ? `NOISY: ${noise.reasons.join('; ')}. Run again on a quiet machine before trusting these.\n`
      : `machine quiet (others' CPU ${busyBeforePercent ?? '?'}% before, ${busyAfterPercent ?? '?'}% after; ` +
          `baseline drift ${((noise.baselineDrift ?? 0) * 100).toFixed(0)}%)\n`,
  );
  const missed = rows.filter((row) => row.verdict === 'MISS').length;
  const errors = rows.filter((row) => row.verdict === 'ERROR').length;
  process.stdout.write(
    `${rows.filter((row) => row.verdict === 'PASS').length} PASS, ${missed} MISS, ${errors} ERROR, ` +
      `${rows.filter((row) => row.verdict === 'SKIP').length} SKIP; results in ${output}\n`,
  );
  const measurementErrors = Object.values(measurements).some(
    (entry) => isRecord(entry) && entry.status === 'error',
  );
  return measurementErrors || teardownFailures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${messageOf(error)}`);
    process.exit(1);
  },
);
