import { Injectable, Logger } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  type LdapDirectoryUser,
  type LdapGroupMembersReply,
  type LdapGroupView,
  type LdapSearchUsersBodyDto,
  type LdapTestAuthReply,
} from '@gatehouse/contracts';
import { LdapAuthService } from '../ldap-auth/ldap-auth.service';
import { type LdapDirectory, LdapConfigService } from '../ldap-config/ldap-config.service';
import { allValues, firstValue } from '../ldap/ldap-attributes';
import type { LdapConnection, LdapEntry } from '../ldap/ldap-connection';
import { escapeFilterValue, normalizeDn } from '../ldap/ldap-escape';
import { LdapFilterSyntaxError, parseLdapFilter } from '../ldap/ldap-filter';
import { LdapAdapterError, LdapErrorKind } from '../ldap/ldap.exception';
import { LdapAdapter } from '../ldap/ldap.adapter';
import { checkDn, fieldErrors } from '../ldap-settings/ldap-settings.validators';

/** seed 003 "搜索LDAP用户": the default template and its placeholder. */
export const DEFAULT_USER_SEARCH = '(|(uid=*{keyword}*)(cn=*{keyword}*))';
export const KEYWORD_PLACEHOLDER = '{keyword}';
const DEFAULT_LIMIT = 50;
const PAGE_SIZE = 200;
/** Member entries are read this many at a time. */
const MEMBER_READ_BATCH = 20;
const GROUP_FILTER =
  '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup)(objectClass=group))';
/** Members answered per page when the caller does not say (GET .../members?page&size). */
export const DEFAULT_MEMBERS_PAGE_SIZE = 200;
/** Active Directory answers a large multi-valued attribute in ranges (`member;range=0-1499`); a
 *  group is read in at most this many ranges (15 million members at AD's 1,500 per range). */
const MAX_RANGES = 10_000;
const RANGE_OPTION = /^([^;]+);range=(\d+)-(\d+|\*)$/i;
const MEMBER_ATTRIBUTES = ['member', 'uniqueMember', 'memberUid'];

/**
 * Reading the directory for admins (seed 003 "测试LDAP认证", "搜索LDAP用户", "LDAP组"): each call opens
 * a connection bound as the configured service account, and closes it.
 */
@Injectable()
export class DirectoryService {
  private readonly logger = new Logger(DirectoryService.name);

  constructor(
    private readonly configs: LdapConfigService,
    private readonly adapter: LdapAdapter,
    private readonly auth: LdapAuthService,
  ) {}

  async testAuth(tenantId: string, username: string, password: string): Promise<LdapTestAuthReply> {
    const reply = await this.auth.authenticate({ tenantId, username, password });
    return { authenticated: true, userDN: reply.userDN, attributes: reply.attributes };
  }

  /** The keyword is escaped once (RFC 4515) into every `{keyword}` of the template. */
  async searchUsers(tenantId: string, query: LdapSearchUsersBodyDto): Promise<LdapDirectoryUser[]> {
    const template = query.searchFilter ?? DEFAULT_USER_SEARCH;
    const filter = buildKeywordFilter(template, query.keyword);
    return this.withDirectory(tenantId, async (connection, directory) => {
      const base = query.searchBase ?? directory.userSearchBase;
      const baseError = checkDn(base);
      if (baseError) {
        throw new DomainError(
          ErrorCode.ValidationFailed,
          undefined,
          fieldErrors({ searchBase: baseError }),
        );
      }
      const mapping = directory.fieldMapping;
      const names = {
        uid: mapping.username || 'uid',
        cn: mapping.name || 'cn',
        mail: mapping.email || 'mail',
        department: mapping.department || 'department',
        title: mapping.title || 'title',
        mobile: mapping.phone || 'mobile',
      };
      const entries = await connection.search(base, {
        filter,
        scope: 'sub',
        attributes: Object.values(names),
        sizeLimit: query.limit ?? DEFAULT_LIMIT,
      });
      return entries.map((entry) => ({
        dn: entry.dn,
        uid: firstValue(entry.attributes, names.uid) ?? null,
        cn: firstValue(entry.attributes, names.cn) ?? null,
        mail: firstValue(entry.attributes, names.mail) ?? null,
        department: firstValue(entry.attributes, names.department) ?? null,
        title: firstValue(entry.attributes, names.title) ?? null,
        mobile: firstValue(entry.attributes, names.mobile) ?? null,
      }));
    });
  }

  async groups(tenantId: string): Promise<LdapGroupView[]> {
    return this.withDirectory(tenantId, async (connection, directory) => {
      const groups: LdapGroupView[] = [];
      for await (const page of connection.searchPages(groupBase(directory), {
        filter: GROUP_FILTER,
        scope: 'sub',
        attributes: ['cn', 'description', ...MEMBER_ATTRIBUTES],
        pageSize: PAGE_SIZE,
      })) {
        for (const entry of page) {
          groups.push({
            dn: entry.dn,
            cn: firstValue(entry.attributes, 'cn') ?? null,
            description: firstValue(entry.attributes, 'description') ?? null,
            memberCount: memberValues(entry).length,
          });
        }
      }
      return groups;
    });
  }

