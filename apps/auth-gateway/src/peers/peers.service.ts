import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DomainError, ErrorCode, type PingReply, RPC_PATTERNS } from '@gatehouse/contracts';
import {
  PLATFORM_CONFIG,
  type PlatformConfig,
  peerReadiness,
  ReadinessService,
  type RpcClient,
} from '@gatehouse/platform';
import { InjectIntegrationGateway, InjectLdapSync } from './peer-clients';

export const PEER_NAMES = ['ldap-sync', 'integration-gateway'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

/** The gateway's view of its peer apps: pings them over Redis-RPC and makes each a readiness
 *  dependency, so /ready turns 503 naming a peer that stops answering. */
@Injectable()
export class PeersService implements OnModuleInit {
  constructor(
    @InjectLdapSync() private readonly ldapSync: RpcClient,
    @InjectIntegrationGateway() private readonly integrationGateway: RpcClient,
    private readonly readiness: ReadinessService,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  onModuleInit(): void {
    const timeoutMs = this.config.READY_CHECK_TIMEOUT_MS;
    for (const peer of PEER_NAMES) {
      this.readiness.register(peerReadiness(peer, () => this.ping(peer, timeoutMs)));
    }
  }

  ping(peer: PeerName, timeoutMs?: number): Promise<PingReply> {
    switch (peer) {
      case 'ldap-sync':
        return this.ldapSync.send(RPC_PATTERNS.ldap.ping, {}, { timeoutMs });
      case 'integration-gateway':
        return this.integrationGateway.send(RPC_PATTERNS.integration.ping, {}, { timeoutMs });
    }
  }

  static parsePeer(value: string): PeerName {
    const peer = PEER_NAMES.find((name) => name === value);
    if (!peer) {
      throw new DomainError(ErrorCode.NotFound, `Unknown peer "${value.slice(0, 64)}"`, [
        { field: 'peer', message: `peer must be one of ${PEER_NAMES.join(', ')}` },
      ]);
    }
    return peer;
  }
}
