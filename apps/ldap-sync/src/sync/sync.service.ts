import { performance } from 'node:perf_hooks';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  DomainError,
  ErrorCode,
  type LdapSyncDetailView,
  type LdapSyncHistoryPage,
  type LdapSyncHistoryRequestDto,
  type LdapSyncScheduleReply,
  type LdapSyncStartRequestDto,
} from '@gatehouse/contracts';
import { currentRequestId, InjectRedis, revokeUserSessions } from '@gatehouse/platform';
import type { AuditActor } from '../audit/audit-log.repository';
import {
  type EndedRun,
  type EndedSessions,
  SYNC_AUDIT_ACTOR_SYSTEM,
  SyncAuditService,
} from '../audit/sync-audit.service';
import { LdapConfigService } from '../ldap-config/ldap-config.service';
import {
  mappedAttributeNames,
  type ResolvedFieldMapping,
} from '../ldap-config/ldap-field-mapping.util';
import type { LdapEntry } from '../ldap/ldap-connection';
import { LdapAdapterError } from '../ldap/ldap.exception';
import { LdapAdapter } from '../ldap/ldap.adapter';
import {
  type GroupRead,
  GroupSyncError,
  type GroupSyncRequest,
  GroupSyncService,
} from '../groups/group-sync.service';
import {
  type CurrentLdapUser,
  deletionRefusal,
  type FailedEntry,
  type PagePlan,
  planPage,
  entryId,
} from './sync-plan';
import {
  changedSinceFilter,
  decideManualMode,
  decideScheduledMode,
  type ModeDecision,
  NO_HISTORY,
  type SyncMode,
} from './sync-mode';
import { PagePipeline } from './page-pipeline';
import {
  type RunProgress,
  SyncRunExtrasRepository,
  throttledProgress,
} from './sync-run-extras.repository';
import {
  LDAP_SYNC_QUEUE,
  runJobId,
  schedulerId,
  SYNC_JOB,
  SYNC_OPTIONS,
  type SyncJobData,
  type SyncOptions,
} from './sync.options';
import {
  displayName,
  type RunItems,
  type RunOutcome,
  SyncRepository,
  type SyncRunRow,
} from './sync.repository';
import { parseRunId, statusFromLabel, toDetailView, toRunView } from './sync.views';

/** Where the users of one run go: the database (a real run) or memory (a dry run). */
interface SyncTarget {
  runId: string | null;
  items: RunItems;
  // -- incremental runs and progress (sync-mode.ts, sync-run-extras.repository.ts) --
  mode?: SyncMode;
  since?: Date | null;
  progress?: (progress: RunProgress) => Promise<void>;
  // -- audit: the session families ended by deactivations (audit/sync-audit.service.ts) --
  endedSessions?: EndedSessions[];
  /** Called once every page of users has been read, while the last pages may still be written. */
  usersRead?: () => void;
}

/**
 * Directory → users synchronisation (seed 003 "手动同步LDAP用户"). One run reads every page of the
 * tenant's user search, upserts new and changed users by their stable id in batches, then, only
 * after a complete read that passes the deletion threshold, deactivates the users whose entries
 * are gone and ends their sessions. Rerunning it writes nothing.
 */
/** Users written by one run beyond which the run refreshes the users table's statistics. */
const ANALYZE_AFTER_WRITES = 5000;
/** How long an unclaimed run waits for the tenant's sync lock, and how often it asks. */
const LOCK_WAIT_MS = 10_000;
const LOCK_RETRY_MS = 100;

@Injectable()
export class SyncService {
  private readonly logger = new Logger(SyncService.name);

  constructor(
    private readonly configs: LdapConfigService,
    private readonly adapter: LdapAdapter,
    private readonly runs: SyncRepository,
    @InjectRedis() private readonly redis: Redis,
    @Inject(SYNC_OPTIONS) private readonly options: SyncOptions,
    @InjectQueue(LDAP_SYNC_QUEUE) private readonly queue: Queue<SyncJobData>,
    private readonly groups: GroupSyncService,
    private readonly extras: SyncRunExtrasRepository,
    private readonly audit: SyncAuditService,
  ) {}

