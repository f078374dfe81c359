import { Inject, type Provider } from '@nestjs/common';
import {
  MetricsService,
  PLATFORM_CONFIG,
  type PlatformConfig,
  RpcClient,
} from '@gatehouse/platform';

/** The gateway's RPC clients of its two peer apps, one injection token each. */
export const LDAP_SYNC_CLIENT = Symbol('LDAP_SYNC_CLIENT');
export const INTEGRATION_GATEWAY_CLIENT = Symbol('INTEGRATION_GATEWAY_CLIENT');

export const InjectLdapSync = (): ParameterDecorator => Inject(LDAP_SYNC_CLIENT);
export const InjectIntegrationGateway = (): ParameterDecorator =>
  Inject(INTEGRATION_GATEWAY_CLIENT);

function peerClient(token: symbol, peer: string): Provider {
  return {
    provide: token,
    inject: [PLATFORM_CONFIG, MetricsService],
    useFactory: (config: PlatformConfig, metrics: MetricsService) =>
      new RpcClient(peer, config.REDIS_URL, config.RPC_TIMEOUT_MS, metrics),
  };
}

export const PEER_CLIENT_PROVIDERS: Provider[] = [
  peerClient(LDAP_SYNC_CLIENT, 'ldap-sync'),
  peerClient(INTEGRATION_GATEWAY_CLIENT, 'integration-gateway'),
];
