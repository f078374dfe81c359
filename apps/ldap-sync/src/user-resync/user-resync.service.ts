import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode, type LdapUserResyncReply } from '@gatehouse/contracts';
import { isUniqueViolation } from '@gatehouse/persistence';
import type { AuditActor } from '../audit/audit-log.repository';
import { SyncAuditService } from '../audit/sync-audit.service';
import { type LdapDirectory, LdapConfigService } from '../ldap-config/ldap-config.service';
import { mappedAttributeNames } from '../ldap-config/ldap-field-mapping.util';
import type { LdapConnection, LdapEntry } from '../ldap/ldap-connection';
import {
  buildFilter,
  escapeFilterValue,
  FILTER_PLACEHOLDER,
  FilterTemplateError,
} from '../ldap/ldap-escape';
import { LdapAdapterError, LdapErrorKind } from '../ldap/ldap.exception';
import { LdapAdapter } from '../ldap/ldap.adapter';
import {
  type DirectoryGroup,
  GROUP_ATTRIBUTES,
  GROUP_OBJECT_FILTER,
  isSkipped,
  parseGroupEntry,
} from '../groups/group-plan';
import { containingGroups } from '../groups/group-resolution';
import { GroupSyncRepository } from '../groups/group-sync.repository';
import { changedFields, planPage } from '../sync/sync-plan';
import { SyncRepository } from '../sync/sync.repository';
import { UserResyncRepository } from './user-resync.repository';

/** Walking up nested groups stops after this many groups (a runaway hierarchy is cut, not looped). */
const MAX_GROUPS = 1000;
/** Group DNs per `(|(member=…)…)` filter while walking up. */
const PARENT_BATCH = 20;

/**
 * One directory user read again on demand (issue #4 "a single user can be re-synced"): its entry
 * by the configured user filter (the username RFC 4515-escaped), the field mapping, its groups
 * (direct ones by member / uniqueMember / memberUid and the configured group filter, then every
 * group containing those, cycle-safe), its effective groups and its group roles; the user is
 * active again. LDAP_004 when the directory has no such user.
 */
@Injectable()
export class UserResyncService {
  private readonly logger = new Logger(UserResyncService.name);

  constructor(
    private readonly configs: LdapConfigService,
    private readonly adapter: LdapAdapter,
    private readonly users: UserResyncRepository,
    private readonly groups: GroupSyncRepository,
    private readonly runs: SyncRepository,
    private readonly audit: SyncAuditService,
  ) {}

