import type { LoadResult } from './autocannon';
import type { BareLdapLoginResult } from './ldap-login';
import type { RpcLoadResult } from './rpc-load';
import { BATCH_SIZE, type BenchSettings } from './settings';
import { type CpuShare, isRecord } from './support';

/** The targets of the auth issue. They live here, in the benchmark, not in the tests. */
export const TARGETS = {
  httpValidateRps: 5000,
  httpValidateP99Ms: 20,
  httpValidateRatio: 0.6,
  rpcValidateRps: 3000,
  batchP99Ms: 50,
  localLoginsPerSecond: 40,
  /** LDAP logins through the gateway ÷ a bare search-then-bind loop on the same slapd. */
  ldapLoginRatio: 0.5,
} as const;

/** More failed answers than this and a figure does not count as met. */
const MAX_FAILED_FRACTION = 0.01;
/** Others' share of the machine's CPU (all cores, %) above which the figures are called noisy. */
const BUSY_PERCENT = 15;
/** Drift of the baseline between the start and the end of the run above which it is noisy. */
const MAX_BASELINE_DRIFT = 0.15;

/** A phase left out by BENCH_ONLY. */
export interface Skipped {
  status: 'skipped';
}

export type Measured<T> =
  { status: 'ok'; result: T; cpu?: CpuShare } | { status: 'error'; error: string } | Skipped;

type NotMeasured = Exclude<Measured<unknown>, { status: 'ok' }>;

export interface Measurements {
  httpValidateBare: Measured<LoadResult>;
  httpValidateGateway: Measured<LoadResult>;
  rpcValidate: Measured<RpcLoadResult>;
  userInfo: Measured<LoadResult>;
  usersInfoBatch: Measured<LoadResult>;
  localLogin: Measured<LoadResult>;
  ldapLoginBare: Measured<BareLdapLoginResult>;
  ldapLoginGateway: Measured<LoadResult>;
  /** The baseline again at the end of the run, to see whether the machine changed under us. */
  httpValidateBareAgain: Measured<LoadResult>;
}

export type Verdict = 'PASS' | 'MISS' | 'INFO' | 'SKIP' | 'ERROR';

export interface Row {
  figure: string;
  measured: string;
  target: string;
  verdict: Verdict;
  /** Others' share of the CPU while the figure was measured (noise), % of all cores. */
  othersCpuPercent?: number;
  note?: string;
}

export interface Environment {
  cpus: number;
  /** Others' share of the CPU (all cores, %) before setup and after teardown. */
  busyBeforePercent?: number;
  busyAfterPercent?: number;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
}

export interface Noise {
  noisy: boolean;
  reasons: string[];
  baselineDrift?: number;
}

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function rps(value: number, unit = 'req/s'): string {
  return `${int.format(value)} ${unit}`;
}

function failedFraction(result: LoadResult): number {
  const failed = result.non2xx + result.errors + result.timeouts;
  const all = result.ok + failed;
  return all === 0 ? 1 : failed / all;
}

function failureNote(result: LoadResult): string | undefined {
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed === 0) return undefined;
  return `${int.format(failed)} failed answers (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`;
}

function judged(met: boolean, result: LoadResult): Verdict {
  return met && failedFraction(result) <= MAX_FAILED_FRACTION ? 'PASS' : 'MISS';
}

function errorRow(figure: string, target: string, why: string | NotMeasured): Row {
  if (typeof why !== 'string' && why.status === 'skipped') {
    return { figure, measured: 'not measured', target, verdict: 'SKIP', note: 'BENCH_ONLY' };
  }
  const note = typeof why === 'string' ? why : why.error;
  return { figure, measured: 'not measured', target, verdict: 'ERROR', note };
}

/** Two decimals, or three where two would round a miss up to the target (0.597 is not 0.60). */
function ratioText(ratio: number, target: number): string {
  const text = ratio.toFixed(2);
  return `${text === target.toFixed(2) ? ratio.toFixed(3) : text}×`;
}

function latencies(result: { p50Ms: number; p99Ms: number }): string {
  return `p50 ${result.p50Ms} ms · p99 ${result.p99Ms} ms`;
}

