/** The permissions of the management API, defined in code. An admin role holds a list of them;
 *  `*` holds all. Each management route declares the one it needs. */
export const PERMISSIONS = {
  apiKeysRead: 'api-keys:read',
  apiKeysWrite: 'api-keys:write',
  usersRead: 'users:read',
  usersWrite: 'users:write',
  rolesRead: 'roles:read',
  rolesWrite: 'roles:write',
  ldapRead: 'ldap:read',
  ldapWrite: 'ldap:write',
  integrationsRead: 'integrations:read',
  integrationsWrite: 'integrations:write',
  auditRead: 'audit:read',
  applicationsRead: 'applications:read',
  applicationsWrite: 'applications:write',
  systemRead: 'system:read',
} as const;

export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];
export const ALL_PERMISSIONS = '*';

export function grants(held: readonly string[], needed: Permission): boolean {
  return held.includes(ALL_PERMISSIONS) || held.includes(needed);
}