  /**
   * A manual sync: a dry run answers its plan at once; otherwise the run is recorded as running
   * (LDAP_005 if one already is) and queued under a job id derived from the run, so a repeated
   * add is a no-op, and answered as it is.
   */
  async start(request: LdapSyncStartRequestDto): Promise<LdapSyncDetailView> {
    if (request.dryRun) return this.dryRun(request);
    const run = await this.createRun(request);
    await this.enqueue(run, {
      actorId: request.actorId,
      actorName: request.actorName,
      clientAddress: request.clientAddress ?? null,
      requestId: request.requestId ?? currentRequestId() ?? null,
    });
    return toDetailView(run, emptyItems());
  }

  /**
   * A tick of the tenant's job scheduler: an automatic run, queued like a manual one. Skipped
   * while another run is in progress; a schedule whose configuration turned it off removes itself.
   */
  async startScheduled(tenantId: string): Promise<SyncRunRow | null> {
    const config = await this.configs.findByTenant(tenantId);
    if (!config?.isEnabled || !config.syncEnabled) {
      await this.schedule(tenantId);
      return null;
    }
    let run: SyncRunRow;
    try {
      // -- incremental runs: the mode of a scheduled run (sync-mode.ts) --
      const decision = decideScheduledMode(
        await this.extras.historyFacts(tenantId),
        this.options.modePolicy,
        new Date(),
      );
      run = await this.runs.startRun({
        tenantId,
        syncType: 'auto',
        forced: false,
        actorId: 'SYSTEM',
        actorName: '系统自动',
        mode: decision.mode,
        since: decision.since,
      });
      this.logger.log(
        `tenant ${tenantId}: scheduled run ${run.id} is ${decision.mode} (${decision.reason})`,
      );
    } catch (error: unknown) {
      if (error instanceof DomainError && error.code === ErrorCode.LdapSyncInProgress) {
        this.logger.log(`tenant ${tenantId}: scheduled sync skipped, a run is in progress`);
        return null;
      }
      throw error;
    }
    await this.enqueue(run, SYNC_AUDIT_ACTOR_SYSTEM);
    return run;
  }

  /**
   * The tenant's job scheduler from its configuration: every `syncInterval` seconds while the
   * directory and syncEnabled are on, none otherwise. An unchanged schedule is left as it is (so
   * restarts do not push the next run back); a new or changed one first fires one interval later.
   */
  async schedule(tenantId: string): Promise<LdapSyncScheduleReply> {
    const config = await this.configs.findByTenant(tenantId);
    const id = schedulerId(tenantId);
    if (!config?.isEnabled || !config.syncEnabled) {
      await this.queue.removeJobScheduler(id);
      return { scheduled: false, every: null };
    }
    const every = config.syncInterval * 1000;
    const existing = await this.queue.getJobScheduler(id);
    if (existing?.every === undefined || Number(existing.every) !== every) {
      await this.queue.upsertJobScheduler(
        id,
        { every, startDate: Date.now() + every },
        {
          name: SYNC_JOB.scheduled,
          data: { tenantId },
          opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
        },
      );
    }
    return { scheduled: true, every: config.syncInterval };
  }

  /** Every tenant's schedule from the stored configurations; schedulers of tenants without one
   *  are removed. */
  async reconcileSchedules(): Promise<void> {
    const tenants = await this.runs.configuredTenants();
    for (const tenantId of tenants) await this.schedule(tenantId);
    const known = new Set(tenants.map(schedulerId));
    for (const scheduler of await this.queue.getJobSchedulers()) {
      if (!known.has(scheduler.key)) await this.queue.removeJobScheduler(scheduler.key);
    }
  }

