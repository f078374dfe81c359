import { Body, Controller, Get, Put } from '@nestjs/common';
import {
  type AccessTokenClaims,
  type ApiEnvelope,
  DirectoryWriteSettingsBodyDto,
  type DirectoryWriteSettingsView,
  PERMISSIONS,
  successEnvelope,
} from '@gatehouse/contracts';
import { Actor } from '../audit/audit-actor.decorator';
import type { AuditActor } from '../audit/audit.types';
import { Caller, RequirePermission } from '../guards/auth.decorators';
import { DirectoryWriteSettingsService } from './directory-write.service';

/** Whether the admin API writes users to the tenant's directory (seed 000's create_user), and the
 *  object classes of the entries it creates. */
@Controller('api/v1/admin/directory-write')
export class DirectoryWriteController {
  constructor(private readonly settings: DirectoryWriteSettingsService) {}

  @Get()
  @RequirePermission(PERMISSIONS.ldapRead)
  async get(@Caller() caller: AccessTokenClaims): Promise<ApiEnvelope<DirectoryWriteSettingsView>> {
    return successEnvelope(await this.settings.get(caller.tenant_id));
  }

  @Put()
  @RequirePermission(PERMISSIONS.ldapWrite)
  async save(
    @Actor() actor: AuditActor,
    @Body() body: DirectoryWriteSettingsBodyDto,
  ): Promise<ApiEnvelope<DirectoryWriteSettingsView>> {
    return successEnvelope(await this.settings.save(actor, body));
  }
}
