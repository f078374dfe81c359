import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  type LdapUserResyncReply,
  LdapUserResyncRequestDto,
  RPC_PATTERNS,
} from '@gatehouse/contracts';
import { currentRequestId, RpcData } from '@gatehouse/platform';
import { SYNC_AUDIT_ACTOR_SYSTEM } from '../audit/sync-audit.service';
import { UserResyncService } from './user-resync.service';

@Controller()
export class UserResyncController {
  constructor(private readonly resync: UserResyncService) {}

  @MessagePattern(RPC_PATTERNS.ldap.resyncUser)
  resyncUser(@RpcData() request: LdapUserResyncRequestDto): Promise<LdapUserResyncReply> {
    return this.resync.resync(request.tenantId, request.username, {
      actorId: request.actorId ?? null,
      actorName: request.actorName ?? SYNC_AUDIT_ACTOR_SYSTEM.actorName,
      clientAddress: request.clientAddress ?? null,
      requestId: request.requestId ?? currentRequestId() ?? null,
    });
  }
}
