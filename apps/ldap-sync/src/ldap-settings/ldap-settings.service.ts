import { Injectable, Logger } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  type FieldError,
  type LdapConfigBodyDto,
  type LdapConfigView,
  type LdapFieldMappingView,
  type LdapSaveConfigRequestDto,
  type LdapSaveFieldMappingRequestDto,
  type LdapTestConnectionBodyDto,
  type LdapTestConnectionReply,
  MASKED_PASSWORD,
} from '@gatehouse/contracts';
import { SecretBox } from '@gatehouse/crypto';
import { bindPasswordAad, LdapConfigEntity } from '@gatehouse/persistence';
import { LdapConfigService } from '../ldap-config/ldap-config.service';
import { DEFAULT_FIELD_MAPPING, resolveFieldMapping } from '../ldap-config/ldap-field-mapping.util';
import { allValues, firstValue } from '../ldap/ldap-attributes';
import type { LdapConnection, LdapEntry } from '../ldap/ldap-connection';
import { normalizeDn } from '../ldap/ldap-escape';
import { LdapAdapterError, LdapErrorKind } from '../ldap/ldap.exception';
import { LdapAdapter } from '../ldap/ldap.adapter';
import {
  checkDn,
  checkFilterTemplate,
  checkServerUrl,
  fieldErrors,
} from './ldap-settings.validators';

/** What GET /config answers before anything is saved (`id: null`, no audit fields). */
const UNSAVED: Omit<LdapConfigView, 'tenantId'> = {
  createdBy: null,
  creator: null,
  createdDate: null,
  modifiedBy: null,
  modifier: null,
  modifiedDate: null,
  id: null,
  isEnabled: false,
  server: '',
  baseDN: '',
  bindDN: '',
  bindPassword: '',
  userSearchBase: '',
  userSearchFilter: '(uid={0})',
  groupSearchBase: '',
  groupSearchFilter: '(member={0})',
  useSsl: false,
  syncEnabled: false,
  syncInterval: 3600,
  lastSyncTime: null,
};

/** A connection test never waits longer than this for connect or an operation. */
const TEST_TIMEOUT_MS = 5000;

