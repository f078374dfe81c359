import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ALL_PERMISSIONS, DomainError, ErrorCode } from '@gatehouse/contracts';
import { isUniqueViolation } from '@gatehouse/persistence';
import { AdminUsersRepository } from '../admin-users/admin-users.repository';
import { AuditService } from '../audit/audit.service';
import type { AuditActor, Queryable } from '../audit/audit.types';
import { type AdminRoleView, AdminRolesRepository } from './admin-roles.repository';
import { mustConfirm } from './roles.service';

/** Admin roles and their grants. An admin can hand out only permissions it holds itself (an
 *  admin with `roles:write` cannot make itself superadmin), and the `*` role of the bootstrap
 *  admin (`superadmin`) cannot be edited or removed through the API. */
@Injectable()
export class AdminRolesService {
  constructor(
    private readonly roles: AdminRolesRepository,
    private readonly users: AdminUsersRepository,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  list(tenantId: string): Promise<AdminRoleView[]> {
    return this.roles.list(tenantId);
  }

  async create(
    actor: AuditActor,
    held: string[],
    name: string,
    permissions: string[],
  ): Promise<AdminRoleView> {
    refuseEscalation(held, permissions);
    return this.transaction(async (q) => {
      const id = await this.roles.insert(q, actor.tenantId, name, unique(permissions));
      const role = await this.found(q, actor.tenantId, id);
      await this.audit.record(q, actor, {
        action: 'admin_role.create',
        targetType: 'admin_role',
        targetId: id,
        after: role,
      });
      return role;
    });
  }

  async update(
    actor: AuditActor,
    held: string[],
    id: string,
    input: { name?: string; permissions?: string[] },
  ): Promise<AdminRoleView> {
    if (input.permissions) refuseEscalation(held, input.permissions);
    return this.transaction(async (q) => {
      const before = await this.editable(q, actor.tenantId, id);
      refuseEscalation(held, before.permissions);
      await this.roles.update(
        q,
        actor.tenantId,
        id,
        input.name ?? before.name,
        unique(input.permissions ?? before.permissions),
      );
      const after = await this.found(q, actor.tenantId, id);
      await this.audit.record(q, actor, {
        action: 'admin_role.update',
        targetType: 'admin_role',
        targetId: id,
        before,
        after,
      });
      return after;
    });
  }

  async remove(actor: AuditActor, held: string[], id: string, confirmed: boolean): Promise<void> {
    await this.transaction(async (q) => {
      const before = await this.editable(q, actor.tenantId, id);
      refuseEscalation(held, before.permissions);
      if (before.holders > 0 && !confirmed) throw mustConfirm(before.holders);
      await this.roles.remove(q, actor.tenantId, id);
      await this.audit.record(q, actor, {
        action: 'admin_role.delete',
        targetType: 'admin_role',
        targetId: id,
        before,
      });
    });
  }

  async grant(
    actor: AuditActor,
    held: string[],
    userId: string,
    roleId: string,
  ): Promise<AdminRoleView> {
    return this.transaction(async (q) => {
      await this.userOf(q, actor.tenantId, userId);
      const role = await this.found(q, actor.tenantId, roleId);
      refuseEscalation(held, role.permissions);
      if (await this.roles.grant(q, userId, roleId)) {
        await this.audit.record(q, actor, {
          action: 'user.admin_role_grant',
          targetType: 'user',
          targetId: userId,
          after: { adminRoleId: roleId, name: role.name, permissions: role.permissions },
        });
      }
      return role;
    });
  }

  async revoke(actor: AuditActor, held: string[], userId: string, roleId: string): Promise<void> {
    await this.transaction(async (q) => {
      await this.userOf(q, actor.tenantId, userId);
      const role = await this.found(q, actor.tenantId, roleId);
      refuseEscalation(held, role.permissions);
      if (actor.actorId === userId) {
        throw new DomainError(ErrorCode.Conflict, 'Admins cannot revoke their own admin roles');
      }
      if (!(await this.roles.revoke(q, userId, roleId))) {
        throw new DomainError(ErrorCode.NotFound, 'The user does not hold this admin role');
      }
      await this.audit.record(q, actor, {
        action: 'user.admin_role_revoke',
        targetType: 'user',
        targetId: userId,
        before: { adminRoleId: roleId, name: role.name, permissions: role.permissions },
      });
    });
  }

  private async editable(q: Queryable, tenantId: string, id: string): Promise<AdminRoleView> {
    const role = await this.found(q, tenantId, id);
    if (role.name === 'superadmin') {
      throw new DomainError(ErrorCode.Conflict, 'The superadmin role cannot be changed or removed');
    }
    return role;
  }

  private async found(q: Queryable, tenantId: string, id: string): Promise<AdminRoleView> {
    const role = await this.roles.findById(q, tenantId, id);
    if (!role) throw new DomainError(ErrorCode.NotFound, 'Admin role not found');
    return role;
  }

  private async userOf(q: Queryable, tenantId: string, userId: string): Promise<void> {
    if (!(await this.users.findById(q, tenantId, userId))) {
      throw new DomainError(ErrorCode.NotFound, 'User not found');
    }
  }

  private async transaction<T>(work: (q: Queryable) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction((manager) => work(manager));
    } catch (error: unknown) {
      if (isUniqueViolation(error)) {
        throw new DomainError(ErrorCode.Conflict, 'An admin role of that name already exists', [
          { field: 'name', message: 'name is already used in this tenant' },
        ]);
      }
      throw error;
    }
  }
}

function refuseEscalation(held: string[], permissions: string[]): void {
  if (held.includes(ALL_PERMISSIONS)) return;
  const missing = permissions.filter((permission) => !held.includes(permission));
  if (missing.length > 0) {
    throw new DomainError(
      ErrorCode.Forbidden,
      `Only permissions the caller holds can be granted (missing: ${missing.join(', ')})`,
    );
  }
}

function unique(permissions: string[]): string[] {
  return [...new Set(permissions)].sort();
}
