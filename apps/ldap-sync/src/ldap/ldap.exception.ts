/** Why a directory operation failed, independent of the client library. Messages name the server
 *  and the failure, never a password. */
export enum LdapErrorKind {
  /** Refused, DNS failure, no route, no connection within the connect timeout, connection lost. */
  Unreachable = 'unreachable',
  /** TLS handshake or certificate verification failed, or StartTLS refused. */
  Tls = 'tls',
  /** LDAP result 49. */
  InvalidCredentials = 'invalid_credentials',
  /** Connected, but an operation got no answer in time (LDAP result 3 counts too). */
  Timeout = 'timeout',
  /** LDAP result 32: the base or entry does not exist. */
  NoSuchObject = 'no_such_object',
  Other = 'other',
}

export class LdapAdapterError extends Error {
  override readonly name = 'LdapAdapterError';

  constructor(
    readonly kind: LdapErrorKind,
    message: string,
    /** The LDAP result code when the server answered with one. */
    readonly resultCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
