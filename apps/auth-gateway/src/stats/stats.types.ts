export interface UserCounts {
  total: number;
  active: number;
  inactive: number;
}

export interface LastSyncView {
  tenantId: string;
  id: string;
  status: 'running' | 'succeeded' | 'failed';
  syncType: string;
  startedAt: string;
  endedAt: string | null;
  totalUsers: number;
  newUsers: number;
  updatedUsers: number;
  deletedUsers: number;
  failedUsers: number;
  error: string | null;
}

/** The tenant's client-API integrations (seed 004) by state and by update method. A project is
 *  `unconfigured` without a saved config, `failing` while its last call failed, else `healthy`. */
export interface IntegrationCounts {
  total: number;
  unconfigured: number;
  healthy: number;
  failing: number;
  byMethod: { polling: number; sse: number; webhook: number };
}

/** `GET /api/v1/admin/stats`. */
export interface AdminStats {
  users: UserCounts & { bySource: { local: UserCounts; ldap: UserCounts } };
  sessions: { active: number };
  logins: { last24h: { succeeded: number; failed: number; lockouts: number } };
  lastSync: LastSyncView | null;
  integrations: IntegrationCounts;
  generatedAt: string;
}
