import { Injectable } from '@nestjs/common';
import {
  type AccessTokenClaims,
  type LdapGroupRoleMappingItem,
  type LdapGroupRoleMappingsReply,
  type LdapUserResyncReply,
  RPC_PATTERNS,
} from '@gatehouse/contracts';
import type { RpcClient } from '@gatehouse/platform';
import { auditOrigin } from '../audit/audit-origin.util';
import type { AuditActor } from '../audit/audit.types';
import { InjectLdapSync } from '../peers/peer-clients';

/** Reading one entry, its groups and their parents: several bounded LDAP operations. */
const RESYNC_TIMEOUT_MS = 20000;

/** Group → role mappings and single-user re-sync, served by ldap-sync over Redis-RPC for the
 *  caller's tenant. */
@Injectable()
export class LdapDirectorySyncService {
  constructor(@InjectLdapSync() private readonly ldapSync: RpcClient) {}

  groupRoleMappings(caller: AccessTokenClaims): Promise<LdapGroupRoleMappingsReply> {
    return this.ldapSync.send(RPC_PATTERNS.ldap.getGroupRoleMappings, {
      tenantId: caller.tenant_id,
    });
  }

  saveGroupRoleMappings(
    caller: AccessTokenClaims,
    mappings: LdapGroupRoleMappingItem[],
  ): Promise<LdapGroupRoleMappingsReply> {
    return this.ldapSync.send(RPC_PATTERNS.ldap.saveGroupRoleMappings, {
      tenantId: caller.tenant_id,
      actorId: String(caller.user_id),
      actorName: caller.username,
      mappings,
    });
  }

  /** The acting admin goes along for the re-sync's audit row. */
  resyncUser(
    caller: AccessTokenClaims,
    origin: AuditActor,
    username: string,
  ): Promise<LdapUserResyncReply> {
    return this.ldapSync.send(
      RPC_PATTERNS.ldap.resyncUser,
      {
        tenantId: caller.tenant_id,
        username,
        actorId: String(caller.user_id),
        actorName: caller.username,
        ...auditOrigin(origin),
      },
      { timeoutMs: RESYNC_TIMEOUT_MS },
    );
  }
}
