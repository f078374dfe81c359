import { Injectable, Logger } from '@nestjs/common';
import {
  type DirectoryWriteSettingsView,
  DomainError,
  ErrorCode,
  type LdapSaveDirectoryWriteRequestDto,
  type LdapCreateUserReply,
  type LdapCreateUserRequestDto,
  type LdapUpdateUserReply,
  type LdapUpdateUserRequestDto,
} from '@gatehouse/contracts';
import { type LdapDirectory, LdapConfigService } from '../ldap-config/ldap-config.service';
import { firstValue } from '../ldap/ldap-attributes';
import type { LdapConnection } from '../ldap/ldap-connection';
import { escapeDnValue, normalizeDn } from '../ldap/ldap-escape';
import { LdapAdapterError, LdapErrorKind } from '../ldap/ldap.exception';
import { LdapAdapter } from '../ldap/ldap.adapter';
import { mappedAttributes, sshaPassword } from './directory-entry.util';
import { DirectoryWriteRepository } from './directory-write.repository';

const ENTRY_ALREADY_EXISTS = 68;

/** Creates and updates users in a writable directory for the admin API: binds as the configured
 *  service account, adds `<username attribute>=<escaped username>,<userSearchBase>` with the
 *  configured object classes, and reads back its entryUUID so the gateway stores the same id a
 *  sync or a login would. */
@Injectable()
export class DirectoryWriteService {
  private readonly logger = new Logger(DirectoryWriteService.name);

  constructor(
    private readonly configs: LdapConfigService,
    private readonly settings: DirectoryWriteRepository,
    private readonly adapter: LdapAdapter,
  ) {}

  async createUser(request: LdapCreateUserRequestDto): Promise<LdapCreateUserReply> {
    const { directory, objectClasses } = await this.writableDirectory(request.tenantId);
    const mapping = directory.fieldMapping;
    const usernameAttribute = mapping.username || 'uid';
    const dn = `${usernameAttribute}=${escapeDnValue(request.username)},${directory.userSearchBase}`;
    const attributes: Record<string, string[]> = {
      objectClass: objectClasses,
      [usernameAttribute]: [request.username],
    };
    for (const [name, values] of Object.entries(
      mappedAttributes(mapping, request, request.username),
    )) {
      if (values.length > 0 && name.toLowerCase() !== usernameAttribute.toLowerCase()) {
        attributes[name] = values;
      }
    }
    if (request.password) attributes.userPassword = [sshaPassword(request.password)];
    return this.withConnection(directory, async (connection) => {
      await this.adapter.addEntry(connection, dn, attributes);
      const [entry] = await connection.search(dn, {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['entryUUID'],
      });
      const entryUUID = entry ? firstValue(entry.attributes, 'entryUUID') : undefined;
      if (!entry || !entryUUID) {
        throw new DomainError(ErrorCode.LdapSearchFailed, 'The new entry has no entryUUID');
      }
      this.logger.log(`tenant ${request.tenantId}: directory entry ${entry.dn} created`);
      return { dn: entry.dn, entryUUID };
    });
  }

  async updateUser(request: LdapUpdateUserRequestDto): Promise<LdapUpdateUserReply> {
    const { directory } = await this.writableDirectory(request.tenantId);
    const base = normalizeDn(directory.userSearchBase);
    if (!normalizeDn(request.dn).endsWith(`,${base}`)) {
      throw new DomainError(
        ErrorCode.LdapConfigInvalid,
        'The entry is outside the user search base',
      );
    }
    const attributes = mappedAttributes(directory.fieldMapping, request, request.username);
    return this.withConnection(directory, async (connection) => {
      await this.adapter.replaceAttributes(connection, request.dn, attributes);
      return { dn: request.dn };
    });
  }

  async getSettings(tenantId: string): Promise<DirectoryWriteSettingsView> {
    const view = await this.settings.view(tenantId);
    if (!view) throw noConfig();
    return view;
  }

  async saveSettings(
    request: LdapSaveDirectoryWriteRequestDto,
  ): Promise<DirectoryWriteSettingsView> {
    const current = await this.getSettings(request.tenantId);
    const saved = await this.settings.save(
      request.tenantId,
      {
        writable: request.writable,
        userObjectClasses: request.userObjectClasses ?? current.userObjectClasses,
      },
      {
        actorId: request.actorId ?? null,
        actorName: request.actorName,
        clientAddress: request.clientAddress ?? null,
        requestId: request.requestId ?? null,
      },
    );
    if (!saved) throw noConfig();
    return saved;
  }

  private async writableDirectory(
    tenantId: string,
  ): Promise<{ directory: LdapDirectory; objectClasses: string[] }> {
    const [config, settings] = await Promise.all([
      this.configs.findByTenant(tenantId),
      this.settings.settings(tenantId),
    ]);
    if (!config?.isEnabled || !settings?.writable) {
      throw new DomainError(ErrorCode.LdapConfigInvalid, 'The directory is not set writable');
    }
    const directory = this.configs.toDirectory(config);
    if (!directory.serviceBind) {
      throw new DomainError(ErrorCode.LdapConfigInvalid, 'Writing needs a bind DN and password');
    }
    return { directory, objectClasses: settings.objectClasses };
  }

  private async withConnection<T>(
    directory: LdapDirectory,
    work: (connection: LdapConnection) => Promise<T>,
  ): Promise<T> {
    let connection: LdapConnection | undefined;
    try {
      connection = await this.adapter.connect(directory.connect);
      if (directory.serviceBind) {
        await connection.bind(directory.serviceBind.dn, directory.serviceBind.password);
      }
      return await work(connection);
    } catch (error: unknown) {
      if (error instanceof LdapAdapterError) throw toDomainError(error);
      throw error;
    } finally {
      await connection?.close();
    }
  }
}

function noConfig(): DomainError {
  return new DomainError(
    ErrorCode.NotFound,
    'Configure the directory (PUT /api/v1/ldap/config) first',
  );
}

function toDomainError(error: LdapAdapterError): DomainError {
  if (error.resultCode === ENTRY_ALREADY_EXISTS) {
    return new DomainError(ErrorCode.Conflict, 'The directory already has an entry of that name', [
      { field: 'username', message: 'username already exists in the directory' },
    ]);
  }
  switch (error.kind) {
    case LdapErrorKind.Unreachable:
    case LdapErrorKind.Tls:
    case LdapErrorKind.Timeout:
      return new DomainError(ErrorCode.LdapConnectionFailed, 'The LDAP server is unavailable');
    case LdapErrorKind.InvalidCredentials:
      return new DomainError(
        ErrorCode.LdapConfigInvalid,
        'The directory rejected the configured service account (bind DN or password)',
      );
    case LdapErrorKind.NoSuchObject:
      return new DomainError(ErrorCode.LdapConfigInvalid, 'The user search base does not exist');
    case LdapErrorKind.Other:
      return new DomainError(
        ErrorCode.LdapConfigInvalid,
        `The directory refused the write (result ${error.resultCode ?? 'unknown'})`,
      );
  }
}
