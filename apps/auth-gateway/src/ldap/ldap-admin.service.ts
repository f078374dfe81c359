import { Injectable } from '@nestjs/common';
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
  type LdapTestAuthReply,
  type LdapTestConnectionBodyDto,
  type LdapTestConnectionReply,
  RPC_PATTERNS,
} from '@gatehouse/contracts';
import type { RpcClient } from '@gatehouse/platform';
import { InjectLdapSync } from '../peers/peer-clients';

/** Calls that talk to the directory: connect, bind and search are each bounded by ldap-sync's
 *  own LDAP timeout (5 s), so it gets the time to answer with a precise LDAP_00x. */
const DIRECTORY_TIMEOUT_MS = 12000;

/** seed 003's LDAP management API, served by ldap-sync over Redis-RPC for the caller's tenant. */
@Injectable()
export class LdapAdminService {
  constructor(@InjectLdapSync() private readonly ldapSync: RpcClient) {}

  getConfig(caller: AccessTokenClaims): Promise<LdapConfigView> {
    return this.ldapSync.send(RPC_PATTERNS.ldap.getConfig, { tenantId: caller.tenant_id });
  }

  saveConfig(caller: AccessTokenClaims, config: LdapConfigBodyDto): Promise<LdapConfigView> {
    return this.ldapSync.send(RPC_PATTERNS.ldap.saveConfig, { ...config, ...actor(caller) });
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

  groupMembers(caller: AccessTokenClaims, groupDN: string): Promise<LdapGroupMembersReply> {
    return this.ldapSync.send(
      RPC_PATTERNS.ldap.groupMembers,
      { tenantId: caller.tenant_id, groupDN },
      { timeoutMs: DIRECTORY_TIMEOUT_MS },
    );
  }

  getFieldMapping(caller: AccessTokenClaims): Promise<LdapFieldMappingView> {
    return this.ldapSync.send(RPC_PATTERNS.ldap.getFieldMapping, { tenantId: caller.tenant_id });
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
