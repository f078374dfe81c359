import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  type AccessTokenClaims,
  type ApiEnvelope,
  PERMISSIONS,
  successEnvelope,
} from '@gatehouse/contracts';
import { Actor } from '../audit/audit-actor.decorator';
import type { AuditActor } from '../audit/audit.types';
import { Caller, RequirePermission } from '../guards/auth.decorators';
import { AdminUsersService } from './admin-users.service';
import type { AdminUserView, UserSearchPage } from './admin-users.types';
import { SearchUsersQuery } from './dto/search-users.query';
import { UserIdParam } from './dto/user-id.param';
import { CreateUserDto, UpdateUserDto } from './dto/user-write.dto';

/** Seed 002's user administration under `/api/v1/admin/users`, tenant from the token. */
@Controller('api/v1/admin/users')
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  @Get('search')
  @RequirePermission(PERMISSIONS.usersRead)
  async search(
    @Caller() caller: AccessTokenClaims,
    @Query() query: SearchUsersQuery,
  ): Promise<ApiEnvelope<UserSearchPage>> {
    return successEnvelope(
      await this.users.search(caller.tenant_id, {
        keyword: query.keyword,
        source: query.source === 'local' || query.source === 'ldap' ? query.source : undefined,
        system: query.system,
        role: query.role,
        active: query.active === undefined ? undefined : query.active === 'true',
        sort: query.sort ?? 'createdAt',
        order: query.order === 'asc' ? 'asc' : 'desc',
        page: Number(query.page ?? 1),
        size: Number(query.size ?? 20),
      }),
    );
  }

  @Get(':id')
  @RequirePermission(PERMISSIONS.usersRead)
  async get(
    @Caller() caller: AccessTokenClaims,
    @Param() params: UserIdParam,
  ): Promise<ApiEnvelope<AdminUserView>> {
    return successEnvelope(await this.users.get(caller.tenant_id, params.id));
  }

  @Post()
  @RequirePermission(PERMISSIONS.usersWrite)
  async create(
    @Actor() actor: AuditActor,
    @Body() body: CreateUserDto,
  ): Promise<ApiEnvelope<AdminUserView>> {
    return successEnvelope(await this.users.create(actor, body), '用户创建成功');
  }

  @Put(':id')
  @RequirePermission(PERMISSIONS.usersWrite)
  async update(
    @Actor() actor: AuditActor,
    @Param() params: UserIdParam,
    @Body() body: UpdateUserDto,
  ): Promise<ApiEnvelope<AdminUserView>> {
    return successEnvelope(await this.users.update(actor, params.id, body));
  }

  /** Deactivates the user and ends its sessions; see `hard-delete` for removing the row. */
  @Delete(':id')
  @RequirePermission(PERMISSIONS.usersWrite)
  async deactivate(
    @Actor() actor: AuditActor,
    @Param() params: UserIdParam,
  ): Promise<ApiEnvelope<AdminUserView>> {
    return successEnvelope(await this.users.deactivate(actor, params.id));
  }

  @Post(':id/hard-delete')
  @HttpCode(200)
  @RequirePermission(PERMISSIONS.usersWrite)
  async hardDelete(
    @Actor() actor: AuditActor,
    @Param() params: UserIdParam,
  ): Promise<ApiEnvelope<null>> {
    await this.users.hardDelete(actor, params.id);
    return successEnvelope(null);
  }

  @Post(':id/logout')
  @HttpCode(200)
  @RequirePermission(PERMISSIONS.usersWrite)
  async logout(
    @Actor() actor: AuditActor,
    @Param() params: UserIdParam,
  ): Promise<ApiEnvelope<{ revokedSessions: number }>> {
    return successEnvelope(await this.users.logout(actor, params.id));
  }
}
