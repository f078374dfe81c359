import type { AccessTokenClaims, UserInfo } from '../auth/token-claims';
import type {
  EmployeeRequestDto,
  RoleRequestDto,
  TenantUserRequestDto,
  TenantUsersRequestDto,
  ValidateTokenRequestDto,
} from './auth-rpc.dto';
import type {
  LdapConfigView,
  LdapDirectoryUser,
  LdapFieldMappingView,
  LdapGroupMembersReply,
  LdapGroupMembersRequestDto,
  LdapGroupRoleMappingsReply,
  LdapGroupView,
  LdapSaveGroupRoleMappingsRequestDto,
  LdapUserResyncReply,
  LdapUserResyncRequestDto,
  LdapSaveConfigRequestDto,
  LdapSaveFieldMappingRequestDto,
  LdapSearchUsersRequestDto,
  LdapTenantRequestDto,
  LdapTestAuthReply,
  LdapTestConnectionReply,
  LdapTestConnectionRequestDto,
} from './ldap-admin.dto';
import type {
  LdapSyncDetailRequestDto,
  LdapSyncDetailView,
  LdapSyncHistoryPage,
  LdapSyncHistoryRequestDto,
  LdapSyncScheduleReply,
  LdapSyncStartRequestDto,
} from './ldap-sync.dto';
import type { LdapAuthenticateReply, LdapAuthenticateRequestDto } from './ldap-authenticate.dto';
import type {
  DirectoryWriteSettingsView,
  LdapCreateUserReply,
  LdapCreateUserRequestDto,
  LdapSaveDirectoryWriteRequestDto,
  LdapUpdateUserReply,
  LdapUpdateUserRequestDto,
} from './ldap-directory-write.dto';
import type {
  CreateProjectRequestDto,
  DeleteProjectReply,
  DeleteProjectRequestDto,
  IntegrationConfigView,
  ListUnitsRequestDto,
  ProjectRequestDto,
  ProjectTenantRequestDto,
  ProjectView,
  SaveIntegrationConfigRequestDto,
  TestConnectionView,
  UnitsPage,
  WebhookSecretView,
} from '../integration/integration.dto';

/** RPC message patterns: the only place a pattern string is written. Each has its payload and
 *  reply type beside it in `RpcContract`. */
export const RPC_PATTERNS = {
  ldap: {
    ping: 'ldap.ping',
    authenticate: 'ldap.authenticate',
    getConfig: 'ldap.config.get',
    saveConfig: 'ldap.config.save',
    testConnection: 'ldap.testConnection',
    testAuth: 'ldap.testAuth',
    searchUsers: 'ldap.searchUsers',
    groups: 'ldap.groups',
    groupMembers: 'ldap.groupMembers',
    getFieldMapping: 'ldap.fieldMapping.get',
    saveFieldMapping: 'ldap.fieldMapping.save',
    syncUsers: 'ldap.sync.start',
    syncHistory: 'ldap.sync.history',
    syncDetail: 'ldap.sync.detail',
    syncSchedule: 'ldap.sync.schedule',
    getGroupRoleMappings: 'ldap.groupRoleMappings.get',
    saveGroupRoleMappings: 'ldap.groupRoleMappings.save',
    resyncUser: 'ldap.users.resync',
    createUser: 'ldap.users.create',
    updateUser: 'ldap.users.update',
    getDirectoryWrite: 'ldap.directoryWrite.get',
    saveDirectoryWrite: 'ldap.directoryWrite.save',
  },
  integration: {
    ping: 'integration.ping',
    listProjects: 'integration.projects.list',
    createProject: 'integration.projects.create',
    getProject: 'integration.projects.get',
    deleteProject: 'integration.projects.delete',
    getConfig: 'integration.config.get',
    saveConfig: 'integration.config.save',
    testConnection: 'integration.testConnection',
    listUnits: 'integration.units.list',
    rotateWebhookSecret: 'integration.webhookSecret.rotate',
  },
  /** Served by auth-gateway for services inside the cluster: the same answers as seed 001's HTTP. */
  auth: {
    validateToken: 'auth.validateToken',
    userInfo: 'auth.userInfo',
    usersInfo: 'auth.usersInfo',
    usersByRole: 'auth.usersByRole',
    nextAssignee: 'auth.nextAssignee',
    employee: 'auth.employee',
  },
} as const;

