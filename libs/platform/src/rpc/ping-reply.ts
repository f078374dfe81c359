import type { PingReply, PingRequest } from '@gatehouse/contracts';

export function pingReply(app: string, startedAt: number, request: PingRequest): PingReply {
  return { app, nonce: request.nonce, uptime: Math.round((Date.now() - startedAt) / 1000) };
}
