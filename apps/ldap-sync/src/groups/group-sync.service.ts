import { Inject, Injectable, Logger } from '@nestjs/common';
import type { LdapSyncGroupSummary } from '@gatehouse/contracts';
import { type LdapDirectory, LdapConfigService } from '../ldap-config/ldap-config.service';
import { LdapAdapter } from '../ldap/ldap.adapter';
import { LdapAdapterError } from '../ldap/ldap.exception';
import { changedSinceFilter, type SyncMode } from '../sync/sync-mode';
import { SYNC_OPTIONS, type SyncOptions } from '../sync/sync.options';
import {
  buildUserIndex,
  type DirectoryGroup,
  GROUP_ATTRIBUTES,
  GROUP_OBJECT_FILTER,
  groupDeletionRefusal,
  groupEdges,
  isSkipped,
  parseGroupEntry,
  type SkippedGroup,
  type UserIndex,
} from './group-plan';
import { diffEdges, diffMemberships, resolveInherited } from './group-resolution';
import { GroupSyncRepository, type StoredGroup } from './group-sync.repository';

export interface GroupSyncRequest {
  tenantId: string;
  mode: SyncMode;
  /** Incremental runs: groups modified at or after this. */
  since: Date | null;
  force: boolean;
}

/** The groups a read found under the group base, and the entries it skipped (with why). */
interface DirectoryGroups {
  groups: DirectoryGroup[];
  skipped: SkippedGroup[];
}

/** A read of the directory's groups under way (GroupSyncService.readAhead). */
export interface GroupRead {
  readonly result: Promise<DirectoryGroups>;
}

/** Why the group phase of a run failed; nothing of the groups was changed. */
export class GroupSyncError extends Error {
  override readonly name = 'GroupSyncError';
}

/**
 * The group phase of a sync run, after its users are written: reads the groups under the group
 * base page by page (all of them in a full run, those modified since in an incremental one),
 * writes groups and their direct edges, resolves nested groups into each user's effective groups
 * and applies the group → role mappings to `user_roles`, all in one transaction. Groups gone from
 * the directory are removed only by a full run that read everything, under the users' safety rule.
 */
@Injectable()
export class GroupSyncService {
  private readonly logger = new Logger(GroupSyncService.name);

  constructor(
    private readonly configs: LdapConfigService,
    private readonly adapter: LdapAdapter,
    private readonly repository: GroupSyncRepository,
    @Inject(SYNC_OPTIONS) private readonly options: SyncOptions,
  ) {}

  /**
   * `readAhead`: the directory's groups as `readAhead()` started reading them for this request
   * (a run starts it once its user read is done, so the read overlaps the user phase's last
   * writes); read here when absent.
   */
  async run(request: GroupSyncRequest, readAhead?: GroupRead): Promise<LdapSyncGroupSummary> {
    // The directory's groups and the tenant's users are read at once: neither needs the other.
    const [read, users] = await Promise.all([
      readAhead?.result ?? this.readDirectoryGroups(request),
      this.repository.membershipUsers(request.tenantId).then(buildUserIndex),
    ]);
    return this.write(request, users, read.groups, read.skipped);
  }

  /** Starts reading the directory's groups for `run`. A failure is kept for `run` to throw; a
   *  read nobody hands to `run` (the user phase failed) ends on its own and is dropped. */
  readAhead(request: GroupSyncRequest): GroupRead {
    const result = this.readDirectoryGroups(request);
    result.catch(() => undefined);
    return { result };
  }

  private async readDirectoryGroups(request: GroupSyncRequest): Promise<DirectoryGroups> {
    const config = await this.configs.findByTenant(request.tenantId);
    if (!config) throw new GroupSyncError('LDAP配置错误：尚未保存LDAP配置');
    return this.readGroups(this.configs.toDirectory(config), request);
  }

  private async readGroups(
    directory: LdapDirectory,
    request: GroupSyncRequest,
  ): Promise<DirectoryGroups> {
    const base =
      directory.groupSearchBase !== '' ? directory.groupSearchBase : directory.userSearchBase;
    const filter =
      request.mode === 'incremental' && request.since
        ? changedSinceFilter(GROUP_OBJECT_FILTER, request.since)
        : GROUP_OBJECT_FILTER;
    const groups: DirectoryGroup[] = [];
    const skipped: SkippedGroup[] = [];
    try {
      const connection = await this.adapter.connect(directory.connect);
      try {
        if (directory.serviceBind) {
          await connection.bind(directory.serviceBind.dn, directory.serviceBind.password);
        }
        for await (const page of connection.searchPages(base, {
          filter,
          scope: 'sub',
          attributes: GROUP_ATTRIBUTES,
          pageSize: this.options.pageSize,
        })) {
          for (const entry of page) {
            const parsed = parseGroupEntry(entry);
            if (isSkipped(parsed)) skipped.push(parsed);
            else groups.push(parsed);
          }
        }
      } finally {
        await connection.close();
      }
    } catch (error: unknown) {
      if (!(error instanceof LdapAdapterError)) throw error;
      throw new GroupSyncError(`LDAP group read failed (${error.kind}): ${error.message}`);
    }
    return { groups, skipped };
  }