/**
 * Patterns that change something (or call out) and must run once per call. Nest's Redis transport
 * is pub/sub: every replica subscribed to a pattern receives each request and would answer it.
 * For these, the replicas race for the request's id in Redis and only the winner handles and
 * answers it (libs/platform ClaimingServerRedis); the read-only patterns are answered by whichever
 * replica is first. `integration.projects.delete` is not here on purpose: every replica closes its
 * own SSE consumer, and each step of the delete is idempotent.
 */
export const RPC_ONCE_PATTERNS: ReadonlySet<string> = new Set([
  RPC_PATTERNS.ldap.saveConfig,
  RPC_PATTERNS.ldap.testConnection,
  RPC_PATTERNS.ldap.saveFieldMapping,
  RPC_PATTERNS.ldap.syncUsers,
  RPC_PATTERNS.ldap.syncSchedule,
  RPC_PATTERNS.ldap.saveGroupRoleMappings,
  RPC_PATTERNS.ldap.resyncUser,
  RPC_PATTERNS.ldap.createUser,
  RPC_PATTERNS.ldap.updateUser,
  RPC_PATTERNS.ldap.saveDirectoryWrite,
  RPC_PATTERNS.integration.createProject,
  RPC_PATTERNS.integration.saveConfig,
  RPC_PATTERNS.integration.testConnection,
  RPC_PATTERNS.integration.rotateWebhookSecret,
  RPC_PATTERNS.auth.nextAssignee,
]);

/** Events (emit, no reply) on the Redis transport. */
export const EVENT_PATTERNS = {
  /** A batch of units whose status changed; payload `UnitStatusChangedEvent`. */
  unitStatusChanged: 'integration.unitStatus.changed',
} as const;

export interface PingRequest {
  /** Free text echoed back; lets a caller match replies when debugging. */
  nonce?: string;
}

export interface PingReply {
  app: string;
  nonce?: string;
  /** Seconds since the answering process started. */
  uptime: number;
}

