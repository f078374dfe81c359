import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

/** seed 003 "LDAP集成": the management API of a tenant's directory connection. HTTP bodies are
 *  the `*BodyDto` classes; RPC payloads wrap them with the tenant (and the acting admin). */

const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** A directory attribute name as the field mapping accepts it (RFC 4512 descr, bounded). */
export const LDAP_ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
/** What `bindPassword` is answered as, and what a PUT sends back to keep the stored one. */
export const MASKED_PASSWORD = '******';

/** `PUT /api/v1/ldap/config`. Shapes are checked here; URL scheme, DN and filter syntax and the
 *  `{0}` placeholders are checked by ldap-sync (which owns the parsers). */
export class LdapConfigBodyDto {
  @IsBoolean()
  isEnabled!: boolean;

  @IsString()
  @MaxLength(2048)
  server!: string;

  @IsString()
  @MaxLength(1024)
  baseDN!: string;

  @IsString()
  @MaxLength(1024)
  bindDN!: string;

  /** Omitted or `******`: keep the stored password (only allowed when server and bindDN stay). */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  bindPassword?: string;

  @IsString()
  @MaxLength(1024)
  userSearchBase!: string;

  @IsString()
  @MaxLength(1024)
  userSearchFilter!: string;

  @IsString()
  @MaxLength(1024)
  groupSearchBase!: string;

  @IsString()
  @MaxLength(1024)
  groupSearchFilter!: string;

  @IsBoolean()
  useSsl!: boolean;

  @IsBoolean()
  syncEnabled!: boolean;

  @IsInt()
  @Min(300)
  @Max(86400)
  syncInterval!: number;
}

/** `POST /api/v1/ldap/test-connection`: every field optional; missing ones come from the saved
 *  configuration (its stored password only when server and bindDN are unchanged). */
export class LdapTestConnectionBodyDto {
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  server?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  baseDN?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  bindDN?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  bindPassword?: string;

  @IsOptional()
  @IsBoolean()
  useSsl?: boolean;
}

/** `POST /api/v1/ldap/test-auth`. */
export class LdapTestAuthBodyDto {
  @IsString()
  @MaxLength(256)
  username!: string;

  @IsString()
  @MaxLength(1024)
  password!: string;
}

/** `POST /api/v1/ldap/search-users`. */
export class LdapSearchUsersBodyDto {
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  keyword!: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  searchBase?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  searchFilter?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

/** `PUT /api/v1/ldap/field-mapping`: the seed's 7 keys, plus optional first/last name. */
export class LdapFieldMappingBodyDto {
  @Matches(LDAP_ATTRIBUTE_NAME)
  username!: string;

  @Matches(LDAP_ATTRIBUTE_NAME)
  name!: string;

  @Matches(LDAP_ATTRIBUTE_NAME)
  email!: string;

  @Matches(LDAP_ATTRIBUTE_NAME)
  phone!: string;

  @Matches(LDAP_ATTRIBUTE_NAME)
  department!: string;

  @Matches(LDAP_ATTRIBUTE_NAME)
  title!: string;

  @Matches(LDAP_ATTRIBUTE_NAME)
  employeeNumber!: string;

  @IsOptional()
  @Matches(LDAP_ATTRIBUTE_NAME)
  firstName?: string;

  @IsOptional()
  @Matches(LDAP_ATTRIBUTE_NAME)
  lastName?: string;
}

/** RPC payloads are the HTTP bodies plus the tenant (and, for writes, the acting admin for the
 *  audit fields), flat: no nested classes, so this package needs no reflect-metadata. */
export class LdapTenantRequestDto {
  @IsString()
  @Matches(TENANT_ID)
  tenantId!: string;
}

export class LdapSaveConfigRequestDto extends LdapConfigBodyDto {
  @IsString()
  @Matches(TENANT_ID)
  tenantId!: string;

  @IsString()
  @MaxLength(64)
  actorId!: string;

  @IsString()
  @MaxLength(200)
  actorName!: string;
}

export class LdapSaveFieldMappingRequestDto extends LdapFieldMappingBodyDto {
  @IsString()
  @Matches(TENANT_ID)
  tenantId!: string;

  @IsString()
  @MaxLength(64)
  actorId!: string;

