import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import {
  type AccessTokenClaims,
  type ApiEnvelope,
  PERMISSIONS,
  successEnvelope,
} from '@gatehouse/contracts';
import { Actor } from '../audit/audit-actor.decorator';
import type { AuditActor } from '../audit/audit.types';
import { Caller, RequirePermission } from '../guards/auth.decorators';
import type { ApplicationView } from './applications.repository';
import { type ApplicationWithSecret, ApplicationsService } from './applications.service';
import {
  ApplicationIdParam,
  CreateApplicationDto,
  UpdateApplicationDto,
} from './dto/application.dto';

/** OAuth client applications (seed 002): register, list, edit, rotate the secret, disable. */
@Controller('api/v1/admin/applications')
export class ApplicationsController {
  constructor(private readonly apps: ApplicationsService) {}

  @Get()
  @RequirePermission(PERMISSIONS.applicationsRead)
  async list(@Caller() caller: AccessTokenClaims): Promise<ApiEnvelope<ApplicationView[]>> {
    return successEnvelope(await this.apps.list(caller.tenant_id));
  }

  @Post()
  @RequirePermission(PERMISSIONS.applicationsWrite)
  async register(
    @Actor() actor: AuditActor,
    @Body() body: CreateApplicationDto,
  ): Promise<ApiEnvelope<ApplicationWithSecret>> {
    return successEnvelope(await this.apps.register(actor, body));
  }

  /** Never answers the secret (it is not stored): only the settings. */
  @Put(':id')
  @RequirePermission(PERMISSIONS.applicationsWrite)
  async update(
    @Actor() actor: AuditActor,
    @Param() params: ApplicationIdParam,
    @Body() body: UpdateApplicationDto,
  ): Promise<ApiEnvelope<ApplicationView>> {
    return successEnvelope(await this.apps.update(actor, params.id, body));
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RequirePermission(PERMISSIONS.applicationsWrite)
  async rotate(
    @Actor() actor: AuditActor,
    @Param() params: ApplicationIdParam,
  ): Promise<ApiEnvelope<ApplicationWithSecret>> {
    return successEnvelope(await this.apps.rotateSecret(actor, params.id));
  }

  @Post(':id/disable')
  @HttpCode(200)
  @RequirePermission(PERMISSIONS.applicationsWrite)
  async disable(
    @Actor() actor: AuditActor,
    @Param() params: ApplicationIdParam,
  ): Promise<ApiEnvelope<ApplicationView>> {
    return successEnvelope(await this.apps.disable(actor, params.id));
  }
}
