/**
 * Nested groups resolved into each user's effective groups. A user belongs to a group when it is
 * listed in it (`direct`) or in any group nested in it, at any depth. Directories allow cycles
 * (A contains B contains A); every walk keeps a visited set, so a cycle ends the walk instead of
 * looping, and every group of a cycle contains the members of all the others.
 */

export interface MembershipGraph {
  /** group id → its direct user members. */
  users: ReadonlyMap<string, readonly string[]>;
  /** group id → the groups listed as its members. */
  nested: ReadonlyMap<string, readonly string[]>;
}

export interface EffectiveMembership {
  userId: string;
  groupId: string;
  direct: boolean;
}

/** The groups nested in `groupId` at any depth, itself included; cycle-safe. */
export function containedGroups(graph: MembershipGraph, groupId: string): Set<string> {
  const seen = new Set<string>([groupId]);
  const stack = [groupId];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const child of graph.nested.get(current) ?? []) {
      if (!seen.has(child)) {
        seen.add(child);
        stack.push(child);
      }
    }
  }
  return seen;
}

/** Every (user, group) pair of effective membership, once each. */
export function resolveMemberships(
  graph: MembershipGraph,
  groupIds: Iterable<string>,
): EffectiveMembership[] {
  const result: EffectiveMembership[] = [];
  for (const groupId of groupIds) {
    const direct = new Set(graph.users.get(groupId) ?? []);
    const members = new Set<string>(direct);
    for (const contained of containedGroups(graph, groupId)) {
      for (const userId of graph.users.get(contained) ?? []) members.add(userId);
    }
    for (const userId of members) {
      result.push({ userId, groupId, direct: direct.has(userId) });
    }
  }
  return result;
}

/**
 * What a sync stores of `resolveMemberships`: only the memberships that come from nesting (the
 * user is not listed in the group itself; the listed ones are the direct edges), and how many
 * effective memberships there are in all. Allocates nothing for a group without nested groups.
 */
export function resolveInherited(
  graph: MembershipGraph,
  groupIds: Iterable<string>,
): { inherited: EffectiveMembership[]; total: number } {
  const inherited: EffectiveMembership[] = [];
  let total = 0;
  for (const groupId of groupIds) {
    const listed = graph.users.get(groupId) ?? [];
    if ((graph.nested.get(groupId) ?? []).length === 0) {
      total += new Set(listed).size;
      continue;
    }
    const direct = new Set(listed);
    const extra = new Set<string>();
    for (const contained of containedGroups(graph, groupId)) {
      if (contained === groupId) continue;
      for (const userId of graph.users.get(contained) ?? []) {
        if (!direct.has(userId)) extra.add(userId);
      }
    }
    total += direct.size + extra.size;
    for (const userId of extra) inherited.push({ userId, groupId, direct: false });
  }
  return { inherited, total };
}

/** The groups that contain any of `groupIds` at any depth (the ancestors), themselves included:
 *  the effective groups of a user who is a direct member of `groupIds`. */
export function containingGroups(
  parentsOf: (groupId: string) => readonly string[],
  groupIds: Iterable<string>,
): Set<string> {
  const seen = new Set<string>();
  const stack: string[] = [];
  for (const id of groupIds) {
    if (!seen.has(id)) {
      seen.add(id);
      stack.push(id);
    }
  }
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const parent of parentsOf(current)) {
      if (!seen.has(parent)) {
        seen.add(parent);
        stack.push(parent);
      }
    }
  }
  return seen;
}

/** Edge lists keyed by group id: what to insert and delete so that the groups in `scope` have
 *  exactly the edges of `after` (groups outside the scope keep theirs). */
export function diffEdges(
  before: ReadonlyMap<string, readonly string[]>,
  after: ReadonlyMap<string, readonly string[]>,
  scope: Iterable<string>,
): { added: [string, string][]; removed: [string, string][] } {
  const added: [string, string][] = [];
  const removed: [string, string][] = [];
  for (const groupId of scope) {
    const old = new Set(before.get(groupId) ?? []);
    const now = new Set(after.get(groupId) ?? []);
    for (const member of now) if (!old.has(member)) added.push([groupId, member]);
    for (const member of old) if (!now.has(member)) removed.push([groupId, member]);
  }
  return { added, removed };
}

/** What to write so that the stored effective memberships become `after`: rows to insert (or
 *  whose `direct` flag changed) and pairs to delete. Unchanged rows are not written at all. */
export function diffMemberships(
  before: readonly EffectiveMembership[],
  after: readonly EffectiveMembership[],
): { upserts: EffectiveMembership[]; removed: EffectiveMembership[] } {
  const key = (row: EffectiveMembership): string => `${row.userId}:${row.groupId}`;
  const old = new Map(before.map((row) => [key(row), row]));
  const upserts: EffectiveMembership[] = [];
  for (const row of after) {
    const previous = old.get(key(row));
    if (!previous || previous.direct !== row.direct) upserts.push(row);
    old.delete(key(row));
  }
  return { upserts, removed: [...old.values()] };
}
