import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ALL_PERMISSIONS, DomainError, ErrorCode, type FieldError } from '@gatehouse/contracts';
import { isUniqueViolation } from '@gatehouse/persistence';
import { hashPassword } from '@gatehouse/crypto';
import { AuditService } from '../audit/audit.service';
import type { AuditActor, Queryable } from '../audit/audit.types';
import { SessionService } from '../sessions/session.service';
import { AdminUsersRepository } from './admin-users.repository';
import type {
  AdminUserRow,
  AdminUserView,
  UserFields,
  UserSearch,
  UserSearchPage,
} from './admin-users.types';
import type { CreateUserDto, UpdateUserDto } from './dto/user-write.dto';
import { DirectoryWriter } from './directory-writer.service';

/** Fields a directory user gets from its LDAP entry: read-only here unless the directory is
 *  writable (a sync would overwrite them otherwise). */
const MAPPED_FIELDS = ['username', 'email', 'firstName', 'lastName', 'employeeNumber'] as const;

/** User administration. Each change and its audit record are one transaction; sessions are
 *  revoked after the commit (Redis is not part of the transaction), so a deactivated user's
 *  access tokens stop working at once. */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly users: AdminUsersRepository,
    private readonly audit: AuditService,
    private readonly sessions: SessionService,
    private readonly directory: DirectoryWriter,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async search(tenantId: string, query: UserSearch): Promise<UserSearchPage> {
    const { total, rows } = await this.users.search(tenantId, query);
    const list = await this.views(this.db, tenantId, rows);
    return { total: String(total), page: query.page, size: query.size, list };
  }

  async get(tenantId: string, id: string): Promise<AdminUserView> {
    const row = await this.users.findById(this.db, tenantId, id);
    if (!row) throw notFound();
    return (await this.views(this.db, tenantId, [row]))[0];
  }

  async create(actor: AuditActor, dto: CreateUserDto): Promise<AdminUserView> {
    const fields: UserFields = {
      username: dto.username,
      email: dto.email ?? null,
      firstName: dto.firstName ?? '',
      lastName: dto.lastName ?? '',
      companyId: dto.companyId ?? null,
      employeeNumber: dto.employeeNumber ?? null,
      userType: dto.userType ?? 'staff',
      active: dto.active ?? true,
    };
    if (await this.users.usernameTaken(this.db, actor.tenantId, fields.username)) {
      throw usernameTaken();
    }
    // A writable directory receives the entry first; only then is the user stored.
    const entry = (await this.directory.isWritable(actor.tenantId))
      ? await this.directory.create(actor.tenantId, fields, dto.password)
      : undefined;
    const hash = !entry && dto.password ? await hashPassword(dto.password) : null;
    const view = await this.transaction(async (q) => {
      const id = await this.users.insert(q, actor.tenantId, fields, hash, entry);
      const created = await this.viewOf(q, actor.tenantId, id);
      await this.audit.record(q, actor, {
        action: 'user.create',
        targetType: 'user',
        targetId: id,
        after: { ...created, password: dto.password === undefined ? undefined : 'set' },
      });
      return created;
    });
    return view;
  }

  async update(actor: AuditActor, id: string, dto: UpdateUserDto): Promise<AdminUserView> {
    const current = await this.users.findById(this.db, actor.tenantId, id);
    if (!current) throw notFound();
    const writable = current.source === 'ldap' && (await this.directory.isWritable(actor.tenantId));
    if (current.source === 'ldap' && !writable) refuseMappedFields(dto);
    if (current.source === 'ldap' && dto.password !== undefined) {
      throw new DomainError(ErrorCode.Conflict, 'A directory user has no local password', [
        { field: 'password', message: 'password is managed by the directory' },
      ]);
    }
    if (dto.active === false) this.refuseSelf(actor, id);
    await this.refuseStronger(actor, id);
    const next = mergeFields(current, dto);
    if (
      next.username.toLowerCase() !== current.username.toLowerCase() &&
      (await this.users.usernameTaken(this.db, actor.tenantId, next.username, id))
    ) {
      throw usernameTaken();
    }
    if (writable) await this.directory.update(actor.tenantId, current, next);
    const hash = dto.password === undefined ? undefined : await hashPassword(dto.password);
    const result = await this.transaction(async (q) => {
      const before = await this.viewOf(q, actor.tenantId, id, true);
      await this.users.update(q, actor.tenantId, id, next, hash);
      const after = await this.viewOf(q, actor.tenantId, id);
      await this.audit.record(q, actor, {
        action: 'user.update',
        targetType: 'user',
        targetId: id,
        before,
        after: { ...after, password: hash === undefined ? undefined : 'changed' },
      });
      return after;
    });
    // Deactivation and a new password end every session of the user.
    if (dto.active === false || hash !== undefined)
      await this.sessions.revokeUser(actor.tenantId, id);
    return result;
  }

  /** DELETE: deactivates and ends every session; the row and its history stay. */
  async deactivate(actor: AuditActor, id: string): Promise<AdminUserView> {
    this.refuseSelf(actor, id);
    await this.refuseStronger(actor, id);
    const result = await this.transaction(async (q) => {
      const before = await this.viewOf(q, actor.tenantId, id, true);
      await this.users.setActive(q, actor.tenantId, id, false);
      const after = await this.viewOf(q, actor.tenantId, id);
      await this.audit.record(q, actor, {
        action: 'user.deactivate',
        targetType: 'user',
        targetId: id,
        before: { active: before.active },
        after: { active: false },
      });
      return after;
    });
    await this.sessions.revokeUser(actor.tenantId, id);
    return result;
  }

  /** The explicit hard delete: only of a user already deactivated, so it is never one click. */
  async hardDelete(actor: AuditActor, id: string): Promise<void> {
    this.refuseSelf(actor, id);
    await this.refuseStronger(actor, id);
    await this.transaction(async (q) => {
      const before = await this.viewOf(q, actor.tenantId, id, true);
      if (before.active) {
        throw new DomainError(
          ErrorCode.Conflict,
          'Deactivate the user before deleting it for good',
        );
      }
      await this.users.remove(q, actor.tenantId, id);
      await this.audit.record(q, actor, {
        action: 'user.delete',
        targetType: 'user',
        targetId: id,
        before,
      });
    });
    await this.sessions.revokeUser(actor.tenantId, id);
  }

  /** Ends every session of the user (the admin side of logout). */
  async logout(actor: AuditActor, id: string): Promise<{ revokedSessions: number }> {
    if (!(await this.users.findById(this.db, actor.tenantId, id))) throw notFound();
    await this.refuseStronger(actor, id);
    const revokedSessions = await this.sessions.revokeUser(actor.tenantId, id);
    await this.audit.record(this.db, actor, {
      action: 'user.logout',
      targetType: 'user',
      targetId: id,
      after: { revokedSessions },
    });
    return { revokedSessions };
  }

  /** An admin acts only on users whose admin permissions it holds itself: otherwise `users:write`
   *  could reset a superadmin's password and log in as them. */
  private async refuseStronger(actor: AuditActor, id: string): Promise<void> {
    const held = actor.permissions ?? [];
    if (held.includes(ALL_PERMISSIONS)) return;
    const theirs = await this.users.permissionsOf(actor.tenantId, id);
    if (theirs.some((permission) => !held.includes(permission))) {
      throw new DomainError(
        ErrorCode.Forbidden,
        'The user holds admin permissions the caller does not hold',
      );
    }
  }

  private refuseSelf(actor: AuditActor, id: string): void {
    if (actor.actorId === id) {
      throw new DomainError(ErrorCode.Conflict, 'Admins cannot deactivate or delete themselves');
    }
  }

  private async viewOf(
    q: Queryable,
    tenantId: string,
    id: string,
    lock = false,
  ): Promise<AdminUserView> {
    const row = await this.users.findById(q, tenantId, id, lock);
    if (!row) throw notFound();
    return (await this.views(q, tenantId, [row]))[0];
  }

  private async views(
    q: Queryable,
    tenantId: string,
    rows: AdminUserRow[],
  ): Promise<AdminUserView[]> {
    const ids = rows.map((row) => row.id);
    const [grants, adminRoles] = await Promise.all([
      this.users.grantsOf(q, tenantId, ids),
      this.users.adminRolesOf(q, tenantId, ids),
    ]);
    return rows.map((row) => ({
      ...row,
      id: Number(row.id),
      roles: grants.get(row.id) ?? [],
      adminRoles: adminRoles.get(row.id) ?? [],
    }));
  }

  private async transaction<T>(work: (q: Queryable) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction((manager) => work(manager));
    } catch (error: unknown) {
      if (isUniqueViolation(error)) throw usernameTaken();
      throw error;
    }
  }
}

