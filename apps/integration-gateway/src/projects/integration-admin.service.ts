import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type {
  DeleteProjectReply,
  DeleteProjectRequestDto,
  IntegrationConfigView,
  ProjectRequestDto,
  SaveIntegrationConfigRequestDto,
  WebhookSecretView,
} from '@gatehouse/contracts';
import { PollingService } from '../polling/polling.service';
import { SseLease } from '../sse/sse-lease';
import { SseSupervisor } from '../sse/sse.supervisor';
import { WebhooksService } from '../webhooks/webhooks.service';
import { IntegrationConfigService } from './integration-config.service';
import { ProjectsRepository } from './projects.repository';

/** Saving a config also re-applies how its updates arrive: the poll schedule, the SSE consumer,
 *  the webhook secret cache; deleting a project stops all three. */
@Injectable()
export class IntegrationAdminService {
  private readonly logger = new Logger(IntegrationAdminService.name);

  constructor(
    private readonly configs: IntegrationConfigService,
    private readonly polling: PollingService,
    private readonly sse: SseSupervisor,
    private readonly webhooks: WebhooksService,
    private readonly projects: ProjectsRepository,
    private readonly sseLease: SseLease,
  ) {}

  async saveConfig(request: SaveIntegrationConfigRequestDto): Promise<IntegrationConfigView> {
    const { project, view, row } = await this.configs.save(request);
    this.webhooks.invalidate(project.slug);
    try {
      await this.polling.schedule(row);
    } catch (error: unknown) {
      // Re-applied when any replica starts; the config itself is saved.
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`project ${project.slug}: poll schedule not updated: ${message}`);
    }
    this.sse.refreshSoon();
    return view;
  }

  /** A fresh Standard Webhooks secret (32 random bytes), stored like any PUT would store it and
   *  answered once; the previous secret stops verifying at once. */
  async rotateWebhookSecret(request: ProjectRequestDto): Promise<WebhookSecretView> {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    await this.saveConfig({ ...request, webhook_secret: secret });
    return { webhook_secret: secret };
  }

  /**
   * Deletes a project and stops everything that feeds it. Every step is idempotent: the Redis
   * transport delivers this call to every replica, and each one closes its own SSE consumer and
   * drops its own webhook cache at once (a replica that missed the call notices within one
   * supervisor tick: the config is gone and the lease deleted, so it stops and does not renew).
   * The scheduler goes first so no new poll starts; a poll already running finds no project.
   */
  async deleteProject(request: DeleteProjectRequestDto): Promise<DeleteProjectReply> {
    const { tenantId, slug, projectId } = request;
    await this.polling.unschedule(projectId);
    const deleted = await this.projects.delete(tenantId, projectId);
    await this.sse.stopProject(projectId);
    await this.sseLease.forget(projectId);
    const replayIds = await this.webhooks.forget(slug, projectId);
    if (deleted) {
      this.logger.log(
        `project ${slug} (tenant ${tenantId}): deleted with its config, unit statuses and change log; ${replayIds} webhook replay id(s) forgotten`,
      );
    }
    return { deleted };
  }
}
