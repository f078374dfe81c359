import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { currentRequestId } from '@gatehouse/platform';
import type { AuthenticatedRequest } from '../guards/auth.decorators';
import type { AuditActor } from './audit.types';

/** The acting admin of a management route, for the audit log: tenant and identity from the
 *  verified token (never from the body), the client address as `trust proxy` resolves it. */
export const Actor = createParamDecorator((_: unknown, context: ExecutionContext): AuditActor => {
  const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
  const claims = req.auth;
  if (!claims) throw new Error('Actor used on a route without the access-token guard');
  return {
    tenantId: claims.tenant_id,
    actorId: claims.sub,
    actorName: claims.username,
    address: req.ip ?? null,
    requestId: currentRequestId() ?? null,
    permissions: claims.permissions,
  };
});
