import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { INTEGRATION_GATEWAY_CONFIG } from '../integration-gateway.tokens';
import type { IntegrationGatewayConfig } from '../integration-gateway.config';
import { INTEGRATION_POLL_QUEUE, type PollJobData } from './polling.options';
import { PollingService } from './polling.service';

/** Runs polls (INTEGRATION_POLL_CONCURRENCY at a time per replica); at start, re-applies every
 *  project's schedule from the stored configs. */
@Processor(INTEGRATION_POLL_QUEUE)
export class PollingProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(PollingProcessor.name);

  constructor(
    private readonly polling: PollingService,
    @Inject(INTEGRATION_GATEWAY_CONFIG) private readonly config: IntegrationGatewayConfig,
  ) {
    super();
  }

  async process(job: Job<PollJobData>): Promise<string> {
    return this.polling.poll(job.data.projectId);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.worker.concurrency = this.config.INTEGRATION_POLL_CONCURRENCY;
    try {
      const count = await this.polling.reconcile();
      this.logger.log(`poll schedules reconciled: ${count} polling project(s)`);
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`reconciling poll schedules failed: ${message}`);
    }
  }
}
