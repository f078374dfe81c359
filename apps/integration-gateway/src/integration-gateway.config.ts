import { DEFAULT_HTTP_PORTS } from '@gatehouse/contracts';
import {
  env,
  type EnvValues,
  type EnvVarSpec,
  httpEnv,
  keyRingEnv,
  parseEnv,
  refusePlaceholderKeyRing,
} from '@gatehouse/platform/config';
import { parseAllowList, type AllowList } from './outbound/ssrf-policy';

function allowListEnv(description: string): EnvVarSpec<AllowList> {
  return {
    description,
    expects: 'host names, IP addresses or CIDR ranges, comma-separated, or none',
    default: parseAllowList('none'),
    parse: (raw) => {
      try {
        return parseAllowList(raw);
      } catch {
        return undefined;
      }
    },
  };
}

export const INTEGRATION_GATEWAY_ENV = {
  ...httpEnv(DEFAULT_HTTP_PORTS['integration-gateway']),
  GATEHOUSE_SECRET_KEYS: keyRingEnv(
    'Key ring for secrets at rest (client-API credentials, webhook secrets): the first key encrypts, every key decrypts',
  ),
  INTEGRATION_ALLOWED_HOSTS: allowListEnv(
    'Hosts, addresses or CIDR ranges that outbound client-API calls may reach even when they are loopback, private or link-local',
  ),
  INTEGRATION_ALLOW_PRIVATE_NETWORKS: env.bool(
    'Let outbound client-API calls reach loopback, private and unique-local addresses (never link-local/metadata ones unless listed in INTEGRATION_ALLOWED_HOSTS)',
    false,
  ),
  INTEGRATION_POLL_CONCURRENCY: env.int(
    'Polls one integration-gateway replica runs at the same time',
    20,
    1,
    500,
  ),
};

export type IntegrationGatewayConfig = EnvValues<typeof INTEGRATION_GATEWAY_ENV>;

export function loadIntegrationGatewayConfig(
  source: NodeJS.ProcessEnv = process.env,
): IntegrationGatewayConfig {
  const config = parseEnv(INTEGRATION_GATEWAY_ENV, source);
  refusePlaceholderKeyRing(config.GATEHOUSE_SECRET_KEYS, source);
  return config;
}
