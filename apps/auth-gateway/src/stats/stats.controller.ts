import { Controller, Get } from '@nestjs/common';
import {
  type AccessTokenClaims,
  type ApiEnvelope,
  PERMISSIONS,
  successEnvelope,
} from '@gatehouse/contracts';
import { Caller, RequirePermission } from '../guards/auth.decorators';
import { StatsService } from './stats.service';
import type { AdminStats } from './stats.types';

@Controller('api/v1/admin/stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @RequirePermission(PERMISSIONS.systemRead)
  async get(@Caller() caller: AccessTokenClaims): Promise<ApiEnvelope<AdminStats>> {
    return successEnvelope(await this.stats.forTenant(caller.tenant_id));
  }
}
