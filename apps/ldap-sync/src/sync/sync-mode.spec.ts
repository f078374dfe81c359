import {
  changedSinceFilter,
  decideManualMode,
  decideScheduledMode,
  generalizedTime,
  INCREMENTAL_OVERLAP_MS,
} from './sync-mode';
import { throttledProgress } from './sync-run-extras.repository';

const now = new Date('2025-12-19T10:00:00Z');
const hoursAgo = (hours: number): Date => new Date(now.getTime() - hours * 3_600_000);
const policy = { fullEveryRuns: 4, fullMaxAgeHours: 24 };

describe('decideManualMode', () => {
  const recent = { lastFullSuccess: hoursAgo(48), lastSuccess: hoursAgo(30) };

  it('is full unless an incremental run is asked for', () => {
    expect(decideManualMode('full', { ...recent, scheduledSinceFull: 1 }, {})).toMatchObject({
      mode: 'full',
      since: null,
    });
  });

  it('is incremental from the last success when asked, whatever the age of the full run', () => {
    const decision = decideManualMode(
      'incremental',
      { ...recent, scheduledSinceFull: 99 },
      { overlapMs: 5000 },
    );
    expect(decision.mode).toBe('incremental');
    expect(decision.since?.getTime()).toBe(recent.lastSuccess.getTime() - 5000);
  });

  it('is full when asked for incremental before any full run succeeded', () => {
    const decision = decideManualMode(
      'incremental',
      { lastFullSuccess: null, lastSuccess: hoursAgo(1), scheduledSinceFull: 0 },
      {},
    );
    expect(decision).toMatchObject({ mode: 'full', since: null });
    expect(decision.reason).toMatch(/no full run has succeeded/);
  });
});

describe('decideScheduledMode', () => {
  it('is full when no full run ever succeeded', () => {
    const decision = decideScheduledMode(
      { lastFullSuccess: null, lastSuccess: null, scheduledSinceFull: 0 },
      policy,
      now,
    );
    expect(decision).toMatchObject({ mode: 'full', since: null });
  });

  it('is incremental after a recent full run, from the last success minus the overlap', () => {
    const lastSuccess = hoursAgo(1);
    const decision = decideScheduledMode(
      { lastFullSuccess: hoursAgo(2), lastSuccess, scheduledSinceFull: 1 },
      policy,
      now,
    );
    expect(decision.mode).toBe('incremental');
    expect(decision.since?.getTime()).toBe(lastSuccess.getTime() - INCREMENTAL_OVERLAP_MS);
  });

  it('is full every Nth scheduled run', () => {
    const facts = { lastFullSuccess: hoursAgo(2), lastSuccess: hoursAgo(1) };
    expect(decideScheduledMode({ ...facts, scheduledSinceFull: 2 }, policy, now).mode).toBe(
      'incremental',
    );
    expect(decideScheduledMode({ ...facts, scheduledSinceFull: 3 }, policy, now).mode).toBe('full');
  });

  it('is full when the last full success is older than the maximum age', () => {
    const decision = decideScheduledMode(
      { lastFullSuccess: hoursAgo(25), lastSuccess: hoursAgo(1), scheduledSinceFull: 0 },
      policy,
      now,
    );
    expect(decision.mode).toBe('full');
  });

  it('fullEveryRuns 1 turns incremental runs off', () => {
    const decision = decideScheduledMode(
      { lastFullSuccess: hoursAgo(1), lastSuccess: hoursAgo(1), scheduledSinceFull: 0 },
      { ...policy, fullEveryRuns: 1 },
      now,
    );
    expect(decision.mode).toBe('full');
  });
});

describe('incremental filters', () => {
  it('formats GeneralizedTime in UTC to the second', () => {
    expect(generalizedTime(new Date('2025-01-02T03:04:05.678Z'))).toBe('20250102030405Z');
  });

  it('ANDs the filter with modifyTimestamp>=', () => {
    expect(changedSinceFilter('(uid=*)', new Date('2025-01-02T03:04:05Z'))).toBe(
      '(&(uid=*)(modifyTimestamp>=20250102030405Z))',
    );
  });
});

describe('throttledProgress', () => {
  const progress = {
    entriesRead: 1,
    entriesWritten: 0,
    newUsers: 0,
    updatedUsers: 0,
    failedUsers: 0,
  };

  it('writes at once, then at most once per interval, and never throws', async () => {
    let clock = 0;
    const writes: number[] = [];
    const report = throttledProgress(
      (p) => {
        writes.push(p.entriesRead);
        return clock === 2500 ? Promise.reject(new Error('db down')) : Promise.resolve();
      },
      1000,
      () => clock,
    );
    await report({ ...progress, entriesRead: 1 });
    clock = 500;
    await report({ ...progress, entriesRead: 2 });
    clock = 1000;
    await report({ ...progress, entriesRead: 3 });
    clock = 2500;
    await expect(report({ ...progress, entriesRead: 4 })).resolves.toBeUndefined();
    expect(writes).toEqual([1, 3, 4]);
  });
});