  /** Re-syncs the user and records the outcome, success or failure, in the audit log. */
  async resync(
    tenantId: string,
    username: string,
    actor: AuditActor,
  ): Promise<LdapUserResyncReply> {
    let reply: LdapUserResyncReply;
    try {
      reply = await this.resyncUser(tenantId, username);
    } catch (error: unknown) {
      await this.audit.userResynced(tenantId, actor, username, {
        status: 'failed',
        code: error instanceof DomainError ? error.code : 'INTERNAL',
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
    await this.audit.userResynced(tenantId, actor, username, {
      status: 'succeeded',
      userId: reply.userId,
      userDN: reply.userDN,
      result: reply.result,
      changes: reply.changes,
      active: reply.active,
      groups: reply.groups.length,
      roles: reply.roles,
    });
    return reply;
  }

  private async resyncUser(tenantId: string, username: string): Promise<LdapUserResyncReply> {
    const config = await this.configs.findByTenant(tenantId);
    if (!config) {
      throw new DomainError(ErrorCode.LdapConfigInvalid, 'LDAP配置错误：尚未保存LDAP配置');
    }
    const directory = this.configs.toDirectory(config);
    const filter = userFilter(directory, username);
    // The tenant's sync lock: a re-sync never interleaves with a run writing the same rows.
    const lock = await this.runs.tryLock(tenantId);
    if (!lock) throw new DomainError(ErrorCode.LdapSyncInProgress, '同步任务进行中，请稍后再试');
    try {
      return await this.resyncLocked(tenantId, directory, filter, username);
    } finally {
      await lock.release();
    }
  }

  private async resyncLocked(
    tenantId: string,
    directory: LdapDirectory,
    filter: string,
    username: string,
  ): Promise<LdapUserResyncReply> {
    const read = await this.withConnection(tenantId, directory, async (connection) => {
      const entries = await connection.search(directory.userSearchBase, {
        filter,
        scope: 'sub',
        attributes: mappedAttributeNames(directory.fieldMapping),
        sizeLimit: 2,
      });
      if (entries.length === 0) {
        throw new DomainError(ErrorCode.LdapUserNotFound, '用户不存在于LDAP');
      }
      if (entries.length > 1) {
        throw new DomainError(ErrorCode.LdapSearchFailed, 'LDAP搜索失败：多个条目匹配该用户名');
      }
      const entry = entries[0];
      const found = await this.readGroups(connection, directory, entry, username);
      return { entry, ...found };
    });
    return this.apply(tenantId, directory, read);
  }

  private async apply(
    tenantId: string,
    directory: LdapDirectory,
    read: {
      entry: LdapEntry;
      groups: DirectoryGroup[];
      direct: string[];
      parents: Map<string, string[]>;
      effective: Set<string>;
    },
  ): Promise<LdapUserResyncReply> {
    const plan = planPage(new Map(), new Set(), [read.entry], directory.fieldMapping);
    const user = plan.created[0];
    if (!user) {
      const reason = plan.failed[0]?.reason ?? 'entry cannot be mapped';
      throw new DomainError(ErrorCode.LdapSearchFailed, `LDAP搜索失败：${reason}`);
    }
    const before = await this.users.findByUuid(tenantId, user.ldapUuid);
    const changes = before ? changedFields(before, user) : [];
    let userId: string;
    try {
      userId = await this.users.transaction(async (manager) => {
        const id = await this.users.upsertUser(manager, tenantId, user);
        const ids = await this.groups.upsertGroups(
          manager,
          tenantId,
          read.groups.map((group) => ({
            ...group,
            memberCount: group.memberDnKeys.length + group.memberUids.length,
          })),
        );
        const idOf = (dnKey: string): string | undefined => {
          const group = read.groups.find((each) => each.dnKey === dnKey);
          return group ? ids.get(group.ldapUuid) : undefined;
        };
        const directIds = read.direct.map(idOf).filter((each): each is string => !!each);
        const nesting: [string, string][] = [];
        for (const [child, parents] of read.parents) {
          for (const parent of parents) {
            const parentId = idOf(parent);
            const childId = idOf(child);
            if (parentId && childId && parentId !== childId) nesting.push([parentId, childId]);
          }
        }
        await this.users.replaceDirectGroups(manager, tenantId, id, directIds);
        await this.users.addNesting(manager, tenantId, nesting);
        const parentsOf = new Map<string, string[]>();
        for (const [parentId, childId] of nesting) {
          parentsOf.set(childId, [...(parentsOf.get(childId) ?? []), parentId]);
        }
        const effective = containingGroups((groupId) => parentsOf.get(groupId) ?? [], directIds);
        const direct = new Set(directIds);
        await this.groups.replaceEffective(
          manager,
          tenantId,
          [...effective].map((groupId) => ({ userId: id, groupId, direct: direct.has(groupId) })),
          [id],
        );
        await this.groups.applyRoleMappings(manager, tenantId, [id]);
        return id;
      });
    } catch (error: unknown) {
      if (isUniqueViolation(error)) {
        throw new DomainError(
          ErrorCode.Conflict,
          `username ${user.username} already belongs to another account`,
        );
      }
      throw error;
    }
    const result = !before ? 'new' : changes.length > 0 ? 'updated' : 'unchanged';
    this.logger.log(`tenant ${tenantId}: user ${user.username} re-synced (${result})`);
    return {
      userId,
      username: user.username,
      userDN: user.ldapDn,
      result,
      changes,
      active: true,
      groups: read.groups
        .filter((group) => read.effective.has(group.dnKey))
        .map((group) => group.dn)
        .sort(),
      roles: await this.users.rolesOf(tenantId, userId),
    };
  }

  /**
   * The user's direct groups, then every group containing one of them (breadth first, each group
   * visited once, at most MAX_GROUPS): the groups read, the direct ones and who contains whom, by
   * normalised DN.
   */
  private async readGroups(
    connection: LdapConnection,
    directory: LdapDirectory,
    entry: LdapEntry,
    username: string,
  ): Promise<{
    groups: DirectoryGroup[];
    direct: string[];
    parents: Map<string, string[]>;
    effective: Set<string>;
  }> {
    const base =
      directory.groupSearchBase !== '' ? directory.groupSearchBase : directory.userSearchBase;
    const search = async (memberFilter: string): Promise<DirectoryGroup[]> => {
      const entries = await connection.search(base, {
        filter: `(&${GROUP_OBJECT_FILTER}${memberFilter})`,
        scope: 'sub',
        attributes: GROUP_ATTRIBUTES,
      });
      return entries.map(parseGroupEntry).filter((group) => !isSkipped(group)) as DirectoryGroup[];
    };
    const dn = escapeFilterValue(entry.dn);
    const uid = escapeFilterValue(username);
    const template = directory.groupSearchFilter.includes(FILTER_PLACEHOLDER)
      ? safeFilter(directory.groupSearchFilter, entry.dn)
      : '';
    const direct = await search(
      `(|${template}(member=${dn})(uniqueMember=${dn})(memberUid=${uid}))`,
    );
    const byKey = new Map(direct.map((group) => [group.dnKey, group]));
    const parents = new Map<string, string[]>();
    let frontier = [...byKey.values()];
    while (frontier.length > 0 && byKey.size < MAX_GROUPS) {
      const next: DirectoryGroup[] = [];
      for (let i = 0; i < frontier.length; i += PARENT_BATCH) {
        const batch = frontier.slice(i, i + PARENT_BATCH);
        const terms = batch
          .map((group) => escapeFilterValue(group.dn))
          .map((value) => `(member=${value})(uniqueMember=${value})`)
          .join('');
        for (const parent of await search(`(|${terms})`)) {
          for (const child of batch) {
            if (parent.memberDnKeys.includes(child.dnKey) && parent.dnKey !== child.dnKey) {
              parents.set(child.dnKey, [...(parents.get(child.dnKey) ?? []), parent.dnKey]);
            }
          }
          if (!byKey.has(parent.dnKey)) {
            byKey.set(parent.dnKey, parent);
            next.push(parent);
          }
        }
      }
      frontier = next;
    }
    const effective = containingGroups(
      (key) => parents.get(key) ?? [],
      direct.map((group) => group.dnKey),
    );
    return {
      groups: [...byKey.values()],
      direct: direct.map((group) => group.dnKey),
      parents,
      effective,
    };
  }

  private async withConnection<T>(
    tenantId: string,
    directory: LdapDirectory,
    work: (connection: LdapConnection) => Promise<T>,
  ): Promise<T> {
    let step: 'connect' | 'bind' | 'search' = 'connect';
    try {
      const connection = await this.adapter.connect(directory.connect);
      try {
        step = 'bind';
        if (directory.serviceBind) {
          await connection.bind(directory.serviceBind.dn, directory.serviceBind.password);
        }
        step = 'search';
        return await work(connection);
      } finally {
        await connection.close();
      }
    } catch (error: unknown) {
      if (!(error instanceof LdapAdapterError)) throw error;
      this.logger.warn(
        `tenant ${tenantId}: re-sync ${step} failed (${error.kind}): ${error.message}`,
      );
      throw adapterToDomain(error, step);
    }
  }
}

function userFilter(directory: LdapDirectory, username: string): string {
  try {
    return buildFilter(directory.userSearchFilter, username);
  } catch (error: unknown) {
    if (error instanceof FilterTemplateError) {
      throw new DomainError(ErrorCode.LdapConfigInvalid, `LDAP配置错误：${error.message}`);
    }
    throw error;
  }
}

/** The configured group filter for this DN, or nothing when the template is unusable. */
function safeFilter(template: string, value: string): string {
  try {
    return buildFilter(template, value);
  } catch {
    return '';
  }
}

function adapterToDomain(
  error: LdapAdapterError,
  step: 'connect' | 'bind' | 'search',
): DomainError {
  switch (error.kind) {
    case LdapErrorKind.Unreachable:
    case LdapErrorKind.Tls:
    case LdapErrorKind.Timeout:
      return new DomainError(ErrorCode.LdapConnectionFailed, `LDAP服务器连接失败：${error.kind}`);
    case LdapErrorKind.InvalidCredentials:
      return new DomainError(ErrorCode.LdapConfigInvalid, 'LDAP配置错误：服务账号绑定失败');
    case LdapErrorKind.NoSuchObject:
    case LdapErrorKind.Other:
      return step === 'search'
        ? new DomainError(ErrorCode.LdapSearchFailed)
        : new DomainError(ErrorCode.LdapConfigInvalid);
  }
}