  /**
   * Only groups under the group search base; anything else (or no such entry) is NOT_FOUND. Every
   * member value is read (Active Directory's ranged `member;range=` answers range by range), then
   * one page of members is looked up; `total` counts them all, so nothing is cut off unnoticed.
   */
  async groupMembers(
    tenantId: string,
    groupDn: string,
    page = 1,
    size = DEFAULT_MEMBERS_PAGE_SIZE,
  ): Promise<LdapGroupMembersReply> {
    const dnError = checkDn(groupDn);
    if (dnError) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        undefined,
        fieldErrors({ groupDN: dnError }),
      );
    }
    return this.withDirectory(tenantId, async (connection, directory) => {
      const base = normalizeDn(groupBase(directory));
      const wanted = normalizeDn(groupDn);
      if (wanted !== base && !wanted.endsWith(`,${base}`)) throw groupNotFound();
      let group: LdapEntry | undefined;
      try {
        [group] = await connection.search(groupDn, {
          filter: GROUP_FILTER,
          scope: 'base',
          attributes: ['cn', ...MEMBER_ATTRIBUTES],
        });
      } catch (error: unknown) {
        if (error instanceof LdapAdapterError && error.kind === LdapErrorKind.NoSuchObject) {
          throw groupNotFound();
        }
        throw error;
      }
      if (!group) throw groupNotFound();
      const members: LdapGroupMembersReply['members'] = [];
      const allDns = [
        ...(await memberAttributeValues(connection, group, 'member')),
        ...(await memberAttributeValues(connection, group, 'uniqueMember')),
      ];
      const allUids = await memberAttributeValues(connection, group, 'memberUid');
      const total = allDns.length + allUids.length;
      const from = (page - 1) * size;
      const dns = allDns.slice(from, from + size);
      const uids = allUids.slice(
        Math.max(0, from - allDns.length),
        Math.max(0, from + size - allDns.length),
      );
      for (let i = 0; i < dns.length; i += MEMBER_READ_BATCH) {
        const batch = dns.slice(i, i + MEMBER_READ_BATCH);
        members.push(...(await Promise.all(batch.map((dn) => readMember(connection, dn)))));
      }
      for (let i = 0; i < uids.length; i += MEMBER_READ_BATCH) {
        const batch = uids.slice(i, i + MEMBER_READ_BATCH);
        const filter = `(|${batch.map((uid) => `(uid=${escapeFilterValue(uid)})`).join('')})`;
        const found = await connection.search(directory.userSearchBase, {
          filter,
          scope: 'sub',
          attributes: ['uid', 'cn', 'mail'],
        });
        members.push(...found.map(toMember));
      }
      return {
        groupDN: group.dn,
        groupName: firstValue(group.attributes, 'cn') ?? null,
        members,
        total,
        page,
        size,
      };
    });
  }

  /** Connects and binds as the service account; adapter errors become seed 003 codes. */
  private async withDirectory<T>(
    tenantId: string,
    work: (connection: LdapConnection, directory: LdapDirectory) => Promise<T>,
  ): Promise<T> {
    const config = await this.configs.findByTenant(tenantId);
    if (!config) {
      throw new DomainError(ErrorCode.LdapConfigInvalid, 'LDAP配置错误：尚未保存LDAP配置');
    }
    const directory = this.configs.toDirectory(config);
    let step: 'connect' | 'bind' | 'search' = 'connect';
    try {
      const connection = await this.adapter.connect(directory.connect);
      try {
        step = 'bind';
        if (directory.serviceBind) {
          await connection.bind(directory.serviceBind.dn, directory.serviceBind.password);
        }
        step = 'search';
        return await work(connection, directory);
      } finally {
        await connection.close();
      }
    } catch (error: unknown) {
      if (!(error instanceof LdapAdapterError)) throw error;
      this.logger.warn(`tenant ${tenantId}: LDAP ${step} failed (${error.kind}): ${error.message}`);
      throw toDomainError(error, step);
    }
  }
}

/** `{keyword}` filled with the escaped keyword; the template must hold it and parse. */
export function buildKeywordFilter(template: string, keyword: string): string {
  if (!template.includes(KEYWORD_PLACEHOLDER)) {
    throw new DomainError(ErrorCode.ValidationFailed, undefined, [
      { field: 'searchFilter', message: `searchFilter must contain ${KEYWORD_PLACEHOLDER}` },
    ]);
  }
  const filter = template.split(KEYWORD_PLACEHOLDER).join(escapeFilterValue(keyword));
  try {
    parseLdapFilter(filter);
  } catch (error: unknown) {
    if (!(error instanceof LdapFilterSyntaxError)) throw error;
    // The keyword is escaped, so only the template (or an empty keyword in `*{keyword}*`) can
    // make it invalid.
    throw new DomainError(ErrorCode.ValidationFailed, undefined, [
      { field: 'searchFilter', message: 'searchFilter is not a valid LDAP filter (RFC 4515)' },
    ]);
  }
  return filter;
}

