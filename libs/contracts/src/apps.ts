/** The three Gatehouse apps: their names, default HTTP ports and probe paths. Deployment files and
 *  tests read these so ports and probe paths cannot drift from what the apps serve. */
export const APP_NAMES = ['auth-gateway', 'ldap-sync', 'integration-gateway'] as const;
export type AppName = (typeof APP_NAMES)[number];

export const DEFAULT_HTTP_PORTS: Readonly<Record<AppName, number>> = {
  'auth-gateway': 3000,
  'ldap-sync': 3001,
  'integration-gateway': 3002,
};

export const PROBE_PATHS = {
  liveness: '/health',
  readiness: '/ready',
  metrics: '/metrics',
} as const;
