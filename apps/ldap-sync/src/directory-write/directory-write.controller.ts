import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  type DirectoryWriteSettingsView,
  type LdapCreateUserReply,
  LdapCreateUserRequestDto,
  LdapSaveDirectoryWriteRequestDto,
  LdapTenantRequestDto,
  type LdapUpdateUserReply,
  LdapUpdateUserRequestDto,
  RPC_PATTERNS,
} from '@gatehouse/contracts';
import { RpcData } from '@gatehouse/platform';
import { DirectoryWriteService } from './directory-write.service';

@Controller()
export class DirectoryWriteController {
  constructor(private readonly writes: DirectoryWriteService) {}

  @MessagePattern(RPC_PATTERNS.ldap.createUser)
  createUser(@RpcData() request: LdapCreateUserRequestDto): Promise<LdapCreateUserReply> {
    return this.writes.createUser(request);
  }

  @MessagePattern(RPC_PATTERNS.ldap.getDirectoryWrite)
  getSettings(@RpcData() request: LdapTenantRequestDto): Promise<DirectoryWriteSettingsView> {
    return this.writes.getSettings(request.tenantId);
  }

  @MessagePattern(RPC_PATTERNS.ldap.saveDirectoryWrite)
  saveSettings(
    @RpcData() request: LdapSaveDirectoryWriteRequestDto,
  ): Promise<DirectoryWriteSettingsView> {
    return this.writes.saveSettings(request);
  }

  @MessagePattern(RPC_PATTERNS.ldap.updateUser)
  updateUser(@RpcData() request: LdapUpdateUserRequestDto): Promise<LdapUpdateUserReply> {
    return this.writes.updateUser(request);
  }
}
