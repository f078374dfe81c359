import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import {
  type AccessTokenClaims,
  type ApiEnvelope,
  DomainError,
  ErrorCode,
  LdapGroupRoleMappingsBodyDto,
  type LdapGroupRoleMappingsReply,
  type LdapUserResyncReply,
  PERMISSIONS,
  successEnvelope,
} from '@gatehouse/contracts';
import { Actor } from '../audit/audit-actor.decorator';
import type { AuditActor } from '../audit/audit.types';
import { Caller, RequirePermission } from '../guards/auth.decorators';
import { LdapDirectorySyncService } from './ldap-directory-sync.service';

/** Issue #4 additions to seed 003's `/api/v1/ldap`: directory group → role mappings and the
 *  re-sync of one directory user; admin only, tenant from the token. */
@Controller('api/v1/ldap')
export class LdapDirectorySyncController {
  constructor(private readonly ldap: LdapDirectorySyncService) {}

  @Get('group-role-mappings')
  @RequirePermission(PERMISSIONS.ldapRead)
  async groupRoleMappings(
    @Caller() caller: AccessTokenClaims,
  ): Promise<ApiEnvelope<LdapGroupRoleMappingsReply>> {
    return successEnvelope(await this.ldap.groupRoleMappings(caller));
  }

  @Put('group-role-mappings')
  @RequirePermission(PERMISSIONS.ldapWrite)
  async saveGroupRoleMappings(
    @Caller() caller: AccessTokenClaims,
    @Body() body: LdapGroupRoleMappingsBodyDto,
  ): Promise<ApiEnvelope<LdapGroupRoleMappingsReply>> {
    return successEnvelope(await this.ldap.saveGroupRoleMappings(caller, body.mappings));
  }

  /** `username` arrives URL-encoded in one path segment; it is RFC 4515-escaped by ldap-sync. */
  @Post('users/:username/sync')
  @HttpCode(200)
  @RequirePermission(PERMISSIONS.ldapWrite)
  async resyncUser(
    @Caller() caller: AccessTokenClaims,
    @Actor() actor: AuditActor,
    @Param('username') username: string,
  ): Promise<ApiEnvelope<LdapUserResyncReply>> {
    if (username.length === 0 || username.length > 256) {
      throw new DomainError(ErrorCode.ValidationFailed, undefined, [
        { field: 'username', message: 'username must be 1 to 256 characters' },
      ]);
    }
    return successEnvelope(await this.ldap.resyncUser(caller, actor, username), '用户同步完成');
  }
}