  private async enqueue(run: SyncRunRow, actor: AuditActor): Promise<void> {
    try {
      await this.queue.add(
        SYNC_JOB.run,
        { tenantId: run.tenantId, runId: run.id, actor },
        {
          jobId: runJobId(run.id),
          removeOnComplete: { count: 1000 },
          removeOnFail: { count: 1000 },
        },
      );
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      const reason = `同步任务无法排队 (queue unavailable): ${message}`;
      await this.runs.failRun(run.id, reason);
      await this.audit.runEnded(endedRun(run, 'failed', reason), actor);
      throw new DomainError(ErrorCode.PeerUnavailable, 'The sync queue is unavailable');
    }
  }

  /** The queued job of a run, if BullMQ still has it, and its state. */
  async jobState(runId: string): Promise<string> {
    const job = await this.queue.getJob(runJobId(runId));
    return job ? job.getState() : 'missing';
  }

  /** A dry run computes the plan and answers it; it stores nothing (no users, no run record). */
  async dryRun(request: LdapSyncStartRequestDto): Promise<LdapSyncDetailView> {
    await this.requireConfig(request.tenantId);
    const started = new Date();
    const decision = await this.manualMode(request);
    const target: SyncTarget = {
      runId: null,
      items: emptyItems(),
      mode: decision.mode,
      since: decision.since,
    };
    const outcome = await this.execute(request.tenantId, request.force, target);
    const row: SyncRunRow = {
      id: '0',
      tenantId: request.tenantId,
      status: outcome.status,
      syncType: 'manual',
      dryRun: true,
      forced: request.force,
      workerId: null,
      startedAt: started,
      endedAt: new Date(),
      ...countsOf(outcome),
      error: outcome.error,
      createdBy: request.actorId,
      creator: request.actorName,
      createdDate: started,
      modifiedBy: request.actorId,
      modifier: request.actorName,
      modifiedDate: started,
      mode: decision.mode,
      since: decision.since,
      groupSummary: null,
    };
    return toDetailView(row, target.items);
  }

  /** LDAP_003 without a stored configuration, LDAP_005 while a run is in progress. */
  async createRun(request: LdapSyncStartRequestDto): Promise<SyncRunRow> {
    await this.requireConfig(request.tenantId);
    const decision = await this.manualMode(request);
    const run = await this.runs.startRun({
      tenantId: request.tenantId,
      syncType: 'manual',
      forced: request.force,
      actorId: request.actorId,
      actorName: request.actorName,
      mode: decision.mode,
      since: decision.since,
    });
    if (request.mode === 'incremental') {
      this.logger.log(
        `tenant ${request.tenantId}: manual run ${run.id} is ${decision.mode} (${decision.reason})`,
      );
    }
    return run;
  }

  /** Full, or incremental when asked and a full run succeeded before (sync-mode.ts). */
  private async manualMode(request: LdapSyncStartRequestDto): Promise<ModeDecision> {
    if (request.mode !== 'incremental') return decideManualMode('full', NO_HISTORY, {});
    return decideManualMode(
      'incremental',
      await this.extras.historyFacts(request.tenantId),
      this.options.modePolicy,
    );
  }

