import { hostname } from 'node:os';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import {
  LDAP_SYNC_QUEUE,
  SYNC_JOB,
  SYNC_OPTIONS,
  type SyncJobData,
  type SyncOptions,
} from './sync.options';
import { SyncService } from './sync.service';

/** A job that vanished (or ended) this long ago while its run still says running was lost. */
const ORPHAN_GRACE_MS = 30_000;
/** Job states in which the job will never execute its run again. */
const FINAL_STATES = ['missing', 'completed', 'failed', 'unknown'];

/**
 * Executes queued runs, one at a time per worker. BullMQ is at-least-once: a job re-delivered after
 * its worker stalled executes the same run again, which is safe (the tenant's advisory lock keeps
 * it to one executor; upserts are idempotent; an ended run is skipped).
 */
@Processor(LDAP_SYNC_QUEUE)
export class SyncProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(SyncProcessor.name);
  private readonly workerId = `${hostname()}:${process.pid}`;

  constructor(
    private readonly sync: SyncService,
    @Inject(SYNC_OPTIONS) private readonly options: SyncOptions,
  ) {
    super();
  }

  async process(job: Job<SyncJobData>): Promise<void> {
    if (job.name === SYNC_JOB.scheduled) {
      await this.sync.startScheduled(job.data.tenantId);
      return;
    }
    if (job.data.runId === undefined) return;
    await this.sync.executeRun(job.data.tenantId, job.data.runId, this.workerId, job.data.actor);
  }

  /** A worker killed mid-run leaves its run 'running', which would block the tenant's next run:
   *  at start, fail such runs (no live job, or older than the stale window, and unlocked). */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.recoverStaleRuns();
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`recovering interrupted sync runs failed: ${message}`);
    }
    try {
      await this.sync.reconcileSchedules();
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`reconciling sync schedules failed: ${message}`);
    }
  }

  async recoverStaleRuns(): Promise<number> {
    let recovered = 0;
    for (const run of await this.sync.runningRuns()) {
      const age = Date.now() - run.startedAt.getTime();
      const state = await this.sync.jobState(run.id);
      const orphaned = FINAL_STATES.includes(state) && age > ORPHAN_GRACE_MS;
      const stale = age > this.options.staleRunSeconds * 1000;
      if (!orphaned && !stale) continue;
      const reason = orphaned
        ? `同步中断：执行该任务的进程已停止 (the worker stopped mid-run; job ${state})`
        : `同步超时：运行超过 ${this.options.staleRunSeconds} 秒 (stale run)`;
      if (await this.sync.abandonRun(run, reason)) {
        recovered += 1;
        this.logger.warn(`run ${run.id} of tenant ${run.tenantId} marked failed: ${reason}`);
      }
    }
    return recovered;
  }
}
