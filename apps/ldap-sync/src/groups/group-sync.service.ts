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
} from './group-plan';
import { resolveMemberships } from './group-resolution';
import { GroupSyncRepository } from './group-sync.repository';

export interface GroupSyncRequest {
  tenantId: string;
  mode: SyncMode;
  /** Incremental runs: groups modified at or after this. */
  since: Date | null;
  force: boolean;
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

  async run(request: GroupSyncRequest): Promise<LdapSyncGroupSummary> {
    const config = await this.configs.findByTenant(request.tenantId);
    if (!config) throw new GroupSyncError('LDAP配置错误：尚未保存LDAP配置');
    const directory = this.configs.toDirectory(config);
    const read = await this.readGroups(directory, request);
    return this.write(request, read.groups, read.skipped);
  }

  private async readGroups(
    directory: LdapDirectory,
    request: GroupSyncRequest,
  ): Promise<{ groups: DirectoryGroup[]; skipped: SkippedGroup[] }> {
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
    groups: DirectoryGroup[],
    skipped: SkippedGroup[],
  ): Promise<LdapSyncGroupSummary> {
    const { tenantId } = request;
    const users = buildUserIndex(await this.repository.membershipUsers(tenantId));
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

      // Group ids by DN: the stored ones (unchanged groups of an incremental run) overlaid with
      // this read, so a member naming a group resolves either way.
      const written = groups.map((group) => ({
        ...group,
        memberCount: group.memberDnKeys.length + group.memberUids.length,
      }));
      const ids = await this.repository.upsertGroups(manager, tenantId, written);
      const gotIds = new Set(gone.map((group) => group.id));
      const idByDnKey = new Map<string, string>();
      for (const group of stored) if (!gotIds.has(group.id)) idByDnKey.set(group.dnKey, group.id);
      for (const group of groups) {
        const id = ids.get(group.ldapUuid);
        if (id) idByDnKey.set(group.dnKey, id);
      }

      const userPairs: [string, string][] = [];
      const nestPairs: [string, string][] = [];
      let unresolved = 0;
      const readIds: string[] = [];
      for (const group of groups) {
        const id = ids.get(group.ldapUuid);
        if (!id) continue;
        readIds.push(id);
        const edges = groupEdges(group, users, idByDnKey, id);
        unresolved += edges.unresolved;
        for (const userId of edges.userIds) userPairs.push([id, userId]);
        for (const groupId of edges.groupIds) nestPairs.push([id, groupId]);
      }
      await this.repository.replaceEdges(manager, tenantId, readIds, userPairs, nestPairs);
      await this.repository.deleteGroups(manager, tenantId, [...gotIds]);

      const graph = await this.repository.edges(manager, tenantId);
      const allIds = [...new Set([...idByDnKey.values()])];
      const memberships = resolveMemberships(graph, allIds);
      const effective = await this.repository.replaceEffective(manager, tenantId, memberships);
      const roles = await this.repository.applyRoleMappings(manager, tenantId);

      let created = 0;
      let updated = 0;
      for (const group of written) {
        const before = storedByUuid.get(group.ldapUuid);
        if (!before) created += 1;
        else if (
          before.dn !== group.dn ||
          before.cn !== group.cn ||
          before.kind !== group.kind ||
          before.memberCount !== group.memberCount
        ) {
          updated += 1;
        }
      }
      const summary: LdapSyncGroupSummary = {
        mode: request.mode,
        groupsRead: groups.length,
        newGroups: created,
        updatedGroups: updated,
        deletedGroups: gone.length,
        skippedGroups: skipped
          .slice(0, 100)
          .map((group) => ({ dn: group.dn, reason: group.reason })),
        memberships: memberships.length,
        membershipsAdded: effective.added,
        membershipsRemoved: effective.removed,
        unresolvedMembers: unresolved,
        rolesGranted: roles.granted,
        rolesRevoked: roles.revoked,
      };
      this.logger.log(
        `tenant ${tenantId}: ${request.mode} group sync read ${groups.length} groups (${created} new, ${updated} updated, ${gone.length} removed), ${memberships.length} memberships, roles +${roles.granted}/-${roles.revoked}`,
      );
      return summary;
    });
  }
}
