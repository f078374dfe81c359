import { Injectable } from '@nestjs/common';
import {
  type AccessTokenClaims,
  DomainError,
  ErrorCode,
  type UserInfo,
} from '@gatehouse/contracts';
import { SessionService } from '../sessions/session.service';
import { TokenService } from '../tokens/token.service';
import { UserInfoService, toUserInfo } from '../users/user-info.service';
import { UserRepository } from '../users/user.repository';
import { RoundRobinStore } from './round-robin.store';

export interface EmployeeInfo extends UserInfo {
  employee_id: string;
  username: string;
  user_type: 'staff' | 'employee';
  active: boolean;
}

export interface UsersInfoAnswer {
  users: UserInfo[];
  not_found: number[];
}

/** The queries downstream services make (seed 001), shared by the HTTP and RPC transports so both
 *  answer the same. */
/** users.employee_number is varchar(64). */
const EMPLOYEE_NUMBER_MAX = 64;

@Injectable()
export class DownstreamService {
  constructor(
    private readonly tokens: TokenService,
    private readonly sessions: SessionService,
    private readonly userInfo: UserInfoService,
    private readonly users: UserRepository,
    private readonly roundRobin: RoundRobinStore,
  ) {}

  async validateToken(token: string | undefined): Promise<AccessTokenClaims> {
    if (!token) throw new DomainError(ErrorCode.Unauthenticated, 'Authentication required');
    const claims = await this.tokens.verify(token);
    if (!(await this.sessions.isActive(claims.sid))) {
      throw new DomainError(ErrorCode.Unauthenticated, 'Invalid token');
    }
    return claims;
  }

  async userInfoOf(tenantId: string, id: number): Promise<UserInfo> {
    const info = await this.userInfo.one(tenantId, String(id));
    if (!info) throw new DomainError(ErrorCode.NotFound, 'User not found');
    return info;
  }

  async usersInfoOf(tenantId: string, ids: number[]): Promise<UsersInfoAnswer> {
    const { users, notFound } = await this.userInfo.many(tenantId, ids.map(String));
    return { users, not_found: notFound.map(Number) };
  }

  async usersWithRole(
    tenantId: string,
    system: string,
    role: string,
  ): Promise<{ user_ids: number[] }> {
    const ids = await this.users.activeUserIdsWithRole(tenantId, system, role);
    return { user_ids: ids.map(Number) };
  }

  /** The next assignee in turn among the role's active users, or null when nobody holds it. */
  async nextAssignee(
    tenantId: string,
    system: string,
    role: string,
  ): Promise<{ user_id: number | null }> {
    const ids = await this.users.activeUserIdsWithRole(tenantId, system, role);
    if (ids.length === 0) return { user_id: null };
    const turn = await this.roundRobin.nextTurn(tenantId, system, role);
    return { user_id: Number(ids[(turn - 1) % ids.length]) };
  }

  async employee(tenantId: string, employeeId: string): Promise<EmployeeInfo> {
    // Longer than any stored employee number: unknown, never a prefix match.
    if (employeeId.length > EMPLOYEE_NUMBER_MAX) {
      throw new DomainError(ErrorCode.NotFound, 'Employee not found');
    }
    const user = await this.users.findByEmployeeNumber(tenantId, employeeId);
    if (!user) throw new DomainError(ErrorCode.NotFound, 'Employee not found');
    const grants = await this.users.grantsOf(tenantId, [user.id]);
    return {
      ...toUserInfo(user, grants.get(user.id) ?? []),
      employee_id: employeeId,
      username: user.username,
      user_type: user.userType,
      active: user.active,
    };
  }
}
