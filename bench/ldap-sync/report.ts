import type { CpuShare } from '../auth/support';

/** The targets of issue #4's "Speed" section. */
export const SYNC_TARGETS = {
  /** (b) full sync into an empty database, ÷ the baseline. */
  fullRatio: 3,
  fullMs: 15000,
  /** (c) full sync with nothing changed. */
  unchangedMs: 5000,
  /** (d) sync after 1% of the users changed. */
  changedMs: 3000,
  peakRssMb: 300,
} as const;

export type Verdict = 'PASS' | 'MISS' | 'INFO' | 'ERROR';

export interface SyncRow {
  figure: string;
  measured: string;
  ratio: string;
  target: string;
  verdict: Verdict;
  othersCpuPercent?: number;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export function ratioOf(ms: number, baselineMs: number | undefined): string {
  return baselineMs && baselineMs > 0 ? `${(ms / baselineMs).toFixed(2)}×` : '—';
}

export function row(
  figure: string,
  measured: string,
  ratio: string,
  target: string,
  met: boolean | undefined,
  cpu?: CpuShare,
): SyncRow {
  return {
    figure,
    measured,
    ratio,
    target,
    verdict: met === undefined ? 'INFO' : met ? 'PASS' : 'MISS',
    ...(cpu ? { othersCpuPercent: cpu.othersPercent } : {}),
  };
}

export function formatTable(rows: SyncRow[]): string {
  const header = ['figure', 'measured', '÷ baseline', 'target', 'verdict', 'others CPU'];
  const cells = rows.map((each) => [
    each.figure,
    each.measured,
    each.ratio,
    each.target,
    each.verdict,
    each.othersCpuPercent === undefined ? '' : `${each.othersCpuPercent}%`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => line[column]?.length ?? 0)),
  );
  const format = (line: string[]): string =>
    `| ${line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [
    format(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...cells.map(format),
  ].join('\n');
}
