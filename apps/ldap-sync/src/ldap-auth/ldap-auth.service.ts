import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
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
import { LdapConnectionPool } from '../ldap/ldap-connection-pool';

/** Which step of a login an adapter error came from: the same LDAP failure means different things
 *  (result 49 on the service bind is a configuration error, on the user's bind a wrong password). */
type Step = 'connect' | 'service-bind' | 'user-search' | 'user-bind' | 'group-search';

/** Groups are read in pages, so a member of many groups is not cut off by a server size limit. */
const GROUP_PAGE_SIZE = 200;

/**
 * `ldap.authenticate`: search the tenant's directory for the username with the service account,
 * bind as the entry found with the user's password, then read the groups and map the attributes.
 * Connections are kept between logins (LdapConnectionPool): searches run on connections bound as
 * the service account, password checks on connections that only ever carry users' binds, so the
 * service connections keep the service account's rights. The password check and the group search
 * run side by side once the entry is known, and only for a caller that asks for the groups
 * (`includeGroups`; a login does not: its roles come from the synced memberships); the groups are
 * thrown away when the password is wrong. The password is never logged and never reaches a bind
 * when empty; the username may be.
 */
@Injectable()
export class LdapAuthService {
  private readonly logger = new Logger(LdapAuthService.name);
  /** Pool keys of each login directory (two SHA-256 digests), built once per cached config. */
  private readonly keysOf = new WeakMap<LdapDirectory, PoolKeys>();

  constructor(
    private readonly configs: LdapConfigService,
    private readonly adapter: LdapAdapter,
    private readonly pool: LdapConnectionPool,
  ) {}

  async authenticate(request: LdapAuthenticateRequestDto): Promise<LdapAuthenticateReply> {
    const { tenantId, username, password, includeGroups } = request;
    const config = await this.configs.findByTenantForLogin(tenantId);
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
    const directory = this.configs.loginDirectory(config);
    const keys = this.poolKeys(directory);

    const entry = await this.withServiceConnection(directory, keys.service, username, (service) =>
      this.findUser(service, directory, username),
    );
    const [passwordChecked, groupsRead] = await Promise.allSettled([
      this.verifyPassword(directory, keys.userBind, entry.dn, password, username),
      includeGroups === true
        ? this.withServiceConnection(directory, keys.service, username, (service) =>
            this.findGroups(service, directory, entry.dn, username),
          )
        : undefined,
    ]);
    if (passwordChecked.status === 'rejected') throw passwordChecked.reason;
    if (groupsRead.status === 'rejected') throw groupsRead.reason;
    const groups = groupsRead.value;
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
    return {
      authenticated: true,
      userDN: entry.dn,
      entryUUID,
      mapped,
      attributes,
      ...(groups ? { groups } : {}),
    };
  }

  /** Runs `work` on a kept connection bound as the service account (anonymous without one). */
  private withServiceConnection<T>(
    directory: LdapDirectory,
    key: string,
    username: string,
    work: (service: LdapConnection) => Promise<T>,
  ): Promise<T> {
    return this.pool.run(
      key,
      async () => {
        const service = await this.step('connect', directory.tenantId, username, () =>
          this.adapter.connect(directory.connect),
        );
        const bind = directory.serviceBind;
        if (bind) {
          await this.step('service-bind', directory.tenantId, username, () =>
            service.bind(bind.dn, bind.password),
          ).catch(async (error: unknown) => {
            await service.close();
            throw error;
          });
        }
        return service;
      },
      work,
    );
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

  /** On a connection that only ever carries users' binds, never the service account. */
  private verifyPassword(
    directory: LdapDirectory,
    key: string,
    userDn: string,
    password: string,
    username: string,
  ): Promise<void> {
    return this.pool.run(
      key,
      () =>
        this.step('connect', directory.tenantId, username, () =>
          this.adapter.connect(directory.connect),
        ),
      (connection) =>
        this.step('user-bind', directory.tenantId, username, () =>
          connection.bind(userDn, password),
        ),
    );
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

  private poolKeys(directory: LdapDirectory): PoolKeys {
    let keys = this.keysOf.get(directory);
    if (!keys) {
      keys = poolKeys(directory);
      this.keysOf.set(directory, keys);
    }
    return keys;
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

/** Pool keys: the tenant, the server and TLS settings, and, for searches, the service identity
 *  (its password hashed, so a changed password never reuses a connection bound with the old). */
interface PoolKeys {
  service: string;
  userBind: string;
}

function poolKeys(directory: LdapDirectory): PoolKeys {
  const server = JSON.stringify(directory.connect);
  const identity = directory.serviceBind
    ? JSON.stringify([directory.serviceBind.dn, directory.serviceBind.password])
    : 'anonymous';
  const digest = (value: string): string => createHash('sha256').update(value).digest('base64url');
  const base = `${directory.tenantId}|${digest(server)}`;
  return { service: `${base}|search|${digest(identity)}`, userBind: `${base}|bind` };
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