function mergeFields(current: AdminUserRow, dto: UpdateUserDto): UserFields {
  return {
    username: dto.username ?? current.username,
    email: dto.email === undefined ? current.email : dto.email,
    firstName: dto.firstName ?? current.firstName,
    lastName: dto.lastName ?? current.lastName,
    companyId: dto.companyId === undefined ? current.companyId : dto.companyId,
    employeeNumber: dto.employeeNumber === undefined ? current.employeeNumber : dto.employeeNumber,
    userType: dto.userType ?? current.userType,
    active: dto.active ?? current.active,
  };
}

function refuseMappedFields(dto: UpdateUserDto): void {
  const fields: FieldError[] = MAPPED_FIELDS.filter((field) => dto[field] !== undefined).map(
    (field) => ({ field, message: `${field} comes from the directory and is read-only` }),
  );
  if (fields.length > 0) {
    throw new DomainError(
      ErrorCode.Conflict,
      'Directory users are read-only in their mapped fields',
      fields,
    );
  }
}

function notFound(): DomainError {
  return new DomainError(ErrorCode.NotFound, 'User not found');
}

function usernameTaken(): DomainError {
  return new DomainError(ErrorCode.Conflict, 'Username already exists', [
    { field: 'username', message: 'username is already taken in this tenant' },
  ]);
}
