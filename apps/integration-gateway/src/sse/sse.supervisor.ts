import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Agent } from 'undici';
import { authHeaders, statusUrl } from '../outbound/client-api';
import { InjectOutboundAgent } from '../outbound/outbound.tokens';
import {
  type ConfigRow,
  IntegrationConfigRepository,
} from '../projects/integration-config.repository';
import { IntegrationConfigService } from '../projects/integration-config.service';
import { ProjectsRepository } from '../projects/projects.repository';
import { UnitStatusService } from '../statuses/unit-status.service';
import { SseConsumer } from './sse.consumer';
import { SseLease } from './sse-lease';

/** How often leases are renewed and configs re-read. */
const TICK_MS = 5_000;

interface Running {
  consumer: SseConsumer;
  version: number;
}

/**
 * Keeps one consumer per `update_method: sse` project across all replicas: every tick it renews
 * the leases it holds (stopping a consumer whose lease was lost), stops consumers of projects no
 * longer on SSE or whose config changed, and takes free leases for the rest.
 */
@Injectable()
export class SseSupervisor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SseSupervisor.name);
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor(
    private readonly lease: SseLease,
    private readonly configs: IntegrationConfigRepository,
    private readonly configService: IntegrationConfigService,
    private readonly projects: ProjectsRepository,
    private readonly statuses: UnitStatusService,
    @InjectOutboundAgent() private readonly agent: Agent,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.refreshSoon(), TICK_MS);
    this.timer.unref();
    this.refreshSoon();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.busy;
    for (const [projectId, { consumer }] of this.running) {
      consumer.stop();
      await this.lease.release(projectId).catch(() => undefined);
    }
    this.running.clear();
  }

  /** Closes this replica's consumer of a project at once (a deleted project), releases its
   *  lease, and reconciles so a consumer being started concurrently is stopped too. */
  async stopProject(projectId: string): Promise<void> {
    const running = this.running.get(projectId);
    if (running) {
      running.consumer.stop();
      this.running.delete(projectId);
      await this.lease.release(projectId);
      this.logger.log(`project ${projectId}: SSE consumer stopped (project deleted)`);
    }
    this.refreshSoon();
  }

  /** Reconcile now (or right after the reconcile in progress). */
  refreshSoon(): void {
    if (this.closed) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = this.reconcile()
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn(`SSE reconcile failed: ${message}`);
      })
      .finally(() => {
        this.busy = null;
        if (this.again) {
          this.again = false;
          this.refreshSoon();
        }
      });
  }

  private async reconcile(): Promise<void> {
    const wanted = new Map((await this.configs.byMethod('sse')).map((c) => [c.projectId, c]));
    for (const [projectId, running] of this.running) {
      const config = wanted.get(projectId);
      const keep =
        config !== undefined &&
        config.updatedAt.getTime() === running.version &&
        (await this.lease.renew(projectId));
      if (!keep) {
        running.consumer.stop();
        this.running.delete(projectId);
        await this.lease.release(projectId);
      }
    }
    for (const config of wanted.values()) {
      if (this.closed || this.running.has(config.projectId)) continue;
      if (await this.lease.acquire(config.projectId)) await this.start(config);
    }
  }

  private async start(config: ConfigRow): Promise<void> {
    const project = await this.projects.findById(config.projectId);
    if (!project || !config.apiBaseUrl) return;
    const consumer = new SseConsumer({
      url: statusUrl(config.apiBaseUrl, config.statusEndpoint),
      agent: this.agent,
      headers: authHeaders(config.authType, this.configService.credentials(config)),
      idleMs: Math.max(3000, config.timeoutSeconds * 3000),
      initialLastEventId: await this.lease.lastEventId(project.id),
      onEvent: async (data, id) => {
        let payload: unknown;
        try {
          payload = JSON.parse(data) as unknown;
        } catch {
          this.logger.warn(`project ${project.slug}: SSE event ${id || '(no id)'} is not JSON`);
          return;
        }
        await this.statuses.ingest(project, config, payload, 'sse');
        if (id) await this.lease.saveLastEventId(project.id, id);
      },
      onOpen: () => {
        this.logger.log(`project ${project.slug}: SSE stream connected`);
        void this.projects.recordSuccess(project.id).catch(() => undefined);
      },
      onError: (message) => {
        this.logger.warn(`project ${project.slug}: SSE stream: ${message}; reconnecting`);
        void this.projects
          .recordFailure(project.id, `sse: ${message}`, null)
          .catch(() => undefined);
      },
    });
    this.running.set(config.projectId, { consumer, version: config.updatedAt.getTime() });
    consumer.start();
  }
}
