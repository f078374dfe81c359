import {
  LDAP_SYNC_STATUS_LABELS,
  type LdapSyncDetailView,
  type LdapSyncRunView,
  type LdapSyncStatus,
  type LdapSyncStatusLabel,
} from '@gatehouse/contracts';
import { formatSeedDate } from '../ldap-settings/ldap-settings.service';
import type { RunItems, SyncRunRow } from './sync.repository';

/** `SYNC_<n>` ↔ the bigint id. */
export function formatRunId(id: string): string {
  return `SYNC_${id}`;
}

export function parseRunId(id: string): string | undefined {
  const match = /^SYNC_([1-9]\d{0,17})$/.exec(id);
  return match?.[1];
}

export function statusFromLabel(label: LdapSyncStatusLabel): LdapSyncStatus {
  const entry = Object.entries(LDAP_SYNC_STATUS_LABELS).find(([, value]) => value === label);
  return (entry?.[0] ?? 'running') as LdapSyncStatus;
}

/** seed 003's durations: `12秒`, `5分钟`, `1小时5分钟` (whole units, rounded down, at least `0秒`). */
export function formatDuration(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds < 60) return `${seconds}秒`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}分钟`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours}小时` : `${hours}小时${rest}分钟`;
}

export function toRunView(row: SyncRunRow): LdapSyncRunView {
  return {
    tenantId: row.tenantId,
    createdBy: row.createdBy,
    creator: row.creator,
    createdDate: formatSeedDate(row.createdDate),
    modifiedBy: row.modifiedBy,
    modifier: row.modifier,
    modifiedDate: formatSeedDate(row.modifiedDate),
    id: row.dryRun ? null : formatRunId(row.id),
    startTime: formatSeedDate(row.startedAt),
    endTime: formatSeedDate(row.endedAt),
    duration: row.endedAt ? formatDuration(row.endedAt.getTime() - row.startedAt.getTime()) : null,
    status: LDAP_SYNC_STATUS_LABELS[row.status],
    totalUsers: row.totalUsers,
    newUsers: row.newUsers,
    updatedUsers: row.updatedUsers,
    deletedUsers: row.deletedUsers,
    failedUsers: row.failedUsers,
    syncType: row.syncType,
    mode: row.mode,
    entriesRead: row.entriesRead,
    entriesWritten: row.entriesWritten,
    dryRun: row.dryRun,
    forced: row.forced,
    error: row.error,
  };
}

export function toDetailView(row: SyncRunRow, items: RunItems): LdapSyncDetailView {
  return { ...toRunView(row), details: { ...items, mode: row.mode, groups: row.groupSummary } };
}
