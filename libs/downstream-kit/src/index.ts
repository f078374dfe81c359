/** @gatehouse/downstream-kit: local validation of Gatehouse access tokens for downstream
 *  services (AMS, BMS, TTS, HDTS), as a plain verifier, an Express middleware or a Nest guard.
 *  Runtime dependencies: jose, plus @nestjs/common and @nestjs/core for the Nest part only. */
export {
  GatehouseAuthConfigError,
  TokenRejectedError,
  TokenRejectionReason,
} from './token-rejected.exception';
export type { GatehouseClaims, GatehouseRole, GatehouseUserType } from './gatehouse-claims';
export {
  createTokenVerifier,
  type JwksAlgorithm,
  type JwksVerifierOptions,
  type SharedKeyVerifierOptions,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './token-verifier';
export { ACCESS_TOKEN_COOKIE, extractToken, type TokenSource } from './token-extractor';
export {
  AUTH_SERVICE_UNAVAILABLE,
  AUTHENTICATION_REQUIRED,
  authFailureResponse,
  INVALID_TOKEN,
  type AuthFailureResponse,
  type GatehouseAuthHooks,
  type GatehouseRequestFields,
} from './http-auth.util';
export {
  gatehouseAuth,
  gatehouseAuthWith,
  type GatehouseAuthOptions,
  type GatehouseRequest,
} from './express-middleware';
export {
  createGatehouseAuthGuard,
  GATEHOUSE_AUTH_OPTIONS,
  GATEHOUSE_TOKEN_VERIFIER,
  GatehouseAuthGuard,
  GatehouseAuthModule,
  GatehousePublic,
  GatehouseUser,
  type GatehouseAuthModuleAsyncOptions,
  type GatehouseAuthModuleOptions,
} from './nest-guard';
