import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'gatehouse:public';

/** Marks a route (or controller) as needing no credentials. Apps that guard every route by
 *  default (the auth gateway) let these through; the probes are public everywhere. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
