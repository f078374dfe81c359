import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  type AccessTokenClaims,
  type ApiEnvelope,
  DomainError,
  ErrorCode,
  LDAP_SYNC_RUN_ID,
  LdapConfigBodyDto,
  type LdapConfigView,
  type LdapDirectoryUser,
  LdapFieldMappingBodyDto,
  type LdapFieldMappingView,
  LdapGroupMembersQueryDto,
  type LdapGroupMembersReply,
  type LdapGroupView,
  LdapSearchUsersBodyDto,
  type LdapSyncDetailView,
  type LdapSyncHistoryPage,
  LdapSyncHistoryQueryDto,
  type LdapSyncRunView,
  type LdapSyncStatusLabel,
  LdapSyncUsersQueryDto,
  LdapTestAuthBodyDto,
  type LdapTestAuthReply,
  LdapTestConnectionBodyDto,
  type LdapTestConnectionReply,
  PERMISSIONS,
  successEnvelope,
} from '@gatehouse/contracts';
import { Actor } from '../audit/audit-actor.decorator';
import type { AuditActor } from '../audit/audit.types';
import { Caller, RequirePermission } from '../guards/auth.decorators';
import { LdapAdminService } from './ldap-admin.service';

/** seed 003 "LDAP集成" (configuration, tests, directory reads, field mapping); admin only. */
@Controller('api/v1/ldap')
export class LdapController {
  constructor(private readonly ldap: LdapAdminService) {}

  @Get('config')
  @RequirePermission(PERMISSIONS.ldapRead)
  async getConfig(@Caller() caller: AccessTokenClaims): Promise<ApiEnvelope<LdapConfigView>> {
    return successEnvelope(await this.ldap.getConfig(caller));
  }

  @Put('config')
  @RequirePermission(PERMISSIONS.ldapWrite)
  async saveConfig(
    @Caller() caller: AccessTokenClaims,
    @Body() body: LdapConfigBodyDto,
  ): Promise<ApiEnvelope<LdapConfigView>> {
    return successEnvelope(await this.ldap.saveConfig(caller, body));
  }

  @Post('test-connection')
  @HttpCode(200)
  @RequirePermission(PERMISSIONS.ldapWrite)
  async testConnection(
    @Caller() caller: AccessTokenClaims,
    @Body() body: LdapTestConnectionBodyDto,
  ): Promise<ApiEnvelope<LdapTestConnectionReply>> {
    return successEnvelope(await this.ldap.testConnection(caller, body ?? {}), '连接测试成功');
  }

  @Post('test-auth')
  @HttpCode(200)
  @RequirePermission(PERMISSIONS.ldapWrite)
  async testAuth(
    @Caller() caller: AccessTokenClaims,
    @Body() body: LdapTestAuthBodyDto,
  ): Promise<ApiEnvelope<LdapTestAuthReply>> {
    return successEnvelope(
      await this.ldap.testAuth(caller, body.username, body.password),
      '认证成功',
    );
  }

  @Post('search-users')
  @HttpCode(200)
  @RequirePermission(PERMISSIONS.ldapRead)
  async searchUsers(
    @Caller() caller: AccessTokenClaims,
    @Body() body: LdapSearchUsersBodyDto,
  ): Promise<ApiEnvelope<LdapDirectoryUser[]>> {
    return successEnvelope(await this.ldap.searchUsers(caller, body));
  }

  @Get('groups')
  @RequirePermission(PERMISSIONS.ldapRead)
  async groups(@Caller() caller: AccessTokenClaims): Promise<ApiEnvelope<LdapGroupView[]>> {
    return successEnvelope(await this.ldap.groups(caller));
  }

  /** `groupDN` arrives URL-encoded in one path segment and is decoded by the router. */
  @Get('groups/:groupDN/members')
  @RequirePermission(PERMISSIONS.ldapRead)
  async groupMembers(
    @Caller() caller: AccessTokenClaims,
    @Param('groupDN') groupDN: string,
    @Query() query: LdapGroupMembersQueryDto,
  ): Promise<ApiEnvelope<LdapGroupMembersReply>> {
    return successEnvelope(
      await this.ldap.groupMembers(caller, groupDN, {
        page: query.page === undefined ? undefined : Number(query.page),
        size: query.size === undefined ? undefined : Number(query.size),
      }),
    );
  }

  @Get('field-mapping')
  @RequirePermission(PERMISSIONS.ldapRead)
  async getFieldMapping(
    @Caller() caller: AccessTokenClaims,
  ): Promise<ApiEnvelope<LdapFieldMappingView>> {
    return successEnvelope(await this.ldap.getFieldMapping(caller));
  }

  @Put('field-mapping')
  @RequirePermission(PERMISSIONS.ldapWrite)
  async saveFieldMapping(
    @Caller() caller: AccessTokenClaims,
    @Body() body: LdapFieldMappingBodyDto,
  ): Promise<ApiEnvelope<LdapFieldMappingView>> {
    return successEnvelope(await this.ldap.saveFieldMapping(caller, body));
  }

  /** seed 003 "手动同步LDAP用户": queued, answered at once as 进行中 (`?dryRun=true`: the plan,
   *  nothing written); LDAP_005 while the tenant has a run in progress. */
  @Post('sync-users')
  @HttpCode(200)
  @RequirePermission(PERMISSIONS.ldapWrite)
  async syncUsers(
    @Caller() caller: AccessTokenClaims,
    @Actor() actor: AuditActor,
    @Query() query: LdapSyncUsersQueryDto,
  ): Promise<ApiEnvelope<LdapSyncRunView | LdapSyncDetailView>> {
    const dryRun = query.dryRun === 'true';
    const run = await this.ldap.syncUsers(caller, actor, {
      dryRun,
      force: query.force === 'true',
      mode: query.mode === 'incremental' ? 'incremental' : 'full',
    });
    if (dryRun) return successEnvelope(run, '同步预览完成');
    const { details: _details, ...view } = run;
    return successEnvelope(view, '同步任务已启动');
  }

  @Get('sync-history')
  @RequirePermission(PERMISSIONS.ldapRead)
  async syncHistory(
    @Caller() caller: AccessTokenClaims,
    @Query() query: LdapSyncHistoryQueryDto,
  ): Promise<ApiEnvelope<LdapSyncHistoryPage>> {
    const size = Number(query.size ?? 10);
    if (size > 100) {
      throw new DomainError(ErrorCode.ValidationFailed, undefined, [
        { field: 'size', message: 'size must be an integer from 1 to 100' },
      ]);
    }
    return successEnvelope(
      await this.ldap.syncHistory(caller, {
        page: Number(query.page ?? 1),
        size,
        ...(query.status ? { status: query.status as LdapSyncStatusLabel } : {}),
      }),
    );
  }

  @Get('sync-history/:id')
  @RequirePermission(PERMISSIONS.ldapRead)
  async syncDetail(
    @Caller() caller: AccessTokenClaims,
    @Param('id') id: string,
  ): Promise<ApiEnvelope<LdapSyncDetailView>> {
    if (!LDAP_SYNC_RUN_ID.test(id)) throw new DomainError(ErrorCode.NotFound, '同步记录不存在');
    return successEnvelope(await this.ldap.syncDetail(caller, id));
  }
}
