/**
 * Full or incremental: which kind of run a scheduled sync is, and the filter of an incremental
 * read. A full run reads every entry and is the only kind that deactivates users or removes
 * groups; an incremental run reads the entries whose `modifyTimestamp` is at or after the start
 * of the last successful run (minus a safety overlap for clock skew and second resolution).
 */

export type SyncMode = 'full' | 'incremental';

/** The default of what is subtracted from the last successful run's start: covers clock skew
 *  between the database and the directory and modifyTimestamp's one-second resolution. */
export const INCREMENTAL_OVERLAP_MS = 60_000;

export interface ModePolicy {
  /** Every Nth scheduled run is full (1: every run is full, incremental runs are off). */
  fullEveryRuns: number;
  /** A run is full when no full run succeeded within this many hours. */
  fullMaxAgeHours: number;
  /** Subtracted from the last successful run's start (default INCREMENTAL_OVERLAP_MS). */
  overlapMs?: number;
}

export interface RunHistoryFacts {
  /** Start of the latest successful full run, if any. */
  lastFullSuccess: Date | null;
  /** Start of the latest successful run of either mode, if any. */
  lastSuccess: Date | null;
  /** Scheduled runs started since the latest successful full run (any outcome). */
  scheduledSinceFull: number;
}

/** The facts of a tenant that never ran a sync. */
export const NO_HISTORY: RunHistoryFacts = {
  lastFullSuccess: null,
  lastSuccess: null,
  scheduledSinceFull: 0,
};

export interface ModeDecision {
  mode: SyncMode;
  /** The lower bound on modifyTimestamp of an incremental run; null for a full run. */
  since: Date | null;
  reason: string;
}

/**
 * The mode of a manual run: full unless the admin asked for an incremental one, which is
 * incremental from the last successful run whenever a full run has succeeded before (an
 * incremental read needs a complete one to build on). The age and every-Nth rules of scheduled
 * runs do not apply: the admin chose.
 */
export function decideManualMode(
  asked: SyncMode,
  facts: RunHistoryFacts,
  policy: Pick<ModePolicy, 'overlapMs'>,
): ModeDecision {
  if (asked === 'full') return full('a full run was asked for');
  if (!facts.lastFullSuccess || !facts.lastSuccess) {
    return full('an incremental run was asked for, but no full run has succeeded yet');
  }
  return incrementalSince(facts.lastSuccess, policy);
}

/** The mode of a scheduled run. */
export function decideScheduledMode(
  facts: RunHistoryFacts,
  policy: ModePolicy,
  now: Date,
): ModeDecision {
  if (policy.fullEveryRuns <= 1) return full('incremental runs are off (every run is full)');
  if (!facts.lastFullSuccess || !facts.lastSuccess) return full('no full run has succeeded yet');
  const ageMs = now.getTime() - facts.lastFullSuccess.getTime();
  if (ageMs >= policy.fullMaxAgeHours * 3_600_000) {
    return full(`no full run succeeded in the last ${policy.fullMaxAgeHours} hours`);
  }
  if (facts.scheduledSinceFull + 1 >= policy.fullEveryRuns) {
    return full(`every ${policy.fullEveryRuns}th scheduled run is full`);
  }
  return incrementalSince(facts.lastSuccess, policy);
}

function incrementalSince(lastSuccess: Date, policy: Pick<ModePolicy, 'overlapMs'>): ModeDecision {
  return {
    mode: 'incremental',
    since: new Date(lastSuccess.getTime() - (policy.overlapMs ?? INCREMENTAL_OVERLAP_MS)),
    reason: 'entries changed since the last successful run',
  };
}

function full(reason: string): ModeDecision {
  return { mode: 'full', since: null, reason };
}

/** RFC 4517 GeneralizedTime in UTC, to the second: `20251219100000Z`. */
export function generalizedTime(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** A search filter narrowed to entries modified at or after `since`. */
export function changedSinceFilter(filter: string, since: Date): string {
  return `(&${filter}(modifyTimestamp>=${generalizedTime(since)}))`;
}
