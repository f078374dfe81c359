import { DEFAULT_HTTP_PORTS } from '@gatehouse/contracts';
import { type EnvValues, httpEnv, parseEnv } from '@gatehouse/platform/config';

export const LDAP_SYNC_ENV = {
  ...httpEnv(DEFAULT_HTTP_PORTS['ldap-sync']),
};

export type LdapSyncConfig = EnvValues<typeof LDAP_SYNC_ENV>;

export function loadLdapSyncConfig(source: NodeJS.ProcessEnv = process.env): LdapSyncConfig {
  return parseEnv(LDAP_SYNC_ENV, source);
}
