import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  LdapSyncDetailRequestDto,
  type LdapSyncDetailView,
  type LdapSyncHistoryPage,
  LdapSyncHistoryRequestDto,
  type LdapSyncScheduleReply,
  LdapSyncStartRequestDto,
  LdapTenantRequestDto,
  RPC_PATTERNS,
} from '@gatehouse/contracts';
import { RpcData } from '@gatehouse/platform';
import { SyncService } from './sync.service';

@Controller()
export class SyncController {
  constructor(private readonly sync: SyncService) {}

  @MessagePattern(RPC_PATTERNS.ldap.syncUsers)
  start(@RpcData() request: LdapSyncStartRequestDto): Promise<LdapSyncDetailView> {
    return this.sync.start(request);
  }

  @MessagePattern(RPC_PATTERNS.ldap.syncHistory)
  history(@RpcData() request: LdapSyncHistoryRequestDto): Promise<LdapSyncHistoryPage> {
    return this.sync.history(request);
  }

  @MessagePattern(RPC_PATTERNS.ldap.syncDetail)
  detail(@RpcData() request: LdapSyncDetailRequestDto): Promise<LdapSyncDetailView> {
    return this.sync.detail(request.tenantId, request.id);
  }

  @MessagePattern(RPC_PATTERNS.ldap.syncSchedule)
  schedule(@RpcData() request: LdapTenantRequestDto): Promise<LdapSyncScheduleReply> {
    return this.sync.schedule(request.tenantId);
  }
}
