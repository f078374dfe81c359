import { DEFAULT_HTTP_PORTS } from '@gatehouse/contracts';
import { type EnvValues, httpEnv, parseEnv } from '@gatehouse/platform/config';

export const INTEGRATION_GATEWAY_ENV = {
  ...httpEnv(DEFAULT_HTTP_PORTS['integration-gateway']),
};

export type IntegrationGatewayConfig = EnvValues<typeof INTEGRATION_GATEWAY_ENV>;

export function loadIntegrationGatewayConfig(
  source: NodeJS.ProcessEnv = process.env,
): IntegrationGatewayConfig {
  return parseEnv(INTEGRATION_GATEWAY_ENV, source);
}
