import { firstValue } from '../ldap/ldap-attributes';
import type { LdapEntry } from '../ldap/ldap-connection';
import {
  mapDirectoryFields,
  type ResolvedFieldMapping,
} from '../ldap-config/ldap-field-mapping.util';

/** Deletions above this share of the tenant's active LDAP users abort the run unless forced. */
export const MAX_DELETION_RATIO = 0.2;

/** The user columns a sync owns, as stored. */
export interface SyncedUserFields {
  username: string;
  email: string | null;
  firstName: string;
  lastName: string;
  employeeNumber: string | null;
  ldapDn: string;
  active: boolean;
}

/** A user row of the tenant that came from the directory (`ldap_uuid` set). */
export interface CurrentLdapUser extends SyncedUserFields {
  id: string;
  ldapUuid: string;
}

export interface PlannedUser extends SyncedUserFields {
  ldapUuid: string;
  /** The display name for the run's detail lists. */
  name: string;
}

export interface PlannedUpdate {
  id: string;
  user: PlannedUser;
  /** Changed fields, in the API's names (`email`, `username`, `dn`, …). */
  changes: string[];
}

export interface FailedEntry {
  username: string | null;
  name: string | null;
  reason: string;
}

export interface PagePlan {
  created: PlannedUser[];
  updated: PlannedUpdate[];
  failed: FailedEntry[];
}

/** Field → the name a change is reported as. */
const CHANGE_NAMES: Record<keyof SyncedUserFields, string> = {
  username: 'username',
  email: 'email',
  firstName: 'firstName',
  lastName: 'lastName',
  employeeNumber: 'employeeNumber',
  ldapDn: 'dn',
  active: 'active',
};

/** The stable id of an entry: OpenLDAP's entryUUID or Active Directory's objectGUID. */
export function entryId(entry: LdapEntry): string | undefined {
  const id =
    firstValue(entry.attributes, 'entryUUID') ?? firstValue(entry.attributes, 'objectGUID');
  return id?.trim() || undefined;
}

/**
 * One page of directory entries against the tenant's LDAP users (by stable id). `seen` collects
 * the ids met so far across pages: a repeated id is a failed entry, and the active users unseen at
 * the end of a complete read are deactivated (SyncRepository.unseenActiveLdapUsers). Identity is the stable id, so a renamed or moved
 * entry is an update (`username` / `dn` changed), never a delete and a create.
 */
export function planPage(
  current: ReadonlyMap<string, CurrentLdapUser>,
  seen: Set<string>,
  entries: readonly LdapEntry[],
  mapping: ResolvedFieldMapping,
): PagePlan {
  const plan: PagePlan = { created: [], updated: [], failed: [] };
  for (const entry of entries) {
    const mapped = mapDirectoryFields(entry, mapping, '');
    const username = mapped.username.trim();
    if (username === '') {
      plan.failed.push({
        username: null,
        name: mapped.name || null,
        reason: `entry ${entry.dn} has no username attribute (${mapping.username || 'unmapped'})`,
      });
      continue;
    }
    const id = entryId(entry);
    if (!id) {
      plan.failed.push({
        username,
        name: mapped.name,
        reason: `entry ${entry.dn} has no entryUUID or objectGUID`,
      });
      continue;
    }
    if (seen.has(id)) {
      plan.failed.push({ username, name: mapped.name, reason: `duplicate entry id ${id}` });
      continue;
    }
    seen.add(id);
    const user: PlannedUser = {
      ldapUuid: id,
      username,
      name: mapped.name,
      email: mapped.email,
      firstName: mapped.firstName,
      lastName: mapped.lastName,
      employeeNumber: mapped.employeeNumber,
      ldapDn: entry.dn,
      active: true,
    };
    const existing = current.get(id);
    if (!existing) {
      plan.created.push(user);
      continue;
    }
    const changes = changedFields(existing, user);
    if (changes.length > 0) plan.updated.push({ id: existing.id, user, changes });
  }
  return plan;
}

const SYNCED_FIELDS = Object.keys(CHANGE_NAMES) as (keyof SyncedUserFields)[];

/** The names of the fields that differ, in the API's names; an unchanged user (nearly every one
 *  of a full run) costs one empty array. */
export function changedFields(before: SyncedUserFields, after: SyncedUserFields): string[] {
  let changes: string[] | undefined;
  for (const field of SYNCED_FIELDS) {
    if (before[field] !== after[field]) (changes ??= []).push(CHANGE_NAMES[field]);
  }
  return changes ?? [];
}

export interface DeletionCheck {
  /** Entries the directory returned (after a complete read). */
  entriesRead: number;
  activeLdapUsers: number;
  deletions: number;
  force: boolean;
  maxRatio?: number;
}

/**
 * Why deletions must not happen, or null when they may. An empty directory result never deletes
 * (even forced: it is the classic symptom of a wrong base DN or filter); more than `maxRatio` of
 * the active LDAP users only with `force`.
 */
export function deletionRefusal(check: DeletionCheck): string | null {
  if (check.deletions === 0) return null;
  if (check.entriesRead === 0) {
    return `the directory returned no entries; refusing to deactivate ${check.deletions} users`;
  }
  const ratio = check.maxRatio ?? MAX_DELETION_RATIO;
  if (!check.force && check.deletions > check.activeLdapUsers * ratio) {
    return `${check.deletions} of ${check.activeLdapUsers} active LDAP users would be deactivated (more than ${Math.round(ratio * 100)}%); run again with force=true to apply`;
  }
  return null;
}
