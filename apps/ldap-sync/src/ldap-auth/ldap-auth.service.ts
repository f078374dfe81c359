import { Injectable, Logger } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  type LdapAuthenticateReply,
  type LdapAuthenticateRequestDto,
} from '@gatehouse/contracts';
import { type LdapDirectory, LdapConfigService } from '../ldap-config/ldap-config.service';
import { mappedAttributeNames, mapDirectoryUser } from '../ldap-config/ldap-field-mapping.util';
import { firstValue } from '../ldap/ldap-attributes';
import type { LdapConnection, LdapEntry } from '../ldap/ldap-connection';
import { buildFilter, FilterTemplateError } from '../ldap/ldap-escape';
import { LdapAdapterError, LdapErrorKind } from '../ldap/ldap.exception';
import { LdapAdapter } from '../ldap/ldap.adapter';

/** Which step of a login an adapter error came from: the same LDAP failure means different things
 *  (result 49 on the service bind is a configuration error, on the user's bind a wrong password). */
type Step = 'connect' | 'service-bind' | 'user-search' | 'user-bind' | 'group-search';

/** Groups are read in pages, so a member of many groups is not cut off by a server size limit. */
const GROUP_PAGE_SIZE = 200;

/**
 * `ldap.authenticate`: search the tenant's directory for the username with the service account,
 * bind as the entry found on a fresh connection with the user's password, then read the groups
 * and map the attributes. The password is never logged and never reaches a bind when empty; the
 * username may be logged.
 */
@Injectable()
export class LdapAuthService {
  private readonly logger = new Logger(LdapAuthService.name);

  constructor(
    private readonly configs: LdapConfigService,
    private readonly adapter: LdapAdapter,
  ) {}

  async authenticate(request: LdapAuthenticateRequestDto): Promise<LdapAuthenticateReply> {
    const { tenantId, username, password } = request;
    const config = await this.configs.findByTenant(tenantId);
    if (!config) {
      throw new DomainError(
        ErrorCode.LdapConfigInvalid,
        `LDAP is not configured for tenant ${tenantId}`,
      );
    }
    if (!config.isEnabled) {
      throw new DomainError(ErrorCode.LdapConfigInvalid, `LDAP is disabled for tenant ${tenantId}`);
    }
    // An empty password bind is an unauthenticated bind that many servers answer with success.
    if (typeof password !== 'string' || password === '' || username.trim() === '') {
      throw authenticationFailed('username and password are required');
    }
    const directory = this.configs.toDirectory(config);

    const service = await this.step('connect', tenantId, username, () =>
      this.adapter.connect(directory.connect),
    );
    try {
      if (directory.serviceBind) {
        const { dn, password: servicePassword } = directory.serviceBind;
        await this.step('service-bind', tenantId, username, () =>
          service.bind(dn, servicePassword),
        );
      }
      const entry = await this.findUser(service, directory, username);
      await this.verifyPassword(directory, entry.dn, password, username);
      const groups = await this.findGroups(service, directory, entry.dn, username);
      const entryUUID =
        firstValue(entry.attributes, 'entryUUID') ?? firstValue(entry.attributes, 'objectGUID');
      if (!entryUUID) {
        // Gatehouse keys directory users by it; without one two users could collapse into one.
        throw new DomainError(
          ErrorCode.LdapConfigInvalid,
          'The directory entry has neither entryUUID nor objectGUID',
        );
      }
      const { mapped, attributes } = mapDirectoryUser(entry, directory.fieldMapping, username);
      this.logger.log(`tenant ${tenantId}: LDAP login of "${username}" as ${entry.dn}`);
      return { authenticated: true, userDN: entry.dn, entryUUID, mapped, attributes, groups };
    } finally {
      // The answer does not wait for the unbind round trip: close() never rejects and is bounded.
      void service.close();
    }
  }

  private async findUser(
    service: LdapConnection,
    directory: LdapDirectory,
    username: string,
  ): Promise<LdapEntry> {
    const filter = this.filter(directory.userSearchFilter, username, 'user');
    const entries = await this.step('user-search', directory.tenantId, username, () =>
      service.search(directory.userSearchBase, {
        filter,
        scope: 'sub',
        attributes: mappedAttributeNames(directory.fieldMapping),
        // Two are enough to tell "exactly one" from "ambiguous".
        sizeLimit: 2,
      }),
    );
    if (entries.length === 0) {
      throw new DomainError(ErrorCode.LdapUserNotFound, 'User not found in the directory');
    }
    if (entries.length > 1) {
      this.logger.warn(
        `tenant ${directory.tenantId}: "${username}" matches several directory entries; login refused`,
      );
      throw authenticationFailed('the username is ambiguous in the directory');
    }
    return entries[0];
  }

