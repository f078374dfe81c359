/** TODO(ldap-bench): LDAP logins through the gateway (POST /api/v1/auth/login for a directory
 *  user: gateway → ldap-sync over RPC → search-then-bind) against a bare search-then-bind loop
 *  on the same slapd, as a ratio. Another engineer owns this part: implement
 *  `measureLdapLogins` (start a throwaway slapd, enable tenant 1's ldap_configs row, run the
 *  autocannon login load and the bare loop) and return its figures; run.ts already prints the
 *  row and writes the JSON entry. Until then it reports itself as skipped. */

export interface LdapLoginContext {
  gatewayUrl: string;
  databaseUrl: string;
  seconds: number;
  connections: number;
}

export interface LdapLoginFigures {
  gatewayLoginsPerSecond: number;
  bareSearchBindPerSecond: number;
  ratio: number;
}

export type LdapLoginOutcome =
  { status: 'measured'; figures: LdapLoginFigures } | { status: 'skipped'; reason: string };

export function measureLdapLogins(_context: LdapLoginContext): Promise<LdapLoginOutcome> {
  return Promise.resolve({
    status: 'skipped',
    reason: 'TODO(ldap-bench) in bench/auth/ldap-login.ts: LDAP login vs bare search-then-bind',
  });
}
