import { KeyRing } from '@gatehouse/crypto';
import { EnvError, type EnvVarSpec } from './env-schema';

const SECRET_KEYS_EXPECTS = 'kid:base64-32-byte-key entries, comma-separated (the first encrypts)';

/** Key id of the public placeholder ring in docker-compose.yml (its key is in the file). */
const PLACEHOLDER_KEY_IDS = ['change-me'];

/**
 * GATEHOUSE_SECRET_KEYS parsed into a KeyRing at boot, so a bad ring stops the app before it
 * serves anything. The error names the variable and why (libs/crypto's reasons never carry key
 * material), never the value: a misplaced separator can put key bytes anywhere. Used by every app
 * that keeps secrets at rest (ldap-sync, integration-gateway).
 */
export function keyRingEnv(description: string): EnvVarSpec<KeyRing> {
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

/** Refuses the compose file's public placeholder ring outside development. */
export function refusePlaceholderKeyRing(ring: KeyRing, source: NodeJS.ProcessEnv): void {
  const mode = source.NODE_ENV?.trim() || 'development';
  const placeholder = ring.kids.find((kid) => PLACEHOLDER_KEY_IDS.includes(kid));
  if (placeholder !== undefined && mode !== 'development') {
    throw new EnvError(
      'GATEHOUSE_SECRET_KEYS',
      `a key ring minted for this deployment (key id "${placeholder}" is the public placeholder, refused when NODE_ENV=${mode})`,
      '',
    );
  }
}
