import { DEFAULT_HTTP_PORTS } from '@gatehouse/contracts';
import { KeyRing } from '@gatehouse/crypto';
import {
  EnvError,
  type EnvValues,
  type EnvVarSpec,
  httpEnv,
  parseEnv,
} from '@gatehouse/platform/config';

const SECRET_KEYS_EXPECTS = 'kid:base64-32-byte-key entries, comma-separated (the first encrypts)';

/** Key id of the public placeholder ring in docker-compose.yml (its key is in the file). */
const PLACEHOLDER_KEY_IDS = ['change-me'];

/**
 * GATEHOUSE_SECRET_KEYS parsed into a KeyRing at boot, so a bad ring stops the app before it
 * serves anything. The error names the variable and why (libs/crypto's reasons never carry key
 * material), never the value: a misplaced separator can put key bytes anywhere.
 */
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

export const LDAP_SYNC_ENV = {
  ...httpEnv(DEFAULT_HTTP_PORTS['ldap-sync']),
  GATEHOUSE_SECRET_KEYS: keyRingEnv(
    'Key ring for secrets at rest (LDAP bind passwords), `kid:base64-32-byte-key` comma-separated: the first key encrypts, every key decrypts. Required; the placeholder key id `change-me` is refused outside development',
  ),
};

export type LdapSyncConfig = EnvValues<typeof LDAP_SYNC_ENV>;

export function loadLdapSyncConfig(source: NodeJS.ProcessEnv = process.env): LdapSyncConfig {
  const config = parseEnv(LDAP_SYNC_ENV, source);
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