  /**
   * Executes a stored run under the tenant's advisory lock, and ends it. A run already ended, or
   * being executed by another worker (a duplicate delivery), is left alone.
   */
  async executeRun(
    tenantId: string,
    runId: string,
    workerId: string,
    startedBy?: AuditActor,
  ): Promise<void> {
    const lock = await this.lockForRun(tenantId, runId);
    if (!lock) {
      this.logger.warn(`run ${runId}: another worker holds the tenant ${tenantId} sync lock`);
      return;
    }
    let analyze = false;
    try {
      const run = await this.runs.findRun(tenantId, runId);
      if (run?.status !== 'running') return;
      await this.runs.claimRun(runId, workerId);
      const actor = startedBy ?? actorOfRun(run);
      const endedSessions: EndedSessions[] = [];
      let outcome: RunOutcome;
      const started = performance.now();
      let usersMs = 0;
      // The group phase's directory read starts as soon as the users are read: it overlaps the
      // user phase's last writes (the groups' member lists need no user row).
      const groupRequest = groupRequestOf(run);
      let groupRead: GroupRead | undefined;
      try {
        outcome = await this.execute(tenantId, run.forced, {
          usersRead: () => {
            groupRead = this.groups.readAhead(groupRequest);
          },
          runId,
          items: emptyItems(),
          endedSessions,
          mode: run.mode,
          since: run.since,
          progress: throttledProgress(
            (progress) => this.extras.reportProgress(runId, progress),
            this.options.progressIntervalMs,
          ),
        });
        analyze = outcome.newUsers + outcome.updatedUsers >= ANALYZE_AFTER_WRITES;
        usersMs = performance.now() - started;
        // -- groups, memberships and group roles (groups/group-sync.service.ts) --
        if (outcome.status === 'succeeded') {
          outcome = await this.syncGroups(run, groupRequest, outcome, groupRead);
        }
      } catch (error: unknown) {
        const message = error instanceof Error ? error.message : String(error);
        this.logger.error(`run ${runId} of tenant ${tenantId} failed: ${message}`);
        await this.runs.failRun(runId, `同步失败: ${message}`);
        await this.audit.runEnded(
          endedRun(run, 'failed', `同步失败: ${message}`),
          actor,
          endedSessions,
        );
        return;
      }
      await this.runs.finishRun(runId, outcome);
      await this.audit.runEnded(
        { ...endedRun(run, outcome.status, outcome.error), counts: countsOf(outcome) },
        actor,
        endedSessions,
      );
      if (outcome.status === 'succeeded') await this.runs.markSynced(tenantId);
      const groupsMs = performance.now() - started - usersMs;
      this.logger.log(
        `run ${runId} of tenant ${tenantId} ${outcome.status}: ${outcome.newUsers} new, ${outcome.updatedUsers} updated, ${outcome.deletedUsers} deactivated, ${outcome.failedUsers} failed (users ${Math.round(usersMs)} ms, groups ${Math.round(groupsMs)} ms)`,
      );
    } finally {
      await lock.release();
    }
    // After a bulk load, fresh planner statistics keep the next run's lookups on the index.
    // Housekeeping: the run has ended and its lock is released, so a next run need not wait.
    if (analyze) await this.analyzeQuietly(tenantId);
  }