/** Pattern → payload and reply types, so callers get both checked. */
export interface RpcContract {
  [RPC_PATTERNS.ldap.ping]: { request: PingRequest; reply: PingReply };
  [RPC_PATTERNS.ldap.authenticate]: {
    request: LdapAuthenticateRequestDto;
    reply: LdapAuthenticateReply;
  };
  [RPC_PATTERNS.ldap.getConfig]: { request: LdapTenantRequestDto; reply: LdapConfigView };
  [RPC_PATTERNS.ldap.saveConfig]: { request: LdapSaveConfigRequestDto; reply: LdapConfigView };
  [RPC_PATTERNS.ldap.testConnection]: {
    request: LdapTestConnectionRequestDto;
    reply: LdapTestConnectionReply;
  };
  [RPC_PATTERNS.ldap.testAuth]: { request: LdapAuthenticateRequestDto; reply: LdapTestAuthReply };
  [RPC_PATTERNS.ldap.searchUsers]: {
    request: LdapSearchUsersRequestDto;
    reply: LdapDirectoryUser[];
  };
  [RPC_PATTERNS.ldap.groups]: { request: LdapTenantRequestDto; reply: LdapGroupView[] };
  [RPC_PATTERNS.ldap.groupMembers]: {
    request: LdapGroupMembersRequestDto;
    reply: LdapGroupMembersReply;
  };
  [RPC_PATTERNS.ldap.getFieldMapping]: {
    request: LdapTenantRequestDto;
    reply: LdapFieldMappingView;
  };
  [RPC_PATTERNS.ldap.saveFieldMapping]: {
    request: LdapSaveFieldMappingRequestDto;
    reply: LdapFieldMappingView;
  };
  /** A dry run answers the plan (with its detail lists); otherwise the queued run. */
  [RPC_PATTERNS.ldap.syncUsers]: { request: LdapSyncStartRequestDto; reply: LdapSyncDetailView };
  [RPC_PATTERNS.ldap.syncHistory]: {
    request: LdapSyncHistoryRequestDto;
    reply: LdapSyncHistoryPage;
  };
  [RPC_PATTERNS.ldap.syncDetail]: { request: LdapSyncDetailRequestDto; reply: LdapSyncDetailView };
  /** Re-reads syncEnabled/syncInterval and replaces (or removes) the tenant's job scheduler. */
  [RPC_PATTERNS.ldap.syncSchedule]: { request: LdapTenantRequestDto; reply: LdapSyncScheduleReply };
  [RPC_PATTERNS.ldap.getGroupRoleMappings]: {
    request: LdapTenantRequestDto;
    reply: LdapGroupRoleMappingsReply;
  };
  /** Replaces the tenant's mappings and re-applies them to the stored memberships at once. */
  [RPC_PATTERNS.ldap.saveGroupRoleMappings]: {
    request: LdapSaveGroupRoleMappingsRequestDto;
    reply: LdapGroupRoleMappingsReply;
  };
  [RPC_PATTERNS.ldap.resyncUser]: { request: LdapUserResyncRequestDto; reply: LdapUserResyncReply };
  [RPC_PATTERNS.ldap.createUser]: { request: LdapCreateUserRequestDto; reply: LdapCreateUserReply };
  [RPC_PATTERNS.ldap.updateUser]: { request: LdapUpdateUserRequestDto; reply: LdapUpdateUserReply };
  [RPC_PATTERNS.ldap.getDirectoryWrite]: {
    request: LdapTenantRequestDto;
    reply: DirectoryWriteSettingsView;
  };
  [RPC_PATTERNS.ldap.saveDirectoryWrite]: {
    request: LdapSaveDirectoryWriteRequestDto;
    reply: DirectoryWriteSettingsView;
  };
  [RPC_PATTERNS.integration.ping]: { request: PingRequest; reply: PingReply };
  [RPC_PATTERNS.integration.listProjects]: {
    request: ProjectTenantRequestDto;
    reply: ProjectView[];
  };
  [RPC_PATTERNS.integration.createProject]: {
    request: CreateProjectRequestDto;
    reply: ProjectView;
  };
  [RPC_PATTERNS.integration.getProject]: { request: ProjectRequestDto; reply: ProjectView };
  /** Stops the project's polling and SSE consumer, deletes its rows and forgets its Redis keys. */
  [RPC_PATTERNS.integration.deleteProject]: {
    request: DeleteProjectRequestDto;
    reply: DeleteProjectReply;
  };
  [RPC_PATTERNS.integration.getConfig]: {
    request: ProjectRequestDto;
    reply: IntegrationConfigView;
  };
  [RPC_PATTERNS.integration.saveConfig]: {
    request: SaveIntegrationConfigRequestDto;
    reply: IntegrationConfigView;
  };
  [RPC_PATTERNS.integration.testConnection]: {
    request: ProjectRequestDto;
    reply: TestConnectionView;
  };
  [RPC_PATTERNS.integration.listUnits]: { request: ListUnitsRequestDto; reply: UnitsPage };
  /** A new webhook secret for the project, answered once (stored encrypted). */
  [RPC_PATTERNS.integration.rotateWebhookSecret]: {
    request: ProjectRequestDto;
    reply: WebhookSecretView;
  };
  [RPC_PATTERNS.auth.validateToken]: { request: ValidateTokenRequestDto; reply: AccessTokenClaims };
  [RPC_PATTERNS.auth.userInfo]: { request: TenantUserRequestDto; reply: UserInfo };
  [RPC_PATTERNS.auth.usersInfo]: {
    request: TenantUsersRequestDto;
    reply: { users: UserInfo[]; not_found: number[] };
  };
  [RPC_PATTERNS.auth.usersByRole]: { request: RoleRequestDto; reply: { user_ids: number[] } };
  [RPC_PATTERNS.auth.nextAssignee]: { request: RoleRequestDto; reply: { user_id: number | null } };
  [RPC_PATTERNS.auth.employee]: {
    request: EmployeeRequestDto;
    reply: UserInfo & { employee_id: string; username: string; user_type: string; active: boolean };
  };
}

export type RpcPattern = keyof RpcContract;
