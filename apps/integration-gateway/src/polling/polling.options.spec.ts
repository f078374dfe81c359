import { nextPollAfterFailures, RETRY_MAX_MS, retryDelayMs } from './polling.options';

describe('poll retry and backoff', () => {
  it('doubles retry delays with jitter between half and the whole ceiling, capped', () => {
    expect(retryDelayMs(0, () => 0)).toBe(250);
    expect(retryDelayMs(0, () => 1)).toBe(500);
    expect(retryDelayMs(3, () => 0)).toBe(2000);
    expect(retryDelayMs(20, () => 1)).toBe(RETRY_MAX_MS);
  });

  it('skips ticks after repeated failures, growing to at most an hour', () => {
    const now = 1_000_000;
    expect(nextPollAfterFailures(1, 30, now)).toBeNull();
    expect(nextPollAfterFailures(2, 30, now, () => 0.5)?.getTime()).toBe(now + 60_000);
    expect(nextPollAfterFailures(4, 30, now, () => 0.5)?.getTime()).toBe(now + 240_000);
    expect(nextPollAfterFailures(30, 300, now, () => 0.5)?.getTime()).toBe(now + 3_600_000);
  });
});