  /**
   * The tenant's sync lock for a run. Held by another worker, it is either this run's own
   * duplicate delivery (the run is claimed: give up at once) or the previous run finishing in the
   * moment after its record ended (this run is unclaimed: wait for it, a bounded while).
   */
  private async lockForRun(
    tenantId: string,
    runId: string,
  ): Promise<{ release(): Promise<void> } | null> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const lock = await this.runs.tryLock(tenantId);
      if (lock) return lock;
      const run = await this.runs.findRun(tenantId, runId);
      if (run?.status !== 'running' || run.workerId !== null || Date.now() >= deadline) {
        return null;
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
    }
  }

  private async analyzeQuietly(tenantId: string): Promise<void> {
    try {
      await this.runs.analyzeUsers();
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`tenant ${tenantId}: ANALYZE users after the run failed: ${message}`);
    }
  }

  /** The group phase after a successful user phase; its failure fails the run (users already
   *  written stay; groups, memberships and roles are left as they were). */
  private async syncGroups(
    run: SyncRunRow,
    request: GroupSyncRequest,
    outcome: RunOutcome,
    readAhead: GroupRead | undefined,
  ): Promise<RunOutcome> {
    try {
      const summary = await this.groups.run(request, readAhead);
      await this.extras.saveGroupSummary(run.id, summary);
      return outcome;
    } catch (error: unknown) {
      if (!(error instanceof GroupSyncError) && !(error instanceof DomainError)) throw error;
      this.logger.warn(
        `run ${run.id} of tenant ${run.tenantId}: group sync failed: ${error.message}`,
      );
      return {
        ...outcome,
        status: 'failed',
        error: `组同步失败 (group sync failed): ${error.message}；组、成员关系和角色未更改 (groups, memberships and roles unchanged)`,
      };
    }
  }

  /** Fails a run that cannot be executed any more (its worker died, its job is gone). */
  async abandonRun(run: SyncRunRow, reason: string): Promise<boolean> {
    const lock = await this.runs.tryLock(run.tenantId);
    if (!lock) return false;
    try {
      await this.runs.failRun(run.id, reason);
      await this.audit.runEnded(endedRun(run, 'failed', reason), actorOfRun(run));
      return true;
    } finally {
      await lock.release();
    }
  }

  runningRuns(): Promise<SyncRunRow[]> {
    return this.runs.runningRuns();
  }

  async history(request: LdapSyncHistoryRequestDto): Promise<LdapSyncHistoryPage> {
    const status = request.status ? statusFromLabel(request.status) : undefined;
    const { total, rows } = await this.runs.history(
      request.tenantId,
      (request.page - 1) * request.size,
      request.size,
      status,
    );
    return { total, list: rows.map(toRunView) };
  }

  async detail(tenantId: string, id: string): Promise<LdapSyncDetailView> {
    const runId = parseRunId(id);
    const run = runId ? await this.runs.findRun(tenantId, runId) : undefined;
    if (!run) throw new DomainError(ErrorCode.NotFound, '同步记录不存在');
    return toDetailView(run, await this.runs.items(run.id));
  }

  private async requireConfig(tenantId: string): Promise<void> {
    const config = await this.configs.findByTenant(tenantId);
    if (!config) {
      throw new DomainError(ErrorCode.LdapConfigInvalid, 'LDAP配置错误：尚未保存LDAP配置');
    }
    this.configs.toDirectory(config);
  }

  /** One page against the stored rows of its own entries (read by stable id), or against none
   *  when the tenant had no directory users at the start of the run. */
  private async planPage(
    tenantId: string,
    seen: Set<string>,
    page: readonly LdapEntry[],
    mapping: ResolvedFieldMapping,
    compare: boolean,
  ): Promise<PagePlan> {
    const ids = page.map(entryId).filter((id): id is string => id !== undefined);
    const current = compare
      ? await this.runs.ldapUsersByIds(tenantId, ids)
      : new Map<string, CurrentLdapUser>();
    return planPage(current, seen, page, mapping);
  }

  /**
   * Writes one page's plan and counts it into `outcome`. `fresh`: the tenant had no directory
   * users when the run started (its rows are inserted, not upserted). `deferred`: where rows go
   * whose username is still held while other pages are being written (written after them all);
   * without it such rows fail.
   */
  private async writePage(
    tenantId: string,
    runId: string,
    plan: PagePlan,
    outcome: RunOutcome,
    fresh: boolean,
    deferred?: PagePlan,
  ): Promise<void> {
    const written = await this.runs.writeUsers(tenantId, runId, plan, this.options.batchSize, {
      fresh,
      deferConflicts: deferred !== undefined,
    });
    if (deferred) {
      deferred.created.push(...written.deferred.created);
      deferred.updated.push(...written.deferred.updated);
    }
    const failed = [...plan.failed, ...written.failed];
    await this.runs.recordFailed(runId, failed);
    outcome.newUsers += written.created;
    outcome.updatedUsers += written.updated;
    outcome.entriesWritten += written.created + written.updated;
    outcome.failedUsers += failed.length;
  }

  /** One sync; never throws for directory trouble (the outcome says failed and why). */
  private async execute(tenantId: string, force: boolean, target: SyncTarget): Promise<RunOutcome> {
    const outcome: RunOutcome = {
      status: 'succeeded',
      totalUsers: 0,
      newUsers: 0,
      updatedUsers: 0,
      deletedUsers: 0,
      failedUsers: 0,
      entriesRead: 0,
      entriesWritten: 0,
      error: null,
    };
    const fail = (message: string): RunOutcome => ({
      ...outcome,
      status: 'failed',
      error: `${message}；未停用任何用户 (nobody was deactivated)`,
    });
    const config = await this.configs.findByTenant(tenantId);
    if (!config) return fail('LDAP配置错误：尚未保存LDAP配置');
    let directory;
    try {
      directory = this.configs.toDirectory(config);
    } catch (error: unknown) {
      if (error instanceof DomainError) return fail(`LDAP配置错误：${error.message}`);
      throw error;
    }
    // Stable ids read so far: duplicates are refused, and after a complete read the active users
    // not among them are deactivated. Only ids stay for the whole run; rows are read per page.
    const seen = new Set<string>();
    const mapping = directory.fieldMapping;
    const allUsers = directory.userSearchFilter.split('{0}').join('*');
    const incremental = target.mode === 'incremental' && target.since;
    const filter = incremental ? changedSinceFilter(allUsers, target.since as Date) : allUsers;
    let step = 'connect';
    // A tenant without directory users (a first sync) has no rows to compare pages against.
    const compare = await this.runs.hasLdapUsers(tenantId);
    // Pages are planned in order and written while the next ones are read (page-pipeline.ts).
    const pipeline = new PagePipeline<PagePlan>(this.options.writeConcurrency);
    // Rows whose username another page still held when they were written (a rename that an
    // earlier page makes, written meanwhile): written again once every page is.
    const deferred: PagePlan | undefined =
      this.options.writeConcurrency > 1 ? { created: [], updated: [], failed: [] } : undefined;
    try {
      const connection = await this.adapter.connect(directory.connect);
      try {
        step = 'bind';
        if (directory.serviceBind) {
          await connection.bind(directory.serviceBind.dn, directory.serviceBind.password);
        }
        step = 'search';
        for await (const page of connection.searchPages(directory.userSearchBase, {
          filter,
          scope: 'sub',
          attributes: mappedAttributeNames(mapping),
          pageSize: this.options.pageSize,
        })) {
          outcome.entriesRead += page.length;
          const runId = target.runId;
          if (runId !== null) {
            await pipeline.add(
              () => this.planPage(tenantId, seen, page, mapping, compare),
              async (plan) => {
                await this.writePage(tenantId, runId, plan, outcome, !compare, deferred);
                await target.progress?.(outcome);
              },
            );
            await target.progress?.(outcome);
            continue;
          }
          const plan = await this.planPage(tenantId, seen, page, mapping, compare);
          const failed: FailedEntry[] = plan.failed;
          target.items.newUsersList.push(
            ...plan.created.map((user) => ({
              username: user.username,
              name: user.name,
              email: user.email,
            })),
          );
          target.items.updatedUsersList.push(
            ...plan.updated.map((update) => ({
              username: update.user.username,
              name: update.user.name,
              changes: update.changes,
            })),
          );
          outcome.newUsers += plan.created.length;
          outcome.updatedUsers += plan.updated.length;
          target.items.failedUsersList.push(...failed);
          outcome.failedUsers += failed.length;
          await target.progress?.(outcome);
        }
      } finally {
        await connection.close();
      }
      target.usersRead?.();
      await pipeline.drain();
      if (
        target.runId !== null &&
        deferred &&
        deferred.created.length + deferred.updated.length > 0
      ) {
        await this.writePage(tenantId, target.runId, deferred, outcome, false);
      }
    } catch (error: unknown) {
      // The run ends only after its last write settled (its users are kept either way).
      await pipeline.settle();
      if (!(error instanceof LdapAdapterError)) throw error;
      this.logger.warn(`tenant ${tenantId}: sync ${step} failed (${error.kind}): ${error.message}`);
      return fail(`LDAP ${step} failed (${error.kind}): ${error.message}`);
    }
    outcome.totalUsers = outcome.entriesRead;
    // An incremental run saw only changed entries: it never deactivates (full runs do). Nor does
    // a tenant's first sync: every directory user there is now was created during this run (by
    // it, or by a login meanwhile, whose entry the read may have passed before it existed).
    if (incremental || !compare) return outcome;

    const { unseen: deletions, active } = await this.runs.unseenActiveLdapUsers(tenantId, seen);
    const refusal = deletionRefusal({
      entriesRead: outcome.entriesRead,
      activeLdapUsers: active,
      deletions: deletions.length,
      force,
      maxRatio: this.options.maxDeleteRatio,
    });
    if (target.runId === null) {
      // The plan shows what a real run would deactivate, refused or not.
      target.items.deletedUsersList.push(...deletions.map(deletedItem));
      outcome.deletedUsers = deletions.length;
      return refusal ? fail(refusal) : outcome;
    }
    if (refusal) return fail(refusal);
    const deactivated = await this.runs.deactivate(tenantId, target.runId, deletions);
    outcome.deletedUsers = deactivated.length;
    outcome.entriesWritten += deactivated.length;
    const unrevoked = await this.revokeSessions(tenantId, deactivated, target.endedSessions);
    if (unrevoked > 0) {
      outcome.error = `sessions of ${unrevoked} deactivated users could not be ended (Redis unavailable)`;
    }
    return outcome;
  }

  /** Revokes every session family of each user and takes it out of the tenant's live-session
   *  set (the admin stats' count), as the gateway does; collects the families ended for the
   *  audit log; answers how many users failed. */
  private async revokeSessions(
    tenantId: string,
    userIds: readonly string[],
    ended: EndedSessions[] = [],
  ): Promise<number> {
    let failures = 0;
    for (const userId of userIds) {
      try {
        const revoked = await revokeUserSessions(this.redis, tenantId, userId);
        if (revoked.ended.length > 0) ended.push({ userId, familyIds: revoked.ended });
      } catch (error: unknown) {
        failures += 1;
        const message = error instanceof Error ? error.message : String(error);
        this.logger.error(
          `tenant ${tenantId}: ending sessions of user ${userId} failed: ${message}`,
        );
      }
    }
    return failures;
  }
}