  /** On a connection of its own, so the service connection keeps the service account's rights. */
  private async verifyPassword(
    directory: LdapDirectory,
    userDn: string,
    password: string,
    username: string,
  ): Promise<void> {
    const connection = await this.step('connect', directory.tenantId, username, () =>
      this.adapter.connect(directory.connect),
    );
    try {
      await this.step('user-bind', directory.tenantId, username, () =>
        connection.bind(userDn, password),
      );
    } finally {
      void connection.close();
    }
  }

  private async findGroups(
    service: LdapConnection,
    directory: LdapDirectory,
    userDn: string,
    username: string,
  ): Promise<string[]> {
    if (directory.groupSearchBase === '') return [];
    const filter = this.filter(directory.groupSearchFilter, userDn, 'group');
    const groups = await this.step('group-search', directory.tenantId, username, () =>
      service.search(directory.groupSearchBase, {
        filter,
        scope: 'sub',
        attributes: [],
        paged: { pageSize: GROUP_PAGE_SIZE },
      }),
    );
    return groups.map((group) => group.dn);
  }

  private filter(template: string, value: string, which: 'user' | 'group'): string {
    try {
      return buildFilter(template, value);
    } catch (error: unknown) {
      if (!(error instanceof FilterTemplateError)) throw error;
      throw new DomainError(
        ErrorCode.LdapConfigInvalid,
        `The ${which} search filter is invalid: ${error.message}`,
      );
    }
  }

  /** Runs one step, turning adapter errors into the seed's LDAP_00x codes (and logging why). */
  private async step<T>(
    step: Step,
    tenantId: string,
    username: string,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await work();
    } catch (error: unknown) {
      if (!(error instanceof LdapAdapterError)) throw error;
      const domainError = toDomainError(error, step);
      const log = domainError.code === ErrorCode.LdapAuthenticationFailed ? 'log' : 'warn';
      this.logger[log](
        `tenant ${tenantId}: LDAP ${step} for "${username}" failed (${error.kind}): ${error.message}`,
      );
      throw domainError;
    }
  }
}

function authenticationFailed(reason: string): DomainError {
  return new DomainError(
    ErrorCode.LdapAuthenticationFailed,
    `LDAP authentication failed: ${reason}`,
  );
}

function toDomainError(error: LdapAdapterError, step: Step): DomainError {
  switch (error.kind) {
    case LdapErrorKind.Unreachable:
      return new DomainError(ErrorCode.LdapConnectionFailed, 'The LDAP server is unreachable');
    case LdapErrorKind.Tls:
      return new DomainError(
        ErrorCode.LdapConnectionFailed,
        'TLS with the LDAP server failed (handshake or certificate verification)',
      );
    case LdapErrorKind.Timeout:
      return new DomainError(
        ErrorCode.LdapConnectionFailed,
        'The LDAP server did not answer in time',
      );
    case LdapErrorKind.InvalidCredentials:
      return step === 'user-bind'
        ? authenticationFailed('invalid credentials')
        : new DomainError(
            ErrorCode.LdapConfigInvalid,
            'The directory rejected the configured service account (bind DN or password)',
          );
    case LdapErrorKind.NoSuchObject:
      if (step === 'user-bind') return authenticationFailed('invalid credentials');
      return new DomainError(
        ErrorCode.LdapConfigInvalid,
        `The configured ${step === 'group-search' ? 'group' : 'user'} search base does not exist`,
      );
    case LdapErrorKind.Other:
      switch (step) {
        case 'user-bind':
          return authenticationFailed('the directory refused the bind');
        case 'connect':
        case 'service-bind':
          return new DomainError(ErrorCode.LdapConfigInvalid, 'The LDAP configuration is invalid');
        case 'user-search':
        case 'group-search':
          return new DomainError(ErrorCode.LdapSearchFailed, 'The LDAP search failed');
      }
  }
}
