import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  LdapAuthenticateRequestDto,
  type LdapDirectoryUser,
  type LdapGroupMembersReply,
  LdapGroupMembersRequestDto,
  type LdapGroupView,
  LdapSearchUsersRequestDto,
  LdapTenantRequestDto,
  type LdapTestAuthReply,
  RPC_PATTERNS,
} from '@gatehouse/contracts';
import { RpcData } from '@gatehouse/platform';
import { DirectoryService } from './directory.service';

@Controller()
export class DirectoryController {
  constructor(private readonly directory: DirectoryService) {}

  @MessagePattern(RPC_PATTERNS.ldap.testAuth)
  testAuth(@RpcData() request: LdapAuthenticateRequestDto): Promise<LdapTestAuthReply> {
    return this.directory.testAuth(request.tenantId, request.username, request.password);
  }

  @MessagePattern(RPC_PATTERNS.ldap.searchUsers)
  searchUsers(@RpcData() request: LdapSearchUsersRequestDto): Promise<LdapDirectoryUser[]> {
    const { tenantId, ...query } = request;
    return this.directory.searchUsers(tenantId, query);
  }

  @MessagePattern(RPC_PATTERNS.ldap.groups)
  groups(@RpcData() request: LdapTenantRequestDto): Promise<LdapGroupView[]> {
    return this.directory.groups(request.tenantId);
  }

  @MessagePattern(RPC_PATTERNS.ldap.groupMembers)
  groupMembers(@RpcData() request: LdapGroupMembersRequestDto): Promise<LdapGroupMembersReply> {
    return this.directory.groupMembers(
      request.tenantId,
      request.groupDN,
      request.page,
      request.size,
    );
  }
}
