import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@gatehouse/contracts';
import { AdminUsersRepository } from './admin-users.repository';
import type { AdminUserRow, UserFields } from './admin-users.types';

export interface DirectoryEntryRef {
  uuid: string;
  dn: string;
}

/** Writes users to the tenant's directory when its LDAP config is enabled and set writable
 *  (`ldap_configs.directory_writable`); the directory is written first, the database after. */
@Injectable()
export class DirectoryWriter {
  constructor(private readonly users: AdminUsersRepository) {}

  async isWritable(tenantId: string): Promise<boolean> {
    const settings = await this.users.directorySettings(tenantId);
    return settings?.enabled === true && settings.writable;
  }

  create(_tenantId: string, _fields: UserFields, _password?: string): Promise<DirectoryEntryRef> {
    return Promise.reject(notAvailable());
  }

  update(_tenantId: string, _current: AdminUserRow, _next: UserFields): Promise<void> {
    return Promise.reject(notAvailable());
  }
}

function notAvailable(): DomainError {
  return new DomainError(ErrorCode.LdapConfigInvalid, 'Writing to the directory is not available');
}
