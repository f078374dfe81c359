import type { AuditActor } from '../audit/audit-log.repository';
import type { ModePolicy } from './sync-mode';

/** Tuning of a user sync, from the LDAP_SYNC_* variables (ldap-sync.config.ts). */
export interface SyncOptions {
  pageSize: number;
  batchSize: number;
  /** Pages written at once (each on its own connection) while the next page is read. */
  writeConcurrency: number;
  /** 0..1: deletions above this share of the active LDAP users need force=true. */
  maxDeleteRatio: number;
  staleRunSeconds: number;
  /** When a scheduled run is full rather than incremental (sync-mode.ts). */
  modePolicy: ModePolicy;
  /** A running run writes its progress at most this often. */
  progressIntervalMs: number;
}

export const SYNC_OPTIONS = Symbol('SYNC_OPTIONS');

/** The BullMQ queue of user syncs. */
export const LDAP_SYNC_QUEUE = 'ldap-sync';

/** Job names on the queue. */
export const SYNC_JOB = { run: 'run', scheduled: 'scheduled' } as const;

/** `run`: execute a stored run. `scheduled` (from the tenant's job scheduler): create an automatic
 *  run and queue it like a manual one. */
export interface SyncJobData {
  tenantId: string;
  runId?: string;
  /** Who started the run and from where, for its audit row (the system for scheduled runs);
   *  jobs queued before this field existed fall back to the run's creator. */
  actor?: AuditActor;
}

/** One job scheduler per tenant, so re-scheduling replaces it. */
export function schedulerId(tenantId: string): string {
  return `tenant-${tenantId}`;
}

/** One job per run: a repeated add of the same run is a no-op in BullMQ. */
export function runJobId(runId: string): string {
  return `run-${runId}`;
}
