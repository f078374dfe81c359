import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  type LdapUserResyncReply,
  LdapUserResyncRequestDto,
  RPC_PATTERNS,
} from '@gatehouse/contracts';
import { RpcData } from '@gatehouse/platform';
import { UserResyncService } from './user-resync.service';

@Controller()
export class UserResyncController {
  constructor(private readonly resync: UserResyncService) {}

  @MessagePattern(RPC_PATTERNS.ldap.resyncUser)
  resyncUser(@RpcData() request: LdapUserResyncRequestDto): Promise<LdapUserResyncReply> {
    return this.resync.resync(request.tenantId, request.username);
  }
}
