import { Public } from '../http/public.decorator';
import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  type ApiEnvelope,
  ErrorCode,
  errorEnvelope,
  PROBE_PATHS,
  successEnvelope,
} from '@gatehouse/contracts';
import { APP_IDENTITY, type AppIdentity } from '../config/config.tokens';
import { currentRequestId } from '../logging/request-context';
import type { ReadinessReport } from './readiness-check';
import { ReadinessService } from './readiness.service';

interface LivenessBody {
  status: 'up';
  app: string;
  uptimeSeconds: number;
}

@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    @Inject(APP_IDENTITY) private readonly identity: AppIdentity,
  ) {}

  /** Liveness: the process is running and its event loop answers. No dependency is consulted, so
   *  a database outage never gets the pod restarted. */
  @Get(PROBE_PATHS.liveness)
  health(): ApiEnvelope<LivenessBody> {
    return successEnvelope({
      status: 'up',
      app: this.identity.name,
      uptimeSeconds: Math.round((Date.now() - this.identity.startedAt) / 1000),
    });
  }

  @Get(PROBE_PATHS.readiness)
  async ready(
    @Res({ passthrough: true }) res: Response,
  ): Promise<ApiEnvelope<ReadinessReport | null>> {
    const report = await this.readiness.report();
    if (report.status === 'up') return successEnvelope(report);
    res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return errorEnvelope(
      ErrorCode.NotReady,
      `Not ready: ${report.down.join(', ')} down`,
      { requestId: currentRequestId() },
      report,
    );
  }
}
