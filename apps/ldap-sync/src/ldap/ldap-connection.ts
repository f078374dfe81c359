/**
 * What the rest of ldap-sync knows about talking to a directory: connection options, a promise
 * based connection, and entries as plain data. Only `ldap.adapter.ts` implements it (over ldapjs,
 * whose upstream is archived), so a maintained client can replace that one file.
 */

/** Every connect and every operation is bounded by these unless the caller says otherwise. */
export const DEFAULT_LDAP_TIMEOUT_MS = 5000;

export interface LdapTlsOptions {
  /** PEM of the CA(s) that sign the server certificate; without it, the system store is used. */
  ca?: string;
  /** Verify the server certificate and name. Turning it off is an operator's explicit choice,
   *  logged by whoever builds these options. */
  rejectUnauthorized: boolean;
}

export interface LdapConnectOptions {
  /** `ldap://host[:port]` or `ldaps://host[:port]`. */
  url: string;
  /** Upgrade an `ldap://` connection with StartTLS before anything else is sent (ignored for
   *  `ldaps://`, which is TLS from the first byte). */
  startTls: boolean;
  tls: LdapTlsOptions;
  connectTimeoutMs?: number;
  operationTimeoutMs?: number;
}

export type LdapSearchScope = 'base' | 'one' | 'sub';

export interface LdapSearchOptions {
  /** An RFC 4515 filter; user input in it must come from `buildFilter` (ldap-escape.ts). */
  filter: string;
  scope: LdapSearchScope;
  /**
   * Attributes to return. Omitted: all user attributes. `[]`: none (only DNs). Unless `[]`, the
   * entry's stable id (`entryUUID`, an operational attribute that must be asked for by name, and
   * Active Directory's `objectGUID`) is always requested too.
   */
  attributes?: string[];
  /** At most this many entries; reaching it is not an error (the caller asked for it). */
  sizeLimit?: number;
  /** Read the result in pages of this size (RFC 2696), every page, before resolving. */
  paged?: { pageSize: number };
}

export type LdapPagedSearchOptions = Omit<LdapSearchOptions, 'sizeLimit' | 'paged'> & {
  pageSize: number;
};

export interface LdapEntry {
  /** RFC 4514 with minimal escaping (`cn=Smith\, John,…`, `cn=李四,…`); compare with normalizeDn. */
  dn: string;
  /**
   * Values by attribute name as the server spelled it (look names up case-insensitively).
   * Text is UTF-8; `objectGUID` is converted to a UUID string; other binary values are base64.
   */
  attributes: Record<string, string[]>;
}

export interface LdapConnection {
  /** False once the connection cannot carry another operation (closed, socket gone, timed out):
   *  what a pool checks before it hands a kept connection out again. */
  readonly usable: boolean;
  /** Simple bind. An empty password is refused without a request (it would be an
   *  unauthenticated bind, which many servers report as a success). */
  bind(dn: string, password: string): Promise<void>;
  search(base: string, options: LdapSearchOptions): Promise<LdapEntry[]>;
  /** Paged search, one array per page; an error in any page fails the whole iteration, so a
   *  caller never mistakes a partial result for the directory's content. */
  searchPages(base: string, options: LdapPagedSearchOptions): AsyncIterable<LdapEntry[]>;
  /** The root DSE (`namingContexts`, `supportedControl`, `vendorName`, …). */
  readRootDse(): Promise<LdapEntry>;
  /** Unbinds and closes; never rejects, bounded like everything else. */
  close(): Promise<void>;
}
