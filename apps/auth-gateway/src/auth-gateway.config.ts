import { DEFAULT_HTTP_PORTS } from '@gatehouse/contracts';
import { type EnvValues, httpEnv, parseEnv } from '@gatehouse/platform/config';

export const AUTH_GATEWAY_ENV = {
  ...httpEnv(DEFAULT_HTTP_PORTS['auth-gateway']),
};

export type AuthGatewayConfig = EnvValues<typeof AUTH_GATEWAY_ENV>;

export function loadAuthGatewayConfig(source: NodeJS.ProcessEnv = process.env): AuthGatewayConfig {
  return parseEnv(AUTH_GATEWAY_ENV, source);
}
