import type { AuditActor } from './audit.types';

/** Where an admin action came from, for a peer that writes its own audit rows (ldap-sync): the
 *  client address and request id, present only when known. */
export function auditOrigin(actor: AuditActor): { clientAddress?: string; requestId?: string } {
  return {
    ...(actor.address ? { clientAddress: actor.address.slice(0, 64) } : {}),
    ...(actor.requestId ? { requestId: actor.requestId.slice(0, 128) } : {}),
  };
}
