import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { type PingReply, PingRequestDto, RPC_PATTERNS } from '@gatehouse/contracts';
import { APP_IDENTITY, type AppIdentity, pingReply, RpcData } from '@gatehouse/platform';

@Controller()
export class PingController {
  constructor(@Inject(APP_IDENTITY) private readonly identity: AppIdentity) {}

  @MessagePattern(RPC_PATTERNS.ldap.ping)
  ping(@RpcData() request: PingRequestDto): PingReply {
    return pingReply(this.identity.name, this.identity.startedAt, request);
  }
}
