import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  type LdapCreateUserReply,
  LdapCreateUserRequestDto,
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

  @MessagePattern(RPC_PATTERNS.ldap.updateUser)
  updateUser(@RpcData() request: LdapUpdateUserRequestDto): Promise<LdapUpdateUserReply> {
    return this.writes.updateUser(request);
  }
}
