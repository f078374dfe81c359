/** RPC message patterns: the only place a pattern string is written. Each has its payload and
 *  reply type beside it in `RpcContract`. */
export const RPC_PATTERNS = {
  ldap: {
    ping: 'ldap.ping',
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
  [RPC_PATTERNS.integration.ping]: { request: PingRequest; reply: PingReply };
}

export type RpcPattern = keyof RpcContract;
