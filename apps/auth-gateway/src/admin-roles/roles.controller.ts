import { Body, Controller, Delete, Get, Param, Put, Post, Query } from '@nestjs/common';
import {
  type AccessTokenClaims,
  type ApiEnvelope,
  PERMISSIONS,
  successEnvelope,
} from '@gatehouse/contracts';
import { Actor } from '../audit/audit-actor.decorator';
import type { AuditActor } from '../audit/audit.types';
import { Caller, RequirePermission } from '../guards/auth.decorators';
import {
  ConfirmQuery,
  CreateRoleDto,
  RoleIdParam,
  RoleListQuery,
  UpdateRoleDto,
} from './dto/role.dto';
import type { RoleView } from './roles.repository';
import { RolesService } from './roles.service';

/** Roles of the tenant's systems (AMS, BMS, TTS, HDTS, ...). */
@Controller('api/v1/admin/roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @RequirePermission(PERMISSIONS.rolesRead)
  async list(
    @Caller() caller: AccessTokenClaims,
    @Query() query: RoleListQuery,
  ): Promise<ApiEnvelope<RoleView[]>> {
    return successEnvelope(await this.roles.list(caller.tenant_id, query.system));
  }

  @Post()
  @RequirePermission(PERMISSIONS.rolesWrite)
  async create(
    @Actor() actor: AuditActor,
    @Body() body: CreateRoleDto,
  ): Promise<ApiEnvelope<RoleView>> {
    return successEnvelope(await this.roles.create(actor, body));
  }

  @Put(':id')
  @RequirePermission(PERMISSIONS.rolesWrite)
  async update(
    @Actor() actor: AuditActor,
    @Param() params: RoleIdParam,
    @Body() body: UpdateRoleDto,
  ): Promise<ApiEnvelope<RoleView>> {
    return successEnvelope(await this.roles.update(actor, params.id, body));
  }

  @Delete(':id')
  @RequirePermission(PERMISSIONS.rolesWrite)
  async remove(
    @Actor() actor: AuditActor,
    @Param() params: RoleIdParam,
    @Query() query: ConfirmQuery,
  ): Promise<ApiEnvelope<null>> {
    await this.roles.remove(actor, params.id, query.confirm === 'true');
    return successEnvelope(null);
  }
}
