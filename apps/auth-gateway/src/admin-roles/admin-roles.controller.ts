import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import {
  type AccessTokenClaims,
  type ApiEnvelope,
  PERMISSIONS,
  successEnvelope,
} from '@gatehouse/contracts';
import { Actor } from '../audit/audit-actor.decorator';
import type { AuditActor } from '../audit/audit.types';
import { Caller, RequirePermission } from '../guards/auth.decorators';
import type { AdminRoleView } from './admin-roles.repository';
import { AdminRolesService } from './admin-roles.service';
import { CreateAdminRoleDto, UpdateAdminRoleDto } from './dto/admin-role.dto';
import { ConfirmQuery, RoleIdParam } from './dto/role.dto';

/** Admin roles: named lists of management permissions. */
@Controller('api/v1/admin/admin-roles')
export class AdminRolesController {
  constructor(private readonly roles: AdminRolesService) {}

  @Get()
  @RequirePermission(PERMISSIONS.rolesRead)
  async list(@Caller() caller: AccessTokenClaims): Promise<ApiEnvelope<AdminRoleView[]>> {
    return successEnvelope(await this.roles.list(caller.tenant_id));
  }

  @Post()
  @RequirePermission(PERMISSIONS.rolesWrite)
  async create(
    @Actor() actor: AuditActor,
    @Caller() caller: AccessTokenClaims,
    @Body() body: CreateAdminRoleDto,
  ): Promise<ApiEnvelope<AdminRoleView>> {
    return successEnvelope(
      await this.roles.create(actor, caller.permissions, body.name, body.permissions),
    );
  }

  @Put(':id')
  @RequirePermission(PERMISSIONS.rolesWrite)
  async update(
    @Actor() actor: AuditActor,
    @Caller() caller: AccessTokenClaims,
    @Param() params: RoleIdParam,
    @Body() body: UpdateAdminRoleDto,
  ): Promise<ApiEnvelope<AdminRoleView>> {
    return successEnvelope(await this.roles.update(actor, caller.permissions, params.id, body));
  }

  @Delete(':id')
  @RequirePermission(PERMISSIONS.rolesWrite)
  async remove(
    @Actor() actor: AuditActor,
    @Caller() caller: AccessTokenClaims,
    @Param() params: RoleIdParam,
    @Query() query: ConfirmQuery,
  ): Promise<ApiEnvelope<null>> {
    await this.roles.remove(actor, caller.permissions, params.id, query.confirm === 'true');
    return successEnvelope(null);
  }
}
