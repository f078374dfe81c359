import { Body, Controller, Delete, Param, Post } from '@nestjs/common';
import {
  type AccessTokenClaims,
  type ApiEnvelope,
  PERMISSIONS,
  successEnvelope,
} from '@gatehouse/contracts';
import { UserIdParam } from '../admin-users/dto/user-id.param';
import { Actor } from '../audit/audit-actor.decorator';
import type { AuditActor } from '../audit/audit.types';
import { Caller, RequirePermission } from '../guards/auth.decorators';
import type { AdminRoleView } from './admin-roles.repository';
import { AdminRolesService } from './admin-roles.service';
import { GrantAdminRoleDto, GrantRoleDto, UserRoleParams } from './dto/grant.dto';
import type { RoleView } from './roles.repository';
import { RolesService } from './roles.service';

/** Grants of system roles and admin roles to users. */
@Controller('api/v1/admin/users/:id')
export class GrantsController {
  constructor(
    private readonly roles: RolesService,
    private readonly adminRoles: AdminRolesService,
  ) {}

  @Post('roles')
  @RequirePermission(PERMISSIONS.rolesWrite)
  async grant(
    @Actor() actor: AuditActor,
    @Param() params: UserIdParam,
    @Body() body: GrantRoleDto,
  ): Promise<ApiEnvelope<RoleView>> {
    return successEnvelope(await this.roles.grant(actor, params.id, String(body.roleId)));
  }

  @Delete('roles/:roleId')
  @RequirePermission(PERMISSIONS.rolesWrite)
  async revoke(
    @Actor() actor: AuditActor,
    @Param() params: UserRoleParams,
  ): Promise<ApiEnvelope<null>> {
    await this.roles.revoke(actor, params.id, params.roleId);
    return successEnvelope(null);
  }

  @Post('admin-roles')
  @RequirePermission(PERMISSIONS.rolesWrite)
  async grantAdmin(
    @Actor() actor: AuditActor,
    @Caller() caller: AccessTokenClaims,
    @Param() params: UserIdParam,
    @Body() body: GrantAdminRoleDto,
  ): Promise<ApiEnvelope<AdminRoleView>> {
    return successEnvelope(
      await this.adminRoles.grant(actor, caller.permissions, params.id, String(body.adminRoleId)),
    );
  }

  @Delete('admin-roles/:roleId')
  @RequirePermission(PERMISSIONS.rolesWrite)
  async revokeAdmin(
    @Actor() actor: AuditActor,
    @Caller() caller: AccessTokenClaims,
    @Param() params: UserRoleParams,
  ): Promise<ApiEnvelope<null>> {
    await this.adminRoles.revoke(actor, caller.permissions, params.id, params.roleId);
    return successEnvelope(null);
  }
}
