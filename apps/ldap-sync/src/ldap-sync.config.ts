import { DEFAULT_HTTP_PORTS } from '@gatehouse/contracts';
import {
  env,
  EnvError,
  type EnvValues,
  httpEnv,
  keyRingEnv,
  parseEnv,
  refusePlaceholderKeyRing,
} from '@gatehouse/platform/config';

export const LDAP_SYNC_ENV = {
  ...httpEnv(DEFAULT_HTTP_PORTS['ldap-sync']),
  GATEHOUSE_SECRET_KEYS: keyRingEnv(
    'Key ring for secrets at rest (LDAP bind passwords), `kid:base64-32-byte-key` comma-separated: the first key encrypts, every key decrypts. Required; the placeholder key id `change-me` is refused outside development',
  ),
  LDAP_SYNC_PAGE_SIZE: env.int(
    'Entries per page of the paged directory read during a user sync (RFC 2696); memory stays flat at a few pages. 1000 is also the largest page Active Directory serves by default (MaxPageSize)',
    1000,
    1,
    5000,
  ),
  LDAP_SYNC_BATCH_SIZE: env.int(
    'Users written per statement (their upsert and run items, atomically) during a user sync',
    1000,
    1,
    1000,
  ),
  LDAP_SYNC_WRITE_CONCURRENCY: env.int(
    'Pages of users a sync writes at once, each on its own database connection, while it reads the next page (pages are still planned in directory order). 1 writes one page at a time',
    3,
    1,
    8,
  ),
  LDAP_SYNC_PROGRESS_INTERVAL_MS: env.int(
    'A running sync writes its progress (entries read and written) into its record at most this often',
    1000,
    50,
    60000,
  ),
  LDAP_SYNC_MAX_DELETE_PERCENT: env.int(
    "A sync that would deactivate more than this percentage of the tenant's active LDAP users fails and deactivates nobody, unless run with force=true",
    20,
    0,
    100,
  ),
  LDAP_SYNC_STALE_RUN_SECONDS: env.int(
    "A run still 'running' after this many seconds, with no live job and no lock holder, is marked failed when a worker starts (a worker killed mid-run)",
    3600,
    60,
    604800,
  ),
  LDAP_SYNC_FULL_EVERY_RUNS: env.int(
    'Every Nth scheduled sync run is a full run; the ones between are incremental (entries modified since the last successful run). 1 makes every run full',
    24,
    1,
    10000,
  ),
  LDAP_SYNC_OVERLAP_SECONDS: env.int(
    "An incremental run reads entries whose modifyTimestamp is at or after the last successful run's start minus this many seconds (clock skew between database and directory)",
    60,
    0,
    3600,
  ),
  LDAP_SYNC_FULL_MAX_AGE_HOURS: env.int(
    'A scheduled sync run is full when no full run succeeded within this many hours',
    24,
    1,
    8760,
  ),
};

export type LdapSyncConfig = EnvValues<typeof LDAP_SYNC_ENV>;

export function loadLdapSyncConfig(source: NodeJS.ProcessEnv = process.env): LdapSyncConfig {
  const config = parseEnv(LDAP_SYNC_ENV, source);
  refusePlaceholderKeyRing(config.GATEHOUSE_SECRET_KEYS, source);
  return config;
}

/** Connections of the pool a running sync needs besides its page writers: the tenant lock's,
 *  one for planning and progress, and room for readiness checks and RPC handlers. */
export const SYNC_OTHER_CONNECTIONS = 4;

/** Refuses a write concurrency the database pool cannot serve next to the rest of a run (its
 *  writers would wait for connections and /ready would fail during every sync). */
export function refuseOversubscribedPool(own: LdapSyncConfig, databasePoolSize: number): void {
  const most = databasePoolSize - SYNC_OTHER_CONNECTIONS;
  if (own.LDAP_SYNC_WRITE_CONCURRENCY > most) {
    throw new EnvError(
      'LDAP_SYNC_WRITE_CONCURRENCY',
      `at most DATABASE_POOL_SIZE - ${SYNC_OTHER_CONNECTIONS} (${Math.max(0, most)} with a pool of ${databasePoolSize}): each page writer holds a connection`,
      String(own.LDAP_SYNC_WRITE_CONCURRENCY),
    );
  }
}