  @IsString()
  @MaxLength(200)
  actorName!: string;
}

export class LdapTestConnectionRequestDto extends LdapTestConnectionBodyDto {
  @IsString()
  @Matches(TENANT_ID)
  tenantId!: string;
}

export class LdapSearchUsersRequestDto extends LdapSearchUsersBodyDto {
  @IsString()
  @Matches(TENANT_ID)
  tenantId!: string;
}

/** Largest page of `GET /api/v1/ldap/groups/{groupDN}/members?size=`. */
export const LDAP_GROUP_MEMBERS_MAX_PAGE_SIZE = 1000;

export class LdapGroupMembersRequestDto extends LdapTenantRequestDto {
  @IsString()
  @MaxLength(1024)
  groupDN!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(LDAP_GROUP_MEMBERS_MAX_PAGE_SIZE)
  size?: number;
}

/** `GET /api/v1/ldap/groups/{groupDN}/members?page&size`: both optional (page 1, 200 members). */
export class LdapGroupMembersQueryDto {
  @IsOptional()
  @Matches(/^[1-9]\d{0,5}$/, { message: 'page must be a positive integer' })
  page?: string;

  @IsOptional()
  @Matches(/^([1-9]\d{0,2}|1000)$/, { message: 'size must be an integer from 1 to 1000' })
  size?: string;
}

/** seed 003 "获取LDAP配置"; dates as `YYYY-MM-DD HH:mm:ss` (UTC). */
export interface LdapConfigView {
  tenantId: string;
  createdBy: string | null;
  creator: string | null;
  createdDate: string | null;
  modifiedBy: string | null;
  modifier: string | null;
  modifiedDate: string | null;
  id: string | null;
  isEnabled: boolean;
  server: string;
  baseDN: string;
  bindDN: string;
  /** Always `******` when a password is stored, `""` when none is. */
  bindPassword: string;
  userSearchBase: string;
  userSearchFilter: string;
  groupSearchBase: string;
  groupSearchFilter: string;
  useSsl: boolean;
  syncEnabled: boolean;
  syncInterval: number;
  lastSyncTime: string | null;
}

export interface LdapTestConnectionReply {
  connected: true;
  testTime: string;
  responseTime: number;
  serverInfo: { version: string | null; vendor: string | null };
}

export interface LdapTestAuthReply {
  authenticated: true;
  userDN: string;
  attributes: Record<string, string | string[]>;
}

export interface LdapDirectoryUser {
  dn: string;
  uid: string | null;
  cn: string | null;
  mail: string | null;
  department: string | null;
  title: string | null;
  mobile: string | null;
}

export interface LdapGroupView {
  dn: string;
  cn: string | null;
  description: string | null;
  memberCount: number;
}

export interface LdapGroupMembersReply {
  groupDN: string;
  groupName: string | null;
  /** One page of the members (`page`, `size`); `total` counts every member of the group. */
  members: { dn: string; uid: string | null; cn: string | null; mail: string | null }[];
  total: number;
  page: number;
  size: number;
}

export type LdapFieldMappingView = Record<string, string>;

/** `PUT /api/v1/ldap/group-role-mappings`: the tenant's whole list of directory group → role
 *  mappings (it replaces the stored one). Each item is `{groupDN, system, role}`; items are
 *  checked by ldap-sync (DN syntax, system and role exist), which names the offending
 *  `mappings[i].field`. */
export class LdapGroupRoleMappingsBodyDto {
  @IsArray()
  @ArrayMaxSize(500)
  @IsObject({ each: true })
  mappings!: LdapGroupRoleMappingItem[];
}

export interface LdapGroupRoleMappingItem {
  groupDN: string;
  system: string;
  role: string;
}

export class LdapSaveGroupRoleMappingsRequestDto extends LdapGroupRoleMappingsBodyDto {
  @IsString()
  @Matches(TENANT_ID)
  tenantId!: string;

  @IsString()
  @MaxLength(64)
  actorId!: string;

  @IsString()
  @MaxLength(200)
  actorName!: string;
}

export interface LdapGroupRoleMappingView extends LdapGroupRoleMappingItem {
  /** The group as last synced (null until a sync has read it). */
  groupName: string | null;
  createdBy: string;
  creator: string;
  createdDate: string | null;
}

export interface LdapGroupRoleMappingsReply {
  mappings: LdapGroupRoleMappingView[];
}

/** `POST /api/v1/ldap/users/{username}/sync`: one directory user read again and applied. */
export class LdapUserResyncRequestDto {
  @IsString()
  @Matches(TENANT_ID)
  tenantId!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(256)
  username!: string;

  /** The acting admin and where it called from, for the re-sync's audit row. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  actorId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  actorName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  clientAddress?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  requestId?: string;
}

export interface LdapUserResyncReply {
  /** Gatehouse user id. */
  userId: string;
  username: string;
  userDN: string;
  /** `new`, `updated` (changed fields listed) or `unchanged`. */
  result: 'new' | 'updated' | 'unchanged';
  changes: string[];
  active: boolean;
  /** Effective groups (nested resolved), as DNs. */
  groups: string[];
  /** Every role the user holds now, by hand or from the directory. */
  roles: { system: string; role: string; source: 'manual' | 'ldap' }[];
}
