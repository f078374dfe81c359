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

/** `GET /api/v1/admin/stats`. */
export interface AdminStats {
  users: UserCounts & { bySource: { local: UserCounts; ldap: UserCounts } };
  sessions: { active: number };
  logins: { last24h: { succeeded: number; failed: number; lockouts: number } };
  lastSync: LastSyncView | null;
  /** Integrations by state; null until client-API integrations exist in this deployment. */
  integrations: Record<string, number> | null;
  generatedAt: string;
}