export function buildRows(m: Measurements, settings: BenchSettings): Row[] {
  const rows: Row[] = [];
  const others = (measured: Measured<unknown>): number | undefined =>
    measured.status === 'ok' ? measured.cpu?.othersPercent : undefined;
  const c = settings.connections;

  const bare = m.httpValidateBare;
  if (bare.status === 'ok') {
    rows.push({
      figure: `HTTP validate, bare node:http+jose (baseline, ${c} conns)`,
      measured: `${rps(bare.result.requestsPerSecond)} · ${latencies(bare.result)}`,
      target: 'baseline',
      verdict: 'INFO',
      othersCpuPercent: others(bare),
      note: failureNote(bare.result),
    });
  } else rows.push(errorRow('HTTP validate, bare baseline', 'baseline', bare));

  const gateway = m.httpValidateGateway;
  if (gateway.status === 'ok') {
    const g = gateway.result;
    rows.push({
      figure: `HTTP validate, gateway (${c} conns)`,
      measured: `${rps(g.requestsPerSecond)} · p50 ${g.p50Ms} ms`,
      target: `≥ ${rps(TARGETS.httpValidateRps)}`,
      verdict: judged(g.requestsPerSecond >= TARGETS.httpValidateRps, g),
      othersCpuPercent: others(gateway),
      note: failureNote(g),
    });
    rows.push({
      figure: 'HTTP validate, gateway p99',
      measured: `p99 ${g.p99Ms} ms`,
      target: `< ${TARGETS.httpValidateP99Ms} ms`,
      verdict: judged(g.p99Ms < TARGETS.httpValidateP99Ms, g),
      othersCpuPercent: others(gateway),
    });
    if (bare.status === 'ok' && bare.result.requestsPerSecond > 0) {
      const ratio = g.requestsPerSecond / bare.result.requestsPerSecond;
      rows.push({
        figure: 'HTTP validate, gateway ÷ bare',
        measured: ratioText(ratio, TARGETS.httpValidateRatio),
        target: `≥ ${TARGETS.httpValidateRatio.toFixed(2)}×`,
        verdict: judged(ratio >= TARGETS.httpValidateRatio, g),
        othersCpuPercent: others(gateway),
      });
    } else {
      rows.push(errorRow('HTTP validate, gateway ÷ bare', '≥ 0.60×', 'no baseline'));
    }
  } else {
    rows.push(errorRow('HTTP validate, gateway', `≥ ${rps(TARGETS.httpValidateRps)}`, gateway));
  }

  const rpc = m.rpcValidate;
  if (rpc.status === 'ok') {
    const r = rpc.result;
    const failed = r.errors / Math.max(1, r.ok + r.errors);
    rows.push({
      figure: `RPC auth.validateToken (${r.concurrency} in flight)`,
      measured: `${rps(r.requestsPerSecond)} · ${latencies(r)}`,
      target: `≥ ${rps(TARGETS.rpcValidateRps)}`,
      verdict:
        r.requestsPerSecond >= TARGETS.rpcValidateRps && failed <= MAX_FAILED_FRACTION
          ? 'PASS'
          : 'MISS',
      othersCpuPercent: others(rpc),
      note: r.errors > 0 ? `${r.errors} failed calls (first: ${r.firstError ?? '?'})` : undefined,
    });
  } else rows.push(errorRow('RPC auth.validateToken', `≥ ${rps(TARGETS.rpcValidateRps)}`, rpc));

  const one = m.userInfo;
  if (one.status === 'ok') {
    rows.push({
      figure: `user-info, single id (${c} conns)`,
      measured: `${rps(one.result.requestsPerSecond)} · ${latencies(one.result)}`,
      target: 'no target',
      verdict: 'INFO',
      othersCpuPercent: others(one),
      note: failureNote(one.result),
    });
  } else rows.push(errorRow('user-info, single id', 'no target', one));

  const batch = m.usersInfoBatch;
  if (batch.status === 'ok') {
    const b = batch.result;
    rows.push({
      figure: `users-info, ${int.format(BATCH_SIZE)} ids (${b.ok + b.non2xx} sequential)`,
      measured: latencies(b),
      target: `p99 < ${TARGETS.batchP99Ms} ms`,
      verdict: judged(b.p99Ms < TARGETS.batchP99Ms, b),
      othersCpuPercent: others(batch),
      note: failureNote(b),
    });
  } else rows.push(errorRow('users-info, 1,000 ids', `p99 < ${TARGETS.batchP99Ms} ms`, batch));

  const logins = m.localLogin;
  if (logins.status === 'ok') {
    const l = logins.result;
    rows.push({
      figure: `local-password logins (${l.connections} conns)`,
      measured: `${rps(l.requestsPerSecond, 'logins/s')} · ${latencies(l)}`,
      target: `≥ ${rps(TARGETS.localLoginsPerSecond, '/s')}`,
      verdict: judged(l.requestsPerSecond >= TARGETS.localLoginsPerSecond, l),
      othersCpuPercent: others(logins),
      note: failureNote(l),
    });
  } else {
    rows.push(errorRow('local-password logins', `≥ ${TARGETS.localLoginsPerSecond}/s`, logins));
  }

  rows.push(...ldapLoginRows(m.ldapLoginBare, m.ldapLoginGateway, others));
  return rows;
}

/** The gateway's LDAP logins beside the bare loop. Stricter than the other figures: every login
 *  must succeed (no 1% allowance), and a baseline with failed logins is no baseline. */
