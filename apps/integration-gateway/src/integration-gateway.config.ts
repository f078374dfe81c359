import { DEFAULT_HTTP_PORTS } from '@gatehouse/contracts';
import { KeyRing } from '@gatehouse/crypto';
import {
  env,
  EnvError,
  type EnvValues,
  type EnvVarSpec,
  httpEnv,
  parseEnv,
} from '@gatehouse/platform/config';
import { parseAllowList, type AllowList } from './outbound/ssrf-policy';

const SECRET_KEYS_EXPECTS = 'kid:base64-32-byte-key entries, comma-separated (the first encrypts)';
/** Key id of the public placeholder ring in docker-compose.yml (its key is in the file). */
const PLACEHOLDER_KEY_IDS = ['change-me'];

/** The key ring parsed at boot; the error names the variable, never the value. */
function keyRingEnv(description: string): EnvVarSpec<KeyRing> {
  return {
    description,
    expects: SECRET_KEYS_EXPECTS,
    secret: true,
    parse: (raw) => {
      try {
        return KeyRing.parse(raw);
      } catch (error: unknown) {
        const reason = error instanceof Error ? `; ${error.message}` : '';
        throw new EnvError('GATEHOUSE_SECRET_KEYS', `${SECRET_KEYS_EXPECTS}${reason}`, '');
      }
    },
  };
}

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
  const mode = source.NODE_ENV?.trim() || 'development';
  const placeholder = config.GATEHOUSE_SECRET_KEYS.kids.find((kid) =>
    PLACEHOLDER_KEY_IDS.includes(kid),
  );
  if (placeholder !== undefined && mode !== 'development') {
    throw new EnvError(
      'GATEHOUSE_SECRET_KEYS',
      `a key ring minted for this deployment (key id "${placeholder}" is the public placeholder, refused when NODE_ENV=${mode})`,
      '',
    );
  }
  return config;
}