  private async write(
    request: GroupSyncRequest,
    users: UserIndex,
    groups: DirectoryGroup[],
    skipped: SkippedGroup[],
  ): Promise<LdapSyncGroupSummary> {
    const { tenantId } = request;
    return this.repository.transaction(async (manager) => {
      const stored = await this.repository.groups(tenantId, manager);
      const storedByUuid = new Map(stored.map((group) => [group.ldapUuid, group]));
      const seen = new Set(groups.map((group) => group.ldapUuid));
      const gone = request.mode === 'full' ? stored.filter((g) => !seen.has(g.ldapUuid)) : [];
      const refusal = groupDeletionRefusal({
        groupsRead: groups.length,
        existingGroups: stored.length,
        deletions: gone.length,
        force: request.force,
        maxRatio: this.options.maxDeleteRatio,
      });
      if (refusal) throw new GroupSyncError(refusal);

      // Only new and changed groups are written; unchanged ones keep their row untouched.
      const read = groups.map((group) => ({
        ...group,
        memberCount: group.memberDnKeys.length + group.memberUids.length,
      }));
      const created = read.filter((group) => !storedByUuid.has(group.ldapUuid));
      const changed = read.filter((group) => {
        const before = storedByUuid.get(group.ldapUuid);
        return before !== undefined && groupChanged(before, group);
      });
      const ids = await this.repository.upsertGroups(manager, tenantId, [...created, ...changed]);
      for (const group of stored) if (!ids.has(group.ldapUuid)) ids.set(group.ldapUuid, group.id);

      // Group ids by DN: the stored groups (unchanged ones of an incremental run) overlaid with
      // this read, so a member naming a group resolves either way.
      const goneIds = new Set(gone.map((group) => group.id));
      const idByDnKey = new Map<string, string>();
      for (const group of stored) if (!goneIds.has(group.id)) idByDnKey.set(group.dnKey, group.id);
      for (const group of groups) {
        const id = ids.get(group.ldapUuid);
        if (id) idByDnKey.set(group.dnKey, id);
      }

      const before = await this.repository.edges(manager, tenantId);
      const after = { users: new Map(before.users), nested: new Map(before.nested) };
      const readIds: string[] = [];
      let unresolved = 0;
      for (const group of groups) {
        const id = ids.get(group.ldapUuid);
        if (!id) continue;
        readIds.push(id);
        const edges = groupEdges(group, users, idByDnKey, id);
        unresolved += edges.unresolved;
        after.users.set(id, edges.userIds);
        after.nested.set(id, edges.groupIds);
      }
      for (const id of goneIds) {
        after.users.delete(id);
        after.nested.delete(id);
      }
      const userEdges = diffEdges(before.users, after.users, readIds);
      await this.repository.writeEdgeDelta(manager, tenantId, 'users', userEdges);
      await this.repository.writeEdgeDelta(
        manager,
        tenantId,
        'nested',
        diffEdges(before.nested, after.nested, readIds),
      );
      // Deleting a group cascades to its edges and memberships.
      await this.repository.deleteGroups(manager, tenantId, [...goneIds]);

      // Direct memberships are the user edges written above; only the ones that come from
      // nesting are stored besides them (ldap_inherited_memberships).
      const memberships = resolveInherited(after, new Set(idByDnKey.values()));
      const inherited = diffMemberships(
        (await this.repository.inherited(manager, tenantId)).filter(
          (row) => !goneIds.has(row.groupId),
        ),
        memberships.inherited,
      );
      await this.repository.writeInheritedDelta(manager, tenantId, inherited);
      const roles = await this.repository.applyRoleMappings(manager, tenantId);

      const summary: LdapSyncGroupSummary = {
        mode: request.mode,
        groupsRead: groups.length,
        newGroups: created.length,
        updatedGroups: changed.length,
        deletedGroups: gone.length,
        skippedGroups: skipped
          .slice(0, 100)
          .map((group) => ({ dn: group.dn, reason: group.reason })),
        memberships: memberships.total,
        membershipsAdded: userEdges.added.length + inherited.upserts.length,
        membershipsRemoved: userEdges.removed.length + inherited.removed.length,
        unresolvedMembers: unresolved,
        rolesGranted: roles.granted,
        rolesRevoked: roles.revoked,
      };
      this.logger.log(
        `tenant ${tenantId}: ${request.mode} group sync read ${groups.length} groups (${created.length} new, ${changed.length} updated, ${gone.length} removed), ${memberships.total} memberships, roles +${roles.granted}/-${roles.revoked}`,
      );
      return summary;
    });
  }
}

function groupChanged(
  before: StoredGroup,
  after: DirectoryGroup & { memberCount: number },
): boolean {
  return (
    before.dn !== after.dn ||
    before.dnKey !== after.dnKey ||
    before.cn !== after.cn ||
    before.kind !== after.kind ||
    before.memberCount !== after.memberCount
  );
}
