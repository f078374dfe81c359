import { randomBytes } from 'node:crypto';
import { EnvError } from '@gatehouse/platform/config';
import { loadLdapSyncConfig, refuseOversubscribedPool } from './ldap-sync.config';

const key = (): string => randomBytes(32).toString('base64');

function errorOf(run: () => unknown): EnvError {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof EnvError) return error;
    throw error;
  }
  throw new Error('expected an EnvError');
}

describe('ldap-sync configuration', () => {
  it('parses GATEHOUSE_SECRET_KEYS into a key ring', () => {
    const config = loadLdapSyncConfig({ GATEHOUSE_SECRET_KEYS: `k2:${key()},k1:${key()}` });
    expect(config.GATEHOUSE_SECRET_KEYS.currentKid).toBe('k2');
    expect(config.GATEHOUSE_SECRET_KEYS.kids).toEqual(['k2', 'k1']);
  });

  it('requires GATEHOUSE_SECRET_KEYS', () => {
    expect(errorOf(() => loadLdapSyncConfig({})).message).toBe(
      'GATEHOUSE_SECRET_KEYS is required: expected kid:base64-32-byte-key entries, comma-separated (the first encrypts)',
    );
  });

  const [a, b, short] = [key(), key(), randomBytes(16).toString('base64')];
  it.each([
    ['no key id', a, [a]],
    ['a short key', `k1:${short}`, [short]],
    ['a duplicate key id', `k1:${a},k1:${b}`, [a, b]],
  ])('stops on %s, naming the variable but never the key', (_, value, secrets) => {
    const error = errorOf(() => loadLdapSyncConfig({ GATEHOUSE_SECRET_KEYS: value }));
    expect(error.variable).toBe('GATEHOUSE_SECRET_KEYS');
    expect(error.message).toMatch(/^GATEHOUSE_SECRET_KEYS is invalid: /);
    const everything = `${error.message} ${JSON.stringify(error)} ${String(error.received)}`;
    for (const secret of secrets) expect(everything).not.toContain(secret.slice(0, 12));
  });

  it('refuses the public placeholder key outside development', () => {
    const placeholder = 'change-me:Y2hhbmdlLW1lLWNoYW5nZS1tZS1jaGFuZ2UtbWUtMTI=';
    expect(() =>
      loadLdapSyncConfig({ GATEHOUSE_SECRET_KEYS: placeholder, NODE_ENV: 'development' }),
    ).not.toThrow();
    const error = errorOf(() =>
      loadLdapSyncConfig({ GATEHOUSE_SECRET_KEYS: placeholder, NODE_ENV: 'production' }),
    );
    expect(error.message).toContain('GATEHOUSE_SECRET_KEYS is invalid');
    expect(error.message).toContain('"change-me"');
  });

  it('refuses more page writers than the database pool can serve next to the rest of a run', () => {
    const config = (concurrency: string) =>
      loadLdapSyncConfig({
        GATEHOUSE_SECRET_KEYS: `k1:${key()}`,
        LDAP_SYNC_WRITE_CONCURRENCY: concurrency,
      });
    expect(() => refuseOversubscribedPool(config('3'), 10)).not.toThrow();
    expect(() => refuseOversubscribedPool(config('6'), 10)).not.toThrow();
    const error = errorOf(() => refuseOversubscribedPool(config('7'), 10));
    expect(error.variable).toBe('LDAP_SYNC_WRITE_CONCURRENCY');
    expect(error.expects).toContain('6 with a pool of 10');
    expect(errorOf(() => refuseOversubscribedPool(config('3'), 5)).expects).toContain(
      '1 with a pool of 5',
    );
  });
});
