import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  type LdapGroupRoleMappingsReply,
  LdapSaveGroupRoleMappingsRequestDto,
  LdapTenantRequestDto,
  RPC_PATTERNS,
} from '@gatehouse/contracts';
import { RpcData } from '@gatehouse/platform';
import { GroupRoleMappingService } from './group-role-mapping.service';

@Controller()
export class GroupRoleMappingController {
  constructor(private readonly mappings: GroupRoleMappingService) {}

  @MessagePattern(RPC_PATTERNS.ldap.getGroupRoleMappings)
  list(@RpcData() request: LdapTenantRequestDto): Promise<LdapGroupRoleMappingsReply> {
    return this.mappings.list(request.tenantId);
  }

  @MessagePattern(RPC_PATTERNS.ldap.saveGroupRoleMappings)
  save(
    @RpcData() request: LdapSaveGroupRoleMappingsRequestDto,
  ): Promise<LdapGroupRoleMappingsReply> {
    return this.mappings.save(request);
  }
}