/** seed 003's dates: `YYYY-MM-DD HH:mm:ss`, in UTC. */
export function formatSeedDate(date: Date | null): string | null {
  if (!date) return null;
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The tenant's directory settings (seed 003 "LDAP配置", "字段映射", "测试LDAP连接"). The bind password
 * is stored encrypted and answered only as `******`; it is never sent to a server or bind DN other
 * than the ones it was saved with (RELIABILITY.md "Login and LDAP").
 */
@Injectable()
export class LdapSettingsService {
  private readonly logger = new Logger(LdapSettingsService.name);

  constructor(
    private readonly configs: LdapConfigService,
    private readonly secretBox: SecretBox,
    private readonly adapter: LdapAdapter,
  ) {}

  async getConfig(tenantId: string): Promise<LdapConfigView> {
    const config = await this.configs.findByTenant(tenantId);
    return config ? toView(config) : { tenantId, ...UNSAVED };
  }

  async saveConfig(request: LdapSaveConfigRequestDto): Promise<LdapConfigView> {
    const { tenantId, actorId, actorName, ...body } = request;
    const errors = validateConfig(body);
    if (errors.length > 0) throw new DomainError(ErrorCode.ValidationFailed, undefined, errors);
    const existing = await this.configs.findByTenant(tenantId);
    const newPassword = suppliedPassword(body.bindPassword);
    const bindDn = body.bindDN.trim();
    let passwordEnc: string | null;
    if (newPassword !== undefined) {
      passwordEnc = this.secretBox.encrypt(newPassword, bindPasswordAad(tenantId));
    } else if (existing && sameTarget(existing, body.server, bindDn)) {
      passwordEnc = existing.bindPasswordEnc;
    } else if (existing?.bindPasswordEnc) {
      throw passwordRequired('server or bindDN changed: send the bind password again');
    } else {
      passwordEnc = null;
    }
    if (bindDn !== '' && !passwordEnc) throw passwordRequired('a bind DN needs a bind password');
    const now = new Date();
    const entity = existing ?? new LdapConfigEntity();
    if (!existing) {
      Object.assign(entity, {
        id: `LDAP_CONFIG_${tenantId}`,
        tenantId,
        fieldMapping: { ...DEFAULT_FIELD_MAPPING },
        tlsCaCert: null,
        tlsVerify: true,
        timeoutMs: TEST_TIMEOUT_MS,
        lastSyncTime: null,
        createdBy: actorId,
        creator: actorName,
        createdDate: now,
      });
    }
    Object.assign(entity, {
      isEnabled: body.isEnabled,
      server: body.server.trim(),
      baseDn: body.baseDN.trim(),
      bindDn,
      bindPasswordEnc: bindDn === '' ? null : passwordEnc,
      userSearchBase: body.userSearchBase.trim(),
      userSearchFilter: body.userSearchFilter.trim(),
      groupSearchBase: body.groupSearchBase.trim(),
      groupSearchFilter: body.groupSearchFilter.trim(),
      useSsl: body.useSsl,
      syncEnabled: body.syncEnabled,
      syncInterval: body.syncInterval,
      modifiedBy: actorId,
      modifier: actorName,
      modifiedDate: now,
    });
    const saved = await this.configs.save(entity);
    this.logger.log(`tenant ${tenantId}: LDAP configuration saved by ${actorName} (${actorId})`);
    return toView(saved);
  }

  async getFieldMapping(tenantId: string): Promise<LdapFieldMappingView> {
    const config = await this.configs.findByTenant(tenantId);
    return { ...resolveFieldMapping(config?.fieldMapping) };
  }

  async saveFieldMapping(request: LdapSaveFieldMappingRequestDto): Promise<LdapFieldMappingView> {
    const config = await this.configs.findByTenant(request.tenantId);
    if (!config) {
      throw new DomainError(ErrorCode.LdapConfigInvalid, 'LDAP配置不存在，请先保存LDAP配置');
    }
    const { tenantId: _tenant, actorId: _id, actorName: _name, ...mapping } = request;
    config.fieldMapping = mapping;
    config.modifiedBy = request.actorId;
    config.modifier = request.actorName;
    config.modifiedDate = new Date();
    const saved = await this.configs.save(config);
    return { ...resolveFieldMapping(saved.fieldMapping) };
  }

  /**
   * Binds with the given settings (missing ones from the saved configuration) and reads the root
   * DSE. The stored password is used only when server and bind DN are the saved ones.
   */
  async testConnection(
    tenantId: string,
    settings: LdapTestConnectionBodyDto,
  ): Promise<LdapTestConnectionReply> {
    const saved = await this.configs.findByTenant(tenantId);
    const server = (settings.server ?? saved?.server ?? '').trim();
    const bindDn = (settings.bindDN ?? saved?.bindDn ?? '').trim();
    const useSsl = settings.useSsl ?? saved?.useSsl ?? false;
    const baseDn = (settings.baseDN ?? saved?.baseDn ?? '').trim();
    const errors = fieldErrors({
      server: server === '' ? 'is required (nothing saved yet)' : checkServerUrl(server),
      bindDN: checkDn(bindDn, true),
      baseDN: checkDn(baseDn, true),
    });
    if (errors.length > 0) throw new DomainError(ErrorCode.ValidationFailed, undefined, errors);
    let password = suppliedPassword(settings.bindPassword);
    if (password === undefined && bindDn !== '') {
      if (!saved || !sameTarget(saved, server, bindDn)) {
        throw passwordRequired(
          'server or bindDN differ from the saved ones: send the bind password',
        );
      }
      password = this.configs.storedBindPassword(saved) ?? undefined;
      if (password === undefined) throw passwordRequired('no bind password is saved');
    }
    const base =
      saved ?? Object.assign(new LdapConfigEntity(), { tlsCaCert: null, tlsVerify: true });
    const connect = this.configs.connectOptions(
      Object.assign(new LdapConfigEntity(), base, {
        tenantId,
        server,
        useSsl,
        timeoutMs: Math.min(saved?.timeoutMs ?? TEST_TIMEOUT_MS, TEST_TIMEOUT_MS),
      }),
    );
    const started = Date.now();
    const testTime = formatSeedDate(new Date(started)) ?? '';
    try {
      const connection = await this.adapter.connect(connect);
      try {
        if (bindDn !== '' && password !== undefined) await connection.bind(bindDn, password);
        const rootDse = await connection.readRootDse();
        if (baseDn !== '') await this.checkBaseExists(connection, baseDn);
        return {
          connected: true,
          testTime,
          responseTime: Date.now() - started,
          serverInfo: serverInfo(rootDse),
        };
      } finally {
        await connection.close();
      }
    } catch (error: unknown) {
      if (!(error instanceof LdapAdapterError)) throw error;
      this.logger.warn(
        `tenant ${tenantId}: LDAP connection test failed (${error.kind}): ${error.message}`,
      );
      throw connectionTestError(error);
    }
  }

  /** The base DN must name an entry the bound account can see: LDAP_003 naming baseDN if not. */
  private async checkBaseExists(connection: LdapConnection, baseDn: string): Promise<void> {
    try {
      await connection.search(baseDn, { scope: 'base', filter: '(objectClass=*)', attributes: [] });
    } catch (error: unknown) {
      if (error instanceof LdapAdapterError && error.kind === LdapErrorKind.NoSuchObject) {
        throw new DomainError(ErrorCode.LdapConfigInvalid, 'LDAP配置错误：baseDN不存在', [
          { field: 'baseDN', message: 'baseDN does not exist on the server' },
        ]);
      }
      throw error;
    }
  }
}

function validateConfig(body: LdapConfigBodyDto): FieldError[] {
  return fieldErrors({
    server: checkServerUrl(body.server),
    baseDN: checkDn(body.baseDN),
    bindDN: checkDn(body.bindDN, true),
    userSearchBase: checkDn(body.userSearchBase),
    userSearchFilter: checkFilterTemplate(body.userSearchFilter),
    groupSearchBase: checkDn(body.groupSearchBase, true),
    groupSearchFilter: checkFilterTemplate(body.groupSearchFilter),
  });
}

/** The password the admin typed, or undefined for "keep the stored one" (missing or masked). */
function suppliedPassword(password: string | undefined): string | undefined {
  return password === undefined || password === MASKED_PASSWORD || password === ''
    ? undefined
    : password;
}

function sameTarget(saved: LdapConfigEntity, server: string, bindDn: string): boolean {
  return (
    saved.server.trim().toLowerCase() === server.trim().toLowerCase() &&
    normalizeDn(saved.bindDn) === normalizeDn(bindDn)
  );
}

function passwordRequired(reason: string): DomainError {
  return new DomainError(
    ErrorCode.LdapConfigInvalid,
    `LDAP配置错误：需要提供bindPassword（${reason}）`,
    [{ field: 'bindPassword', message: reason }],
  );
}

function toView(config: LdapConfigEntity): LdapConfigView {
  return {
    tenantId: config.tenantId,
    createdBy: config.createdBy,
    creator: config.creator,
    createdDate: formatSeedDate(config.createdDate),
    modifiedBy: config.modifiedBy,
    modifier: config.modifier,
    modifiedDate: formatSeedDate(config.modifiedDate),
    id: config.id,
    isEnabled: config.isEnabled,
    server: config.server,
    baseDN: config.baseDn,
    bindDN: config.bindDn,
    bindPassword: config.bindPasswordEnc ? MASKED_PASSWORD : '',
    userSearchBase: config.userSearchBase,
    userSearchFilter: config.userSearchFilter,
    groupSearchBase: config.groupSearchBase,
    groupSearchFilter: config.groupSearchFilter,
    useSsl: config.useSsl,
    syncEnabled: config.syncEnabled,
    syncInterval: config.syncInterval,
    lastSyncTime: formatSeedDate(config.lastSyncTime),
  };
}

/** Vendor and protocol version from the root DSE. */
export function serverInfo(rootDse: LdapEntry): LdapTestConnectionReply['serverInfo'] {
  const attributes = rootDse.attributes;
  const has = (name: string, value: string): boolean =>
    allValues(attributes, name).some((held) => held.toLowerCase() === value.toLowerCase());
  let vendor = firstValue(attributes, 'vendorName') ?? null;
  if (vendor === null) {
    if (has('objectClass', 'OpenLDAProotDSE') || has('structuralObjectClass', 'OpenLDAProotDSE')) {
      vendor = 'OpenLDAP';
    } else if (allValues(attributes, 'forestFunctionality').length > 0) {
      vendor = 'Active Directory';
    }
  } else if (/389|fedora|red hat/i.test(vendor)) {
    vendor = '389 Directory Server';
  }
  const versions = allValues(attributes, 'supportedLDAPVersion')
    .map(Number)
    .filter((n) => Number.isInteger(n));
  const version =
    versions.length > 0
      ? String(Math.max(...versions))
      : (firstValue(attributes, 'vendorVersion') ?? null);
  return { version, vendor };
}

function connectionTestError(error: LdapAdapterError): DomainError {
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
    case LdapErrorKind.NoSuchObject:
      return new DomainError(ErrorCode.LdapAuthenticationFailed, 'LDAP认证失败：绑定DN或密码错误');
    case LdapErrorKind.Other:
      return new DomainError(ErrorCode.LdapConfigInvalid, 'LDAP配置错误：服务器拒绝了请求');
  }
}
