import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, RPC_PATTERNS } from '@gatehouse/contracts';
import type { RpcClient } from '@gatehouse/platform';
import { InjectLdapSync } from '../peers/peer-clients';
import { AdminUsersRepository } from './admin-users.repository';
import type { AdminUserRow, UserFields } from './admin-users.types';

export interface DirectoryEntryRef {
  uuid: string;
  dn: string;
}

/** A connect, a bind, a write and a read-back, each bounded by the directory's own timeout
 *  (5 s by default): give ldap-sync the time to answer with a precise LDAP error. */
const DIRECTORY_WRITE_TIMEOUT_MS = 15000;

/** Writes users to the tenant's directory when its LDAP config is enabled and set writable
 *  (`ldap_configs.directory_writable`), through ldap-sync (`ldap.users.create|update`). The
 *  directory is written first and the database after, so a refused write stores nothing. */
@Injectable()
export class DirectoryWriter {
  constructor(
    private readonly users: AdminUsersRepository,
    @InjectLdapSync() private readonly ldapSync: RpcClient,
  ) {}

  async isWritable(tenantId: string): Promise<boolean> {
    const settings = await this.users.directorySettings(tenantId);
    return settings?.enabled === true && settings.writable;
  }

  async create(
    tenantId: string,
    fields: UserFields,
    password?: string,
  ): Promise<DirectoryEntryRef> {
    const reply = await this.ldapSync.send(
      RPC_PATTERNS.ldap.createUser,
      {
        tenantId,
        username: fields.username,
        firstName: fields.firstName,
        lastName: fields.lastName,
        email: fields.email,
        employeeNumber: fields.employeeNumber,
        ...(password === undefined ? {} : { password }),
      },
      { timeoutMs: DIRECTORY_WRITE_TIMEOUT_MS },
    );
    return { uuid: reply.entryUUID, dn: reply.dn };
  }

  /** Renaming an entry (a new RDN) is not done: the username of a directory user stays. */
  async update(tenantId: string, current: AdminUserRow, next: UserFields): Promise<void> {
    if (next.username !== current.username) {
      throw new DomainError(ErrorCode.Conflict, 'Directory users cannot be renamed here', [
        { field: 'username', message: 'username of a directory user is read-only' },
      ]);
    }
    if (!current.ldapDn) {
      throw new DomainError(ErrorCode.Conflict, 'The user has no directory entry to update');
    }
    await this.ldapSync.send(
      RPC_PATTERNS.ldap.updateUser,
      {
        tenantId,
        dn: current.ldapDn,
        username: current.username,
        firstName: next.firstName,
        lastName: next.lastName,
        email: next.email,
        employeeNumber: next.employeeNumber,
      },
      { timeoutMs: DIRECTORY_WRITE_TIMEOUT_MS },
    );
  }
}
