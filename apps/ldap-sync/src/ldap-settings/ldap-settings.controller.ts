import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  type LdapConfigView,
  type LdapFieldMappingView,
  LdapSaveConfigRequestDto,
  LdapSaveFieldMappingRequestDto,
  LdapTenantRequestDto,
  type LdapTestConnectionReply,
  LdapTestConnectionRequestDto,
  RPC_PATTERNS,
} from '@gatehouse/contracts';
import { RpcData } from '@gatehouse/platform';
import { LdapSettingsService } from './ldap-settings.service';

@Controller()
export class LdapSettingsController {
  constructor(private readonly settings: LdapSettingsService) {}

  @MessagePattern(RPC_PATTERNS.ldap.getConfig)
  getConfig(@RpcData() request: LdapTenantRequestDto): Promise<LdapConfigView> {
    return this.settings.getConfig(request.tenantId);
  }

  @MessagePattern(RPC_PATTERNS.ldap.saveConfig)
  saveConfig(@RpcData() request: LdapSaveConfigRequestDto): Promise<LdapConfigView> {
    return this.settings.saveConfig(request);
  }

  @MessagePattern(RPC_PATTERNS.ldap.testConnection)
  testConnection(
    @RpcData() request: LdapTestConnectionRequestDto,
  ): Promise<LdapTestConnectionReply> {
    const { tenantId, ...settings } = request;
    return this.settings.testConnection(tenantId, settings);
  }

  @MessagePattern(RPC_PATTERNS.ldap.getFieldMapping)
  getFieldMapping(@RpcData() request: LdapTenantRequestDto): Promise<LdapFieldMappingView> {
    return this.settings.getFieldMapping(request.tenantId);
  }

  @MessagePattern(RPC_PATTERNS.ldap.saveFieldMapping)
  saveFieldMapping(
    @RpcData() request: LdapSaveFieldMappingRequestDto,
  ): Promise<LdapFieldMappingView> {
    return this.settings.saveFieldMapping(request);
  }
}