function ldapLoginRows(
  bare: Measured<BareLdapLoginResult>,
  gateway: Measured<LoadResult>,
  others: (measured: Measured<unknown>) => number | undefined,
): Row[] {
  const rows: Row[] = [];
  const target = `≥ ${TARGETS.ldapLoginRatio.toFixed(2)}×`;
  if (bare.status === 'ok') {
    const b = bare.result;
    rows.push({
      figure: `LDAP logins, bare search-then-bind (baseline, ${b.concurrency} in flight)`,
      measured: `${rps(b.loginsPerSecond, 'logins/s')} · ${latencies(b)}`,
      target: 'baseline',
      verdict: 'INFO',
      othersCpuPercent: others(bare),
      note:
        b.errors > 0
          ? `${int.format(b.errors)} failed logins (first: ${b.firstError ?? '?'})`
          : undefined,
    });
  } else rows.push(errorRow('LDAP logins, bare search-then-bind', 'baseline', bare));

  if (gateway.status !== 'ok') {
    rows.push(errorRow('LDAP logins, gateway', 'no target', gateway));
    rows.push(
      errorRow(
        'LDAP logins, gateway ÷ bare',
        target,
        gateway.status === 'skipped' ? gateway : 'no gateway figure',
      ),
    );
    return rows;
  }
  const g = gateway.result;
  rows.push({
    figure: `LDAP logins, gateway (${g.connections} conns)`,
    measured: `${rps(g.requestsPerSecond, 'logins/s')} · ${latencies(g)}`,
    target: 'no target',
    verdict: 'INFO',
    othersCpuPercent: others(gateway),
    note: failureNote(g),
  });
  if (bare.status !== 'ok' || bare.result.loginsPerSecond <= 0) {
    rows.push(errorRow('LDAP logins, gateway ÷ bare', target, 'no baseline'));
  } else if (bare.result.errors > 0) {
    rows.push(errorRow('LDAP logins, gateway ÷ bare', target, 'the bare loop had failed logins'));
  } else {
    const ratio = g.requestsPerSecond / bare.result.loginsPerSecond;
    const failed = g.non2xx + g.errors + g.timeouts;
    rows.push({
      figure: 'LDAP logins, gateway ÷ bare',
      measured: ratioText(ratio, TARGETS.ldapLoginRatio),
      target,
      verdict: ratio >= TARGETS.ldapLoginRatio && failed === 0 ? 'PASS' : 'MISS',
      othersCpuPercent: others(gateway),
      note: failed > 0 ? 'not every gateway login answered 2xx' : undefined,
    });
  }
  return rows;
}

export function assessNoise(m: Measurements, env: Environment): Noise {
  const reasons: string[] = [];
  const busy = (percent: number | undefined): boolean =>
    percent !== undefined && percent > BUSY_PERCENT;
  if (busy(env.busyBeforePercent) || busy(env.busyAfterPercent)) {
    reasons.push(
      `other work took ${env.busyBeforePercent ?? '?'}% of the CPU before the run and ${env.busyAfterPercent ?? '?'}% after it`,
    );
  }
  const phases = Object.entries(m).flatMap(([name, measured]: [string, unknown]) =>
    isRecord(measured) &&
    isRecord(measured.cpu) &&
    typeof measured.cpu.othersPercent === 'number' &&
    busy(measured.cpu.othersPercent)
      ? [`${name} ${measured.cpu.othersPercent}%`]
      : [],
  );
  if (phases.length > 0) {
    reasons.push(`other work took CPU during the measurements (${phases.join(', ')})`);
  }
  let baselineDrift: number | undefined;
  const first = m.httpValidateBare;
  const again = m.httpValidateBareAgain;
  if (first.status === 'ok' && again.status === 'ok' && first.result.requestsPerSecond > 0) {
    baselineDrift =
      Math.abs(again.result.requestsPerSecond - first.result.requestsPerSecond) /
      first.result.requestsPerSecond;
    if (baselineDrift > MAX_BASELINE_DRIFT) {
      reasons.push(
        `the bare baseline moved ${(baselineDrift * 100).toFixed(0)}% between the start (${rps(first.result.requestsPerSecond)}) and the end (${rps(again.result.requestsPerSecond)}) of the run`,
      );
    }
  }
  return { noisy: reasons.length > 0, reasons, baselineDrift };
}

export function formatTable(rows: Row[]): string {
  const cells = (row: Row): string[] => [
    row.figure,
    row.measured,
    row.target,
    row.verdict,
    row.othersCpuPercent === undefined ? '' : `${row.othersCpuPercent}%`,
  ];
  const header = ['figure', 'measured', 'target', 'verdict', "others' CPU"];
  const table = [header, ...rows.map(cells)];
  const widths = header.map((_, column) =>
    Math.max(...table.map((cellsOfRow) => (cellsOfRow[column] ?? '').length)),
  );
  const line = (values: string[]): string =>
    values
      .map((value, column) => value.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((width) => '-'.repeat(width)))];
  for (const row of rows) {
    out.push(line(cells(row)));
    if (row.note) out.push(`${' '.repeat(widths[0] ?? 0)}  ↳ ${row.note}`);
  }
  return out.join('\n');
}
