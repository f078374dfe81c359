/** Injection tokens of the parsed configuration. */
export const PLATFORM_CONFIG = Symbol('PLATFORM_CONFIG');
export const APP_IDENTITY = Symbol('APP_IDENTITY');

export interface AppIdentity {
  name: string;
  startedAt: number;
}
