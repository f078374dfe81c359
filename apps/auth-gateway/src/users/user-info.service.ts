import { Injectable } from '@nestjs/common';
import type { RoleGrant, UserInfo } from '@gatehouse/contracts';
import { type UserRow, UserRepository } from './user.repository';

/** Builds seed 001's user-info body from users and their grants. */
@Injectable()
export class UserInfoService {
  constructor(private readonly users: UserRepository) {}

  async one(tenantId: string, id: string): Promise<UserInfo | undefined> {
    if (!isStorableId(id)) return undefined;
    // The grants are read alongside the user (none for an id that does not exist).
    const [user, grants] = await Promise.all([
      this.users.findById(tenantId, id),
      this.users.grantsOf(tenantId, [id]),
    ]);
    if (!user) return undefined;
    return toUserInfo(user, grants.get(user.id) ?? []);
  }

  /** In the order asked; ids that do not exist are returned separately, never dropped silently. */
  async many(tenantId: string, ids: string[]): Promise<{ users: UserInfo[]; notFound: string[] }> {
    const storable = [...new Set(ids)].filter(isStorableId);
    // Two queries side by side, not one after the other: ids that do not exist have no grants.
    const [rows, grants] = await Promise.all([
      this.users.findManyByIds(tenantId, storable),
      this.users.grantsOf(tenantId, storable),
    ]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    const users: UserInfo[] = [];
    const notFound: string[] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (row) users.push(toUserInfo(row, grants.get(id) ?? []));
      else notFound.push(id);
    }
    return { users, notFound };
  }
}

/** Ids beyond PostgreSQL's bigint cannot exist: they are not found, not a database error. */
function isStorableId(id: string): boolean {
  return /^[1-9]\d{0,17}$/.test(id);
}

export function toUserInfo(user: UserRow, roles: RoleGrant[]): UserInfo {
  return {
    id: Number(user.id),
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    company_id: user.companyId,
    systems: systemsOf(roles),
    roles,
  };
}

export function systemsOf(roles: RoleGrant[]): string[] {
  return [...new Set(roles.map((grant) => grant.system))];
}