function groupBase(directory: LdapDirectory): string {
  return directory.groupSearchBase !== '' ? directory.groupSearchBase : directory.userSearchBase;
}

function memberValues(entry: LdapEntry): string[] {
  return MEMBER_ATTRIBUTES.flatMap((name) => allValues(entry.attributes, name));
}

/**
 * Every value of a member attribute of `group`. A server that answers it in ranges (Active
 * Directory: `member;range=0-1499`, then `member;range=1500-2999`, … `member;range=N-*`) is asked
 * for the next range until the last; a range that does not continue where the previous one ended
 * is an error, never a silently shorter list.
 */
export async function memberAttributeValues(
  connection: LdapConnection,
  group: LdapEntry,
  attribute: string,
): Promise<string[]> {
  const plain = allValues(group.attributes, attribute);
  let ranged = rangedValues(group, attribute);
  if (!ranged) return plain;
  const values = [...plain];
  for (let count = 1; ; count += 1) {
    values.push(...ranged.values);
    if (ranged.last) return values;
    if (count >= MAX_RANGES) {
      throw new LdapAdapterError(
        LdapErrorKind.Other,
        `${attribute} of ${group.dn} has more than ${MAX_RANGES} ranges; refusing a partial list`,
      );
    }
    const next = ranged.end + 1;
    const [entry] = await connection.search(group.dn, {
      filter: '(objectClass=*)',
      scope: 'base',
      attributes: [`${attribute};range=${next}-*`],
    });
    const following = entry ? rangedValues(entry, attribute) : undefined;
    if (!following || following.start !== next) {
      throw new LdapAdapterError(
        LdapErrorKind.Other,
        `the server did not continue ${attribute} of ${group.dn} at value ${next}; refusing a partial list`,
      );
    }
    ranged = following;
  }
}

/** The `<attribute>;range=<start>-<end>` values of an entry, if it has them. */
function rangedValues(
  entry: LdapEntry,
  attribute: string,
): { start: number; end: number; last: boolean; values: string[] } | undefined {
  for (const [name, values] of Object.entries(entry.attributes)) {
    const match = RANGE_OPTION.exec(name);
    if (!match || match[1].toLowerCase() !== attribute.toLowerCase()) continue;
    const start = Number(match[2]);
    const last = match[3] === '*';
    // The end of a range is only implied by its size when the server wrote `*`.
    const end = last ? start + values.length - 1 : Number(match[3]);
    return { start, end, last, values };
  }
  return undefined;
}

function toMember(entry: LdapEntry): LdapGroupMembersReply['members'][number] {
  return {
    dn: entry.dn,
    uid: firstValue(entry.attributes, 'uid') ?? null,
    cn: firstValue(entry.attributes, 'cn') ?? null,
    mail: firstValue(entry.attributes, 'mail') ?? null,
  };
}

/** A member that cannot be read (deleted, outside the service account's view) keeps its DN. */
async function readMember(
  connection: LdapConnection,
  dn: string,
): Promise<LdapGroupMembersReply['members'][number]> {
  // uniqueMember may carry an optional UID suffix (`#'0101'B`).
  const memberDn = dn.replace(/#'[01]*'B$/, '');
  try {
    const [entry] = await connection.search(memberDn, {
      filter: '(objectClass=*)',
      scope: 'base',
      attributes: ['uid', 'cn', 'mail'],
    });
    if (entry) return toMember(entry);
  } catch (error: unknown) {
    if (!(error instanceof LdapAdapterError) || error.kind !== LdapErrorKind.NoSuchObject) {
      throw error;
    }
  }
  return { dn: memberDn, uid: null, cn: null, mail: null };
}

function groupNotFound(): DomainError {
  return new DomainError(ErrorCode.NotFound, 'LDAP组不存在');
}

function toDomainError(error: LdapAdapterError, step: 'connect' | 'bind' | 'search'): DomainError {
  switch (error.kind) {
    case LdapErrorKind.Unreachable:
      return new DomainError(ErrorCode.LdapConnectionFailed, 'LDAP服务器连接失败：服务器无法访问');
    case LdapErrorKind.Tls:
      return new DomainError(
        ErrorCode.LdapConnectionFailed,
        'LDAP服务器连接失败：TLS握手或证书验证失败',
      );
    case LdapErrorKind.Timeout:
      return new DomainError(ErrorCode.LdapConnectionFailed, 'LDAP服务器连接失败：响应超时');
    case LdapErrorKind.InvalidCredentials:
      return new DomainError(ErrorCode.LdapConfigInvalid, 'LDAP配置错误：服务账号绑定失败');
    case LdapErrorKind.NoSuchObject:
      return step === 'search'
        ? new DomainError(ErrorCode.LdapSearchFailed, 'LDAP搜索失败：搜索基准不存在')
        : new DomainError(ErrorCode.LdapConfigInvalid, 'LDAP配置错误：服务账号不存在');
    case LdapErrorKind.Other:
      return step === 'search'
        ? new DomainError(ErrorCode.LdapSearchFailed)
        : new DomainError(ErrorCode.LdapConfigInvalid);
  }
}
