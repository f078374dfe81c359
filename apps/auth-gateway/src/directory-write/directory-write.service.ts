import { Injectable } from '@nestjs/common';
import {
  type DirectoryWriteSettingsBodyDto,
  type DirectoryWriteSettingsView,
  RPC_PATTERNS,
} from '@gatehouse/contracts';
import type { RpcClient } from '@gatehouse/platform';
import type { AuditActor } from '../audit/audit.types';
import { InjectLdapSync } from '../peers/peer-clients';

/** The tenant's writable-directory switch lives in its LDAP config, which ldap-sync owns: read and
 *  saved there, with the audit row written by ldap-sync in the same transaction. */
@Injectable()
export class DirectoryWriteSettingsService {
  constructor(@InjectLdapSync() private readonly ldapSync: RpcClient) {}

  get(tenantId: string): Promise<DirectoryWriteSettingsView> {
    return this.ldapSync.send(RPC_PATTERNS.ldap.getDirectoryWrite, { tenantId });
  }

  save(
    actor: AuditActor,
    body: DirectoryWriteSettingsBodyDto,
  ): Promise<DirectoryWriteSettingsView> {
    return this.ldapSync.send(RPC_PATTERNS.ldap.saveDirectoryWrite, {
      tenantId: actor.tenantId,
      writable: body.writable,
      ...(body.userObjectClasses ? { userObjectClasses: body.userObjectClasses } : {}),
      ...(actor.actorId ? { actorId: actor.actorId } : {}),
      actorName: actor.actorName,
      ...(actor.address ? { clientAddress: actor.address.slice(0, 64) } : {}),
      ...(actor.requestId ? { requestId: actor.requestId } : {}),
    });
  }
}
