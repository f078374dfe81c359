import { setTimeout as sleep } from 'node:timers/promises';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Agent } from 'undici';
import { type ClientResponse, getJson, statusUrl } from '../outbound/client-api';
import { InjectOutboundAgent } from '../outbound/outbound.tokens';
import {
  type ConfigRow,
  IntegrationConfigRepository,
} from '../projects/integration-config.repository';
import { IntegrationConfigService } from '../projects/integration-config.service';
import { ProjectsRepository } from '../projects/projects.repository';
import { UnitStatusService } from '../statuses/unit-status.service';
import {
  INTEGRATION_POLL_QUEUE,
  nextPollAfterFailures,
  POLL_JOB,
  type PollJobData,
  pollSchedulerId,
  retryDelayMs,
} from './polling.options';

export type PollOutcome = 'stored' | 'failed' | 'skipped';

/**
 * `update_method: polling`: a BullMQ job scheduler per project every `polling_interval_seconds`
 * (any number of replicas run each tick once), and the poll itself: GET the status endpoint,
 * retried up to `retry_count` times with jittered exponential delays, then store the statuses.
 * The project keeps its last error; after repeated failed polls, ticks are skipped with growing
 * gaps. Polls are idempotent (unchanged units write nothing), so an at-least-once redelivery is
 * harmless.
 */
@Injectable()
export class PollingService {
  private readonly logger = new Logger(PollingService.name);

  constructor(
    @InjectQueue(INTEGRATION_POLL_QUEUE) private readonly queue: Queue<PollJobData>,
    private readonly projects: ProjectsRepository,
    private readonly configs: IntegrationConfigRepository,
    private readonly configService: IntegrationConfigService,
    private readonly statuses: UnitStatusService,
    @InjectOutboundAgent() private readonly agent: Agent,
  ) {}

  /** The project's scheduler from its config: present while it polls a configured URL. An
   *  unchanged schedule is left alone so restarts do not push the next poll back. */
  async schedule(config: ConfigRow): Promise<boolean> {
    const id = pollSchedulerId(config.projectId);
    if (config.updateMethod !== 'polling' || !config.apiBaseUrl) {
      await this.queue.removeJobScheduler(id);
      return false;
    }
    const every = config.pollingIntervalSeconds * 1000;
    const existing = await this.queue.getJobScheduler(id);
    if (existing?.every === undefined || Number(existing.every) !== every) {
      await this.queue.upsertJobScheduler(
        id,
        { every },
        {
          name: POLL_JOB.poll,
          data: { projectId: config.projectId },
          opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } },
        },
      );
    }
    return true;
  }

  /** Removes the project's scheduler and its next scheduled poll (a deleted project). */
  async unschedule(projectId: string): Promise<void> {
    await this.queue.removeJobScheduler(pollSchedulerId(projectId));
  }

  /** At start: every polling project has its scheduler, and no other scheduler remains. */
  async reconcile(): Promise<number> {
    const polling = await this.configs.byMethod('polling');
    for (const config of polling) await this.schedule(config);
    const known = new Set(polling.map((config) => pollSchedulerId(config.projectId)));
    for (const scheduler of await this.queue.getJobSchedulers()) {
      if (!known.has(scheduler.key)) await this.queue.removeJobScheduler(scheduler.key);
    }
    return polling.length;
  }

  async poll(projectId: string, now = Date.now()): Promise<PollOutcome> {
    const project = await this.projects.findById(projectId);
    const config = project ? await this.configs.findByProjectId(projectId) : null;
    if (!project || !config || config.updateMethod !== 'polling' || !config.apiBaseUrl) {
      return 'skipped';
    }
    if (project.nextPollAt && project.nextPollAt.getTime() > now) return 'skipped';
    const url = statusUrl(config.apiBaseUrl, config.statusEndpoint);
    const credentials = this.configService.credentials(config);
    let response: ClientResponse | undefined;
    for (let attempt = 0; attempt <= config.retryCount; attempt += 1) {
      if (attempt > 0) await sleep(retryDelayMs(attempt - 1));
      response = await getJson(this.agent, {
        url,
        authType: config.authType,
        credentials,
        timeoutMs: config.timeoutSeconds * 1000,
      });
      if (response.ok) break;
    }
    if (!response?.ok) {
      const error = response?.error ?? 'no attempt made';
      const failures = project.consecutiveFailures + 1;
      const next = nextPollAfterFailures(failures, config.pollingIntervalSeconds, Date.now());
      await this.projects.recordFailure(project.id, `poll: ${error}`, next);
      this.logger.warn(
        `project ${project.slug}: poll failed after ${config.retryCount + 1} attempt(s): ${error}${next ? `; next poll not before ${next.toISOString()}` : ''}`,
      );
      return 'failed';
    }
    const result = await this.statuses.ingest(project, config, response.body, 'polling');
    await this.projects.recordSuccess(project.id);
    if (result.changed > 0) {
      this.logger.log(
        `project ${project.slug}: poll stored ${result.changed} change(s) of ${result.received} unit(s)`,
      );
    }
    return 'stored';
  }
}
