/** Audit actions written by more than one app (the gateway's own admin actions stay with its
 *  audit service). */
export const SHARED_AUDIT_ACTIONS = {
  /** A refresh-token family ended without its user asking: token reuse (gateway) or the user
   *  deactivated by an LDAP sync (ldap-sync). */
  sessionFamilyRevoked: 'auth.session_family_revoked',
  /** An LDAP sync run ended (manual, scheduled, forced); target: the run (`SYNC_<n>`). */
  ldapSync: 'ldap.sync',
  /** A single directory user re-synced; target: the username. */
  ldapUserResync: 'ldap.user_resync',
} as const;

/** The actor of system-initiated events (scheduled runs, recovery), as the gateway writes it. */
export const SYSTEM_ACTOR_NAME = 'system';
