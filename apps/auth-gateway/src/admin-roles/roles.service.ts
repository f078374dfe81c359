import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '@gatehouse/contracts';
import { isUniqueViolation } from '@gatehouse/persistence';
import { AdminUsersRepository } from '../admin-users/admin-users.repository';
import { AuditService } from '../audit/audit.service';
import type { AuditActor, Queryable } from '../audit/audit.types';
import { type RoleView, RolesRepository } from './roles.repository';

/** Roles per system and their grants to users. Every change and its audit record are one
 *  transaction. A grant shows in user-info at once and in the user's next token. */
@Injectable()
export class RolesService {
  constructor(
    private readonly roles: RolesRepository,
    private readonly users: AdminUsersRepository,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  list(tenantId: string, system?: string): Promise<RoleView[]> {
    return this.roles.list(tenantId, system);
  }

  async create(
    actor: AuditActor,
    input: { system: string; name: string; description?: string },
  ): Promise<RoleView> {
    return this.transaction(async (q) => {
      const systemId = await this.roles.systemId(q, actor.tenantId, input.system);
      if (!systemId) {
        throw new DomainError(ErrorCode.NotFound, 'System not found', [
          { field: 'system', message: `no system ${input.system} in this tenant` },
        ]);
      }
      const id = await this.roles.insert(
        q,
        actor.tenantId,
        systemId,
        input.name,
        input.description ?? '',
      );
      const role = await this.found(q, actor.tenantId, id);
      await this.audit.record(q, actor, {
        action: 'role.create',
        targetType: 'role',
        targetId: id,
        after: role,
      });
      return role;
    });
  }

  async update(
    actor: AuditActor,
    id: string,
    input: { name?: string; description?: string },
  ): Promise<RoleView> {
    return this.transaction(async (q) => {
      const before = await this.found(q, actor.tenantId, id);
      await this.roles.update(
        q,
        actor.tenantId,
        id,
        input.name ?? before.name,
        input.description ?? before.description,
      );
      const after = await this.found(q, actor.tenantId, id);
      await this.audit.record(q, actor, {
        action: 'role.update',
        targetType: 'role',
        targetId: id,
        before,
        after,
      });
      return after;
    });
  }

  /** A role somebody holds is removed only with `confirm=true`; its grants go with it. */
  async remove(actor: AuditActor, id: string, confirmed: boolean): Promise<void> {
    await this.transaction(async (q) => {
      const before = await this.found(q, actor.tenantId, id);
      if (before.holders > 0 && !confirmed) throw mustConfirm(before.holders);
      await this.roles.remove(q, actor.tenantId, id);
      await this.audit.record(q, actor, {
        action: 'role.delete',
        targetType: 'role',
        targetId: id,
        before,
      });
    });
  }

  async grant(actor: AuditActor, userId: string, roleId: string): Promise<RoleView> {
    return this.transaction(async (q) => {
      await this.userOf(q, actor.tenantId, userId);
      const role = await this.found(q, actor.tenantId, roleId);
      if (await this.roles.grant(q, actor.tenantId, userId, roleId)) {
        await this.audit.record(q, actor, {
          action: 'user.role_grant',
          targetType: 'user',
          targetId: userId,
          after: { roleId, system: role.system, role: role.name },
        });
      }
      return role;
    });
  }

  async revoke(actor: AuditActor, userId: string, roleId: string): Promise<void> {
    await this.transaction(async (q) => {
      await this.userOf(q, actor.tenantId, userId);
      const role = await this.found(q, actor.tenantId, roleId);
      if (!(await this.roles.revoke(q, actor.tenantId, userId, roleId))) {
        throw new DomainError(ErrorCode.NotFound, 'The user does not hold this role');
      }
      await this.audit.record(q, actor, {
        action: 'user.role_revoke',
        targetType: 'user',
        targetId: userId,
        before: { roleId, system: role.system, role: role.name },
      });
    });
  }

  private async found(q: Queryable, tenantId: string, id: string): Promise<RoleView> {
    const role = await this.roles.findById(q, tenantId, id);
    if (!role) throw new DomainError(ErrorCode.NotFound, 'Role not found');
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
        throw new DomainError(ErrorCode.Conflict, 'A role of that name already exists', [
          { field: 'name', message: 'name is already used in this system' },
        ]);
      }
      throw error;
    }
  }
}

export function mustConfirm(holders: number): DomainError {
  return new DomainError(
    ErrorCode.Conflict,
    `The role is held by ${holders} user(s); repeat with confirm=true to remove it`,
    [{ field: 'confirm', message: 'confirm=true is required to remove a role that is held' }],
    { holders },
  );
}
