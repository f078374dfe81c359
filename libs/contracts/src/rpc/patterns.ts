import type { LdapAuthenticateReply, LdapAuthenticateRequestDto } from './ldap-authenticate.dto';

/** RPC message patterns: the only place a pattern string is written. Each has its payload and
 *  reply type beside it in `RpcContract`. */
export const RPC_PATTERNS = {
  ldap: {
    ping: 'ldap.ping',
    authenticate: 'ldap.authenticate',
  },
  integration: {
    ping: 'integration.ping',
  },
} as const;

export interface PingRequest {
  /** Free text echoed back; lets a caller match replies when debugging. */
  nonce?: string;
}

export interface PingReply {
  app: string;
  nonce?: string;
  /** Seconds since the answering process started. */
  uptime: number;
}

/** Pattern → payload and reply types, so callers get both checked. */
export interface RpcContract {
  [RPC_PATTERNS.ldap.ping]: { request: PingRequest; reply: PingReply };
  [RPC_PATTERNS.ldap.authenticate]: {
    request: LdapAuthenticateRequestDto;
    reply: LdapAuthenticateReply;
  };
  [RPC_PATTERNS.integration.ping]: { request: PingRequest; reply: PingReply };
}

export type RpcPattern = keyof RpcContract;
