import { Injectable, Logger } from '@nestjs/common';
import {
  type AccessTokenClaims,
  type LdapConfigBodyDto,
  type LdapConfigView,
  type LdapDirectoryUser,
  type LdapFieldMappingBodyDto,
  type LdapFieldMappingView,
  type LdapGroupMembersReply,
  type LdapGroupView,
  type LdapSearchUsersBodyDto,
  type LdapSyncDetailView,
  type LdapSyncMode,
  type LdapSyncHistoryPage,
  type LdapSyncStatusLabel,
  type LdapTestAuthReply,
  type LdapTestConnectionBodyDto,
  type LdapTestConnectionReply,
  RPC_PATTERNS,
} from '@gatehouse/contracts';
import type { RpcClient } from '@gatehouse/platform';
import { auditOrigin } from '../audit/audit-origin.util';
import type { AuditActor } from '../audit/audit.types';
import { InjectLdapSync } from '../peers/peer-clients';

/** Calls that talk to the directory: connect, bind and search are each bounded by ldap-sync's
 *  own LDAP timeout (5 s), so it gets the time to answer with a precise LDAP_00x. */
const DIRECTORY_TIMEOUT_MS = 12000;
/** A dry run reads the whole directory before it answers. */
const DRY_RUN_TIMEOUT_MS = 60000;

/** seed 003's LDAP management API, served by ldap-sync over Redis-RPC for the caller's tenant. */
@Injectable()
export class LdapAdminService {
  private readonly logger = new Logger(LdapAdminService.name);

  constructor(@InjectLdapSync() private readonly ldapSync: RpcClient) {}

  getConfig(caller: AccessTokenClaims): Promise<LdapConfigView> {
    return this.ldapSync.send(RPC_PATTERNS.ldap.getConfig, { tenantId: caller.tenant_id });
  }

  /** Saves, then replaces the tenant's sync schedule (syncEnabled/syncInterval). A schedule that
   *  cannot be replaced now is logged, not answered: ldap-sync reconciles every schedule when it
   *  starts, and a tick of a schedule that was turned off removes it. */
  async saveConfig(caller: AccessTokenClaims, config: LdapConfigBodyDto): Promise<LdapConfigView> {
    const saved = await this.ldapSync.send(RPC_PATTERNS.ldap.saveConfig, {
      ...config,
      ...actor(caller),
    });
    try {
      await this.ldapSync.send(RPC_PATTERNS.ldap.syncSchedule, { tenantId: caller.tenant_id });
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`tenant ${caller.tenant_id}: LDAP sync schedule not updated: ${message}`);
    }
    return saved;
  }

  testConnection(
    caller: AccessTokenClaims,
    settings: LdapTestConnectionBodyDto,
  ): Promise<LdapTestConnectionReply> {
    return this.ldapSync.send(
      RPC_PATTERNS.ldap.testConnection,
      { ...settings, tenantId: caller.tenant_id },
      { timeoutMs: DIRECTORY_TIMEOUT_MS },
    );
  }

  testAuth(
    caller: AccessTokenClaims,
    username: string,
    password: string,
  ): Promise<LdapTestAuthReply> {
    return this.ldapSync.send(
      RPC_PATTERNS.ldap.testAuth,
      { tenantId: caller.tenant_id, username, password },
      { timeoutMs: DIRECTORY_TIMEOUT_MS },
    );
  }

  searchUsers(
    caller: AccessTokenClaims,
    query: LdapSearchUsersBodyDto,
  ): Promise<LdapDirectoryUser[]> {
    return this.ldapSync.send(
      RPC_PATTERNS.ldap.searchUsers,
      { ...query, tenantId: caller.tenant_id },
      { timeoutMs: DIRECTORY_TIMEOUT_MS },
    );
  }

  groups(caller: AccessTokenClaims): Promise<LdapGroupView[]> {
    return this.ldapSync.send(
      RPC_PATTERNS.ldap.groups,
      { tenantId: caller.tenant_id },
      { timeoutMs: DIRECTORY_TIMEOUT_MS },
    );
  }

  /** A page of the group's members (ldap-sync's defaults when `page`/`size` are not given). */
  groupMembers(
    caller: AccessTokenClaims,
    groupDN: string,
    paging: { page: number | undefined; size: number | undefined },
  ): Promise<LdapGroupMembersReply> {
    return this.ldapSync.send(
      RPC_PATTERNS.ldap.groupMembers,
      {
        tenantId: caller.tenant_id,
        groupDN,
        ...(paging.page === undefined ? {} : { page: paging.page }),
        ...(paging.size === undefined ? {} : { size: paging.size }),
      },
      { timeoutMs: DIRECTORY_TIMEOUT_MS },
    );
  }

  getFieldMapping(caller: AccessTokenClaims): Promise<LdapFieldMappingView> {
    return this.ldapSync.send(RPC_PATTERNS.ldap.getFieldMapping, { tenantId: caller.tenant_id });
  }

  /** A real run is queued and answered at once; a dry run answers its plan. The acting admin,
   *  its address and the request id go with the run into its audit row. */
  syncUsers(
    caller: AccessTokenClaims,
    origin: AuditActor,
    options: { dryRun: boolean; force: boolean; mode: LdapSyncMode },
  ): Promise<LdapSyncDetailView> {
    return this.ldapSync.send(
      RPC_PATTERNS.ldap.syncUsers,
      { ...actor(caller), ...auditOrigin(origin), ...options },
      { timeoutMs: options.dryRun ? DRY_RUN_TIMEOUT_MS : DIRECTORY_TIMEOUT_MS },
    );
  }

  syncHistory(
    caller: AccessTokenClaims,
    query: { page: number; size: number; status?: LdapSyncStatusLabel },
  ): Promise<LdapSyncHistoryPage> {
    return this.ldapSync.send(RPC_PATTERNS.ldap.syncHistory, {
      tenantId: caller.tenant_id,
      ...query,
    });
  }

  syncDetail(caller: AccessTokenClaims, id: string): Promise<LdapSyncDetailView> {
    return this.ldapSync.send(RPC_PATTERNS.ldap.syncDetail, { tenantId: caller.tenant_id, id });
  }

  saveFieldMapping(
    caller: AccessTokenClaims,
    mapping: LdapFieldMappingBodyDto,
  ): Promise<LdapFieldMappingView> {
    return this.ldapSync.send(RPC_PATTERNS.ldap.saveFieldMapping, { ...mapping, ...actor(caller) });
  }
}

/** The acting admin, for the audit fields (createdBy/modifiedBy = user id, creator = username). */
function actor(caller: AccessTokenClaims): {
  tenantId: string;
  actorId: string;
  actorName: string;
} {
  return {
    tenantId: caller.tenant_id,
    actorId: String(caller.user_id),
    actorName: caller.username,
  };
}
