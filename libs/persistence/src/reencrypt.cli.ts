/** `npm run reencrypt`: after a new key is put first in GATEHOUSE_SECRET_KEYS, seal every stored
 *  secret again under it, so the old key can be retired. Reads DATABASE_URL and
 *  GATEHOUSE_SECRET_KEYS like the apps do; prints counts and each failed row (id and reason, never
 *  a secret); exits 1 when any row failed. Safe to run again, and while the apps run. */
import { KeyRing, SecretBox } from '@gatehouse/crypto';
import { EnvError, loadPlatformConfig } from '@gatehouse/platform/config';
import { reencryptSecrets } from './reencrypt-secrets';

const EXPECTS = 'kid:base64-32-byte-key entries, comma-separated (the first encrypts)';

function keyRing(): KeyRing {
  const raw = process.env.GATEHOUSE_SECRET_KEYS ?? '';
  if (raw.trim() === '') {
    throw new EnvError('GATEHOUSE_SECRET_KEYS', EXPECTS, undefined);
  }
  try {
    return KeyRing.parse(raw);
  } catch (error: unknown) {
    // libs/crypto's messages name what is wrong, never key material; the value is not echoed.
    const reason = error instanceof Error ? error.message : 'unusable';
    throw new EnvError('GATEHOUSE_SECRET_KEYS', `${EXPECTS}; ${reason}`, '');
  }
}

async function main(): Promise<number> {
  const config = loadPlatformConfig();
  const ring = keyRing();
  const where = new URL(config.DATABASE_URL);
  console.log(
    `reencrypt: sealing stored secrets of ${where.host}${where.pathname} under key "${ring.currentKid}"`,
  );
  const report = await reencryptSecrets(config.DATABASE_URL, new SecretBox(ring));
  for (const [column, counts] of Object.entries(report.counts)) {
    console.log(
      `reencrypt: ${column}: ${counts.resealed} re-sealed, ${counts.current} already current, ${counts.failed} failed`,
    );
  }
  for (const failure of report.failures) {
    console.error(
      `reencrypt: failed ${failure.table} id=${failure.id} ${failure.column}: ${failure.reason} (left untouched)`,
    );
  }
  return report.failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof EnvError) console.error(`reencrypt: ${error.message}`);
    else {
      console.error(`reencrypt: failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    process.exit(1);
  },
);
