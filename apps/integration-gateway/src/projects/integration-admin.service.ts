import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type {
  IntegrationConfigView,
  ProjectRequestDto,
  SaveIntegrationConfigRequestDto,
  WebhookSecretView,
} from '@gatehouse/contracts';
import { PollingService } from '../polling/polling.service';
import { SseSupervisor } from '../sse/sse.supervisor';
import { WebhooksService } from '../webhooks/webhooks.service';
import { IntegrationConfigService } from './integration-config.service';

/** Saving a config also re-applies how its updates arrive: the poll schedule, the SSE consumer,
 *  the webhook secret cache. */
@Injectable()
export class IntegrationAdminService {
  private readonly logger = new Logger(IntegrationAdminService.name);

  constructor(
    private readonly configs: IntegrationConfigService,
    private readonly polling: PollingService,
    private readonly sse: SseSupervisor,
    private readonly webhooks: WebhooksService,
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
}
