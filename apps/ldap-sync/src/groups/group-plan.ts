/**
 * Directory groups as plain data, and the decisions of a group sync that need no I/O: reading a
 * group entry, matching its member values to users and groups, and when removing groups is safe.
 */
import { allValues, firstValue } from '../ldap/ldap-attributes';
import type { LdapEntry } from '../ldap/ldap-connection';
import { normalizeDn } from '../ldap/ldap-escape';
import { entryId } from '../sync/sync-plan';

export const GROUP_KINDS = ['groupOfNames', 'groupOfUniqueNames', 'posixGroup'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

/** Every group kind the sync reads, as one filter. */
export const GROUP_OBJECT_FILTER =
  '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))';
/** What a group read asks for (the stable id is added by the adapter). */
export const GROUP_ATTRIBUTES = ['cn', 'objectClass', 'member', 'uniqueMember', 'memberUid'];

export interface DirectoryGroup {
  ldapUuid: string;
  dn: string;
  /** normalizeDn(dn): what member values and role mappings match on. */
  dnKey: string;
  cn: string | null;
  kind: GroupKind;
  /** Normalised DNs of `member` / `uniqueMember` values (users or groups). */
  memberDnKeys: string[];
  /** `memberUid` values (posixGroup), lower-cased: they name users by username. */
  memberUids: string[];
}

/** A group entry without a stable id or of no known kind: reported, not written. */
export interface SkippedGroup {
  dn: string;
  reason: string;
}

/** DNs made only of these characters need none of RFC 4514's escaping or Unicode folding. */
const PLAIN_DN = /^[A-Za-z0-9=,. _-]+$/;
/** The commonest shape of all, `type=value,type=value` without spaces: its key is its lower case. */
const COMPACT_DN = /^[A-Za-z0-9.-]+=[A-Za-z0-9._-]+(?:,[A-Za-z0-9.-]+=[A-Za-z0-9._-]+)*$/;

/**
 * `normalizeDn` with a fast path: a plain ASCII DN (the common `uid=jdoe,ou=users,dc=…`) is
 * lower-cased and trimmed per RDN directly, which gives the same key as `normalizeDn` at a
 * fraction of its cost (member lists of a large directory hold hundreds of thousands of DNs).
 * Anything else (escapes, `+`, quotes, `#`, non-ASCII) goes through `normalizeDn`.
 */
export function dnKey(dn: string): string {
  if (COMPACT_DN.test(dn)) return dn.toLowerCase();
  if (!PLAIN_DN.test(dn)) return normalizeDn(dn);
  const rdns = dn.split(',');
  const keys: string[] = [];
  for (const rdn of rdns) {
    const equals = rdn.indexOf('=');
    if (equals <= 0 || rdn.indexOf('=', equals + 1) >= 0) return normalizeDn(dn);
    const type = rdn.slice(0, equals).trim();
    const value = rdn
      .slice(equals + 1)
      .trim()
      .replace(/ +/g, ' ');
    if (type === '' || value === '') return normalizeDn(dn);
    keys.push(`${type.toLowerCase()}=${value.toLowerCase()}`);
  }
  return keys.join(',');
}

/** The group kind of an entry from its object classes (groupOfNames wins over posixGroup when a
 *  directory combines them, RFC 2307bis style). */
export function groupKind(entry: LdapEntry): GroupKind | undefined {
  const classes = new Set(allValues(entry.attributes, 'objectClass').map((c) => c.toLowerCase()));
  return GROUP_KINDS.find((kind) => classes.has(kind.toLowerCase()));
}

export function parseGroupEntry(entry: LdapEntry): DirectoryGroup | SkippedGroup {
  const ldapUuid = entryId(entry);
  if (!ldapUuid)
    return { dn: entry.dn, reason: `group ${entry.dn} has no entryUUID or objectGUID` };
  const kind = groupKind(entry);
  if (!kind) return { dn: entry.dn, reason: `entry ${entry.dn} is not a known group kind` };
  const dns = [
    ...allValues(entry.attributes, 'member'),
    ...allValues(entry.attributes, 'uniqueMember'),
  ];
  return {
    ldapUuid,
    dn: entry.dn,
    dnKey: dnKey(entry.dn),
    cn: firstValue(entry.attributes, 'cn') ?? null,
    kind,
    // uniqueMember may carry an optional UID suffix (`#'0101'B`, RFC 4517 NameAndOptionalUID).
    memberDnKeys: unique(dns.map((dn) => dnKey(dn.replace(/#'[01]*'B$/, '')))),
    memberUids: unique(allValues(entry.attributes, 'memberUid').map((uid) => uid.toLowerCase())),
  };
}

export function isSkipped(group: DirectoryGroup | SkippedGroup): group is SkippedGroup {
  return 'reason' in group;
}

/** The users a group's member values can name: by normalised DN and by lower-cased username. */
export interface UserIndex {
  byDnKey: ReadonlyMap<string, string>;
  byUsername: ReadonlyMap<string, string>;
}

export function buildUserIndex(
  users: readonly { id: string; ldapDn: string | null; username: string }[],
): UserIndex {
  const byDnKey = new Map<string, string>();
  const byUsername = new Map<string, string>();
  for (const user of users) {
    if (user.ldapDn) byDnKey.set(dnKey(user.ldapDn), user.id);
    byUsername.set(user.username.toLowerCase(), user.id);
  }
  return { byDnKey, byUsername };
}

/** A group's direct edges: the users and the groups among its members. Members that are neither
 *  (outside the synced users, or deleted) are counted as unresolved. */
export interface GroupEdges {
  userIds: string[];
  groupIds: string[];
  unresolved: number;
}

export function groupEdges(
  group: DirectoryGroup,
  users: UserIndex,
  groupIdByDnKey: ReadonlyMap<string, string>,
  ownId: string,
): GroupEdges {
  const userIds = new Set<string>();
  const groupIds = new Set<string>();
  let unresolved = 0;
  for (const key of group.memberDnKeys) {
    const userId = users.byDnKey.get(key);
    const groupId = groupIdByDnKey.get(key);
    if (userId) userIds.add(userId);
    else if (groupId && groupId !== ownId) groupIds.add(groupId);
    else if (!groupId) unresolved += 1;
  }
  for (const uid of group.memberUids) {
    const userId = users.byUsername.get(uid);
    if (userId) userIds.add(userId);
    else unresolved += 1;
  }
  return { userIds: [...userIds], groupIds: [...groupIds], unresolved };
}

export interface GroupDeletionCheck {
  groupsRead: number;
  existingGroups: number;
  deletions: number;
  force: boolean;
  maxRatio: number;
}

/** The users' safety rule for groups: an empty read never removes groups (even forced), more
 *  than `maxRatio` of the stored groups only with force. Null when removal may go ahead. */
export function groupDeletionRefusal(check: GroupDeletionCheck): string | null {
  if (check.deletions === 0) return null;
  if (check.groupsRead === 0) {
    return `the directory returned no groups; refusing to remove ${check.deletions} groups`;
  }
  if (!check.force && check.deletions > check.existingGroups * check.maxRatio) {
    return `${check.deletions} of ${check.existingGroups} groups would be removed (more than ${Math.round(check.maxRatio * 100)}%); run again with force=true to apply`;
  }
  return null;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
