import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '@gatehouse/contracts';
import { DecryptionError, SecretBox } from '@gatehouse/crypto';
import { bindPasswordAad, type LdapConfigEntity } from '@gatehouse/persistence';
import type { LdapConnectOptions } from '../ldap/ldap-connection';
import { LdapConfigRepository } from './ldap-config.repository';
import { resolveFieldMapping, type ResolvedFieldMapping } from './ldap-field-mapping.util';

/** A tenant's directory, ready to use: adapter options, the decrypted service account and the
 *  search settings. Built for one operation; never logged (it holds the bind password). */
export interface LdapDirectory {
  tenantId: string;
  connect: LdapConnectOptions;
  /** The service account to search with; null means search anonymously (no bind DN set). */
  serviceBind: { dn: string; password: string } | null;
  userSearchBase: string;
  userSearchFilter: string;
  groupSearchBase: string;
  groupSearchFilter: string;
  fieldMapping: ResolvedFieldMapping;
}

/** How long logins reuse a tenant's stored settings before reading them again. A save through
 *  this process drops them at once; a save through another replica is seen within this time. */
export const LOGIN_CONFIG_CACHE_MS = 5000;

@Injectable()
export class LdapConfigService {
  private readonly logger = new Logger(LdapConfigService.name);
  private readonly forLogins = new Map<
    string,
    { config: LdapConfigEntity | null; expiresAt: number }
  >();
  /** The directory of each cached login config, built once per cached row (decrypting the bind
   *  password on every login cost more than the search). Keyed by the row object, so it is
   *  dropped with it. */
  private readonly loginDirectories = new WeakMap<LdapConfigEntity, LdapDirectory>();

  constructor(
    private readonly configs: LdapConfigRepository,
    private readonly secretBox: SecretBox,
  ) {}

  findByTenant(tenantId: string): Promise<LdapConfigEntity | null> {
    return this.configs.findByTenant(tenantId);
  }

  /** `findByTenant` for the login path, which asks for the same row hundreds of times a second:
   *  read at most once per LOGIN_CONFIG_CACHE_MS per tenant. */
  async findByTenantForLogin(tenantId: string): Promise<LdapConfigEntity | null> {
    const now = Date.now();
    const cached = this.forLogins.get(tenantId);
    if (cached && cached.expiresAt > now) return cached.config;
    const config = await this.configs.findByTenant(tenantId);
    this.forLogins.set(tenantId, { config, expiresAt: now + LOGIN_CONFIG_CACHE_MS });
    return config;
  }

  /** `toDirectory` of a row `findByTenantForLogin` answered, built once while the row is cached. */
  loginDirectory(config: LdapConfigEntity): LdapDirectory {
    const built = this.loginDirectories.get(config);
    if (built) return built;
    const directory = this.toDirectory(config);
    this.loginDirectories.set(config, directory);
    return directory;
  }

  async save(config: LdapConfigEntity): Promise<LdapConfigEntity> {
    this.forLogins.delete(config.tenantId);
    try {
      return await this.configs.save(config);
    } finally {
      // Again after the write: a login between the two deletes may have cached the old row.
      this.forLogins.delete(config.tenantId);
    }
  }

  /** The stored bind password in clear, or null when none is stored; LDAP_003 when it cannot be
   *  decrypted. Only for a bind against the server the password was saved for. */
  storedBindPassword(config: LdapConfigEntity): string | null {
    if (!config.bindPasswordEnc) return null;
    return this.decryptBindPassword(config, config.bindPasswordEnc);
  }

  /** Throws LDAP_003 when the stored configuration cannot be used as it is. */
  toDirectory(config: LdapConfigEntity): LdapDirectory {
    return {
      tenantId: config.tenantId,
      connect: this.connectOptions(config),
      serviceBind: this.serviceBind(config),
      userSearchBase: config.userSearchBase,
      userSearchFilter: config.userSearchFilter,
      groupSearchBase: config.groupSearchBase.trim(),
      groupSearchFilter: config.groupSearchFilter,
      fieldMapping: resolveFieldMapping(config.fieldMapping),
    };
  }

  /**
   * `ldaps://` is TLS from the first byte; `ldap://` with useSsl upgrades with StartTLS. The
   * certificate is checked against the configured CA, or the system store without one.
   */
  connectOptions(config: LdapConfigEntity): LdapConnectOptions {
    const url = config.server.trim();
    if (!config.tlsVerify && (config.useSsl || url.toLowerCase().startsWith('ldaps:'))) {
      this.logger.warn(
        `tenant ${config.tenantId}: TLS certificate verification of ${url} is turned off (tls_verify=false)`,
      );
    }
    return {
      url,
      startTls: config.useSsl && url.toLowerCase().startsWith('ldap:'),
      tls: {
        ...(config.tlsCaCert?.trim() ? { ca: config.tlsCaCert } : {}),
        rejectUnauthorized: config.tlsVerify,
      },
      connectTimeoutMs: config.timeoutMs,
      operationTimeoutMs: config.timeoutMs,
    };
  }

  private serviceBind(config: LdapConfigEntity): LdapDirectory['serviceBind'] {
    const dn = config.bindDn.trim();
    if (dn === '') return null;
    if (!config.bindPasswordEnc) {
      // Binding with an empty password would be an anonymous bind that many servers accept.
      throw new DomainError(
        ErrorCode.LdapConfigInvalid,
        'LDAP configuration has a bind DN but no bind password',
      );
    }
    return { dn, password: this.decryptBindPassword(config, config.bindPasswordEnc) };
  }

  private decryptBindPassword(config: LdapConfigEntity, encrypted: string): string {
    try {
      return this.secretBox.decrypt(encrypted, bindPasswordAad(config.tenantId));
    } catch (error: unknown) {
      if (!(error instanceof DecryptionError)) throw error;
      this.logger.error(
        `tenant ${config.tenantId}: stored LDAP bind password cannot be decrypted (${error.reason}): ${error.message}`,
      );
      throw new DomainError(
        ErrorCode.LdapConfigInvalid,
        'The stored LDAP bind password cannot be decrypted with the current key ring',
      );
    }
  }
}
