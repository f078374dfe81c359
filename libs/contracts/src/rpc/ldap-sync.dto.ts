import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

/** seed 003 "手动同步LDAP用户", "获取同步历史记录", "获取同步详情": directory → users synchronisation.
 *  HTTP query strings are the `*QueryDto` classes; RPC payloads carry the tenant and typed values. */

const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const BOOLEAN_TEXT = ['true', 'false'];

/** Stored status → the seed's label. */
export const LDAP_SYNC_STATUS_LABELS = {
  running: '进行中',
  succeeded: '成功',
  failed: '失败',
} as const;
export type LdapSyncStatus = keyof typeof LDAP_SYNC_STATUS_LABELS;
export type LdapSyncStatusLabel = (typeof LDAP_SYNC_STATUS_LABELS)[LdapSyncStatus];
export const LDAP_SYNC_STATUS_LABEL_VALUES: readonly LdapSyncStatusLabel[] =
  Object.values(LDAP_SYNC_STATUS_LABELS);
export type LdapSyncType = 'manual' | 'auto' | 'incremental';
export type LdapSyncMode = 'full' | 'incremental';
export const LDAP_SYNC_MODES: readonly LdapSyncMode[] = ['full', 'incremental'];
/** Run ids as the API shows them. */
export const LDAP_SYNC_RUN_ID = /^SYNC_[1-9]\d{0,17}$/;

/** `POST /api/v1/ldap/sync-users?dryRun=true&force=true&mode=incremental`. */
export class LdapSyncUsersQueryDto {
  @IsOptional()
  @IsIn(BOOLEAN_TEXT)
  dryRun?: string;

  @IsOptional()
  @IsIn(BOOLEAN_TEXT)
  force?: string;

  /** `full` (the default) reads every entry; `incremental` reads those changed since the last
   *  successful run, and is full when no full run has succeeded yet. */
  @IsOptional()
  @IsIn(LDAP_SYNC_MODES)
  mode?: string;
}

/** `GET /api/v1/ldap/sync-history?page&size&status`. */
export class LdapSyncHistoryQueryDto {
  @IsOptional()
  @Matches(/^[1-9]\d{0,5}$/, { message: 'page must be a positive integer' })
  page?: string;

  @IsOptional()
  @Matches(/^[1-9]\d{0,2}$/, { message: 'size must be an integer from 1 to 100' })
  size?: string;

  @IsOptional()
  @IsIn(LDAP_SYNC_STATUS_LABEL_VALUES)
  status?: string;
}

export class LdapSyncStartRequestDto {
  @IsString()
  @Matches(TENANT_ID)
  tenantId!: string;

  @IsString()
  @MaxLength(64)
  actorId!: string;

  @IsString()
  @MaxLength(200)
  actorName!: string;

  /** Where the acting admin called from and the request id, for the run's audit row. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  clientAddress?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  requestId?: string;

  @IsBoolean()
  dryRun!: boolean;

  @IsBoolean()
  force!: boolean;

  /** The mode asked for (full when absent); see LdapSyncUsersQueryDto.mode. */
  @IsOptional()
  @IsIn(LDAP_SYNC_MODES)
  mode?: LdapSyncMode;
}

export class LdapSyncHistoryRequestDto {
  @IsString()
  @Matches(TENANT_ID)
  tenantId!: string;

  @IsInt()
  @Min(1)
  @Max(100000)
  page!: number;

  @IsInt()
  @Min(1)
  @Max(100)
  size!: number;

  @IsOptional()
  @IsIn(LDAP_SYNC_STATUS_LABEL_VALUES)
  status?: LdapSyncStatusLabel;
}

export class LdapSyncDetailRequestDto {
  @IsString()
  @Matches(TENANT_ID)
  tenantId!: string;

  @IsString()
  @Matches(LDAP_SYNC_RUN_ID, { message: 'id must look like SYNC_<number>' })
  id!: string;
}

/** One run, as seed 003 answers it; dates `YYYY-MM-DD HH:mm:ss` (UTC). */
export interface LdapSyncRunView {
  tenantId: string;
  createdBy: string;
  creator: string;
  createdDate: string | null;
  modifiedBy: string;
  modifier: string;
  modifiedDate: string | null;
  /** `SYNC_<n>`; null for a dry run (not stored). */
  id: string | null;
  startTime: string | null;
  endTime: string | null;
  /** `5分钟`, `12秒`, `1小时5分钟`; null while running. */
  duration: string | null;
  status: LdapSyncStatusLabel;
  totalUsers: number;
  newUsers: number;
  updatedUsers: number;
  deletedUsers: number;
  failedUsers: number;
  syncType: LdapSyncType;
  /** `full` reads everything and may deactivate; `incremental` reads entries changed since the
   *  last successful run and never deactivates (syncType keeps the seed's `manual`/`auto`). */
  mode: LdapSyncMode;
  /** Progress, updated about once a second while the run is in progress. */
  entriesRead: number;
  entriesWritten: number;
  dryRun: boolean;
  forced: boolean;
  /** Why a failed run failed (nothing deactivated); null otherwise. */
  error: string | null;
}

export interface LdapSyncUserItem {
  username: string | null;
  name: string | null;
  email?: string | null;
  changes?: string[];
  reason?: string | null;
}

export interface LdapSyncDetailView extends LdapSyncRunView {
  details: {
    newUsersList: LdapSyncUserItem[];
    updatedUsersList: LdapSyncUserItem[];
    deletedUsersList: LdapSyncUserItem[];
    failedUsersList: LdapSyncUserItem[];
    /** The run's mode again, where the seed's clients read the details. */
    mode?: LdapSyncMode;
    /** What the group phase did; null when it did not run (dry run, failed user phase). */
    groups?: LdapSyncGroupSummary | null;
  };
}

export interface LdapSyncHistoryPage {
  /** A string, as the seed answers it. */
  total: string;
  list: LdapSyncRunView[];
}

/** The tenant's sync schedule after `ldap.sync.schedule` (from syncEnabled/syncInterval). */
export interface LdapSyncScheduleReply {
  scheduled: boolean;
  /** Seconds between automatic runs; null when not scheduled. */
  every: number | null;
}

/** The group phase of a run: groups read and written, effective memberships (nested groups
 *  resolved) and the role grants derived from the group → role mappings. */
export interface LdapSyncGroupSummary {
  mode: LdapSyncMode;
  groupsRead: number;
  newGroups: number;
  updatedGroups: number;
  deletedGroups: number;
  /** Group entries not written (no stable id, unknown kind), at most 100. */
  skippedGroups: { dn: string; reason: string }[];
  /** Effective (user, group) memberships after the run. */
  memberships: number;
  membershipsAdded: number;
  membershipsRemoved: number;
  /** Member values naming neither a synced user nor a known group. */
  unresolvedMembers: number;
  rolesGranted: number;
  rolesRevoked: number;
}
