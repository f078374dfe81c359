import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  type LdapAuthenticateReply,
  LdapAuthenticateRequestDto,
  RPC_PATTERNS,
} from '@gatehouse/contracts';
import { RpcData } from '@gatehouse/platform';
import { LdapAuthService } from './ldap-auth.service';

@Controller()
export class LdapAuthController {
  constructor(private readonly auth: LdapAuthService) {}

  @MessagePattern(RPC_PATTERNS.ldap.authenticate)
  authenticate(@RpcData() request: LdapAuthenticateRequestDto): Promise<LdapAuthenticateReply> {
    return this.auth.authenticate(request);
  }
}
