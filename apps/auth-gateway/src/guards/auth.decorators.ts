import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AccessTokenClaims, Permission } from '@gatehouse/contracts';
import type { Request } from 'express';

export const REQUIRED_PERMISSION = 'gatehouse:permission';

/** Every route needs a valid access token unless it says it is public. */
export { IS_PUBLIC, Public } from '@gatehouse/platform';

/** The management permission a route needs (checked against the token's `permissions`). */
export const RequirePermission = (permission: Permission): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_PERMISSION, permission);

export interface AuthenticatedRequest extends Request {
  auth?: AccessTokenClaims;
}

/** The verified claims of the caller (routes behind the access-token guard only). */
export const Caller = createParamDecorator(
  (_: unknown, context: ExecutionContext): AccessTokenClaims => {
    const claims = context.switchToHttp().getRequest<AuthenticatedRequest>().auth;
    if (!claims) throw new Error('Caller used on a route without the access-token guard');
    return claims;
  },
);