/** What the group phase of a run is asked to do. */
function groupRequestOf(run: SyncRunRow): GroupSyncRequest {
  return { tenantId: run.tenantId, mode: run.mode, since: run.since, force: run.forced };
}

/** Who a run's audit row names when the job does not say: the scheduler for automatic runs,
 *  the admin recorded as its creator otherwise. */
function actorOfRun(run: SyncRunRow): AuditActor {
  if (run.syncType === 'auto') return SYNC_AUDIT_ACTOR_SYSTEM;
  return { actorId: run.createdBy, actorName: run.creator, clientAddress: null, requestId: null };
}

function endedRun(run: SyncRunRow, status: RunOutcome['status'], error: string | null): EndedRun {
  return {
    tenantId: run.tenantId,
    runId: run.id,
    syncType: run.syncType,
    mode: run.mode,
    forced: run.forced,
    status,
    error,
  };
}

function emptyItems(): RunItems {
  return { newUsersList: [], updatedUsersList: [], deletedUsersList: [], failedUsersList: [] };
}

function countsOf(
  outcome: RunOutcome,
): Pick<
  SyncRunRow,
  | 'totalUsers'
  | 'newUsers'
  | 'updatedUsers'
  | 'deletedUsers'
  | 'failedUsers'
  | 'entriesRead'
  | 'entriesWritten'
> {
  return {
    totalUsers: outcome.totalUsers,
    newUsers: outcome.newUsers,
    updatedUsers: outcome.updatedUsers,
    deletedUsers: outcome.deletedUsers,
    failedUsers: outcome.failedUsers,
    entriesRead: outcome.entriesRead,
    entriesWritten: outcome.entriesWritten,
  };
}

function deletedItem(user: CurrentLdapUser): { username: string; name: string } {
  return { username: user.username, name: displayName(user) };
}
