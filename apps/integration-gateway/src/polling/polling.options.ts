/** The BullMQ queue of client-API polls. */
export const INTEGRATION_POLL_QUEUE = 'integration-poll';

export const POLL_JOB = { poll: 'poll' } as const;

export interface PollJobData {
  projectId: string;
}

/** One job scheduler per project, so re-scheduling replaces it. */
export function pollSchedulerId(projectId: string): string {
  return `project-${projectId}`;
}

/** Retry delays within one poll: 500 ms doubling, full jitter, at most 30 s. */
export const RETRY_BASE_MS = 500;
export const RETRY_MAX_MS = 30_000;
/** A project failing poll after poll skips ticks: its next poll waits interval × 2^(n-1), at
 *  most an hour, jittered, so a dead client API is not hammered. */
export const BACKOFF_MAX_MS = 3_600_000;

export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** When the next poll may run after `failures` consecutive failed polls (null: at the next tick). */
export function nextPollAfterFailures(
  failures: number,
  intervalSeconds: number,
  now: number,
  random: () => number = Math.random,
): Date | null {
  if (failures < 2) return null;
  const wait = Math.min(BACKOFF_MAX_MS, intervalSeconds * 1000 * 2 ** (failures - 1));
  return new Date(now + wait * (0.8 + random() * 0.4));
}
