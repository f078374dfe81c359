import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  type AccessTokenClaims,
  EmployeeRequestDto,
  RoleRequestDto,
  RPC_PATTERNS,
  TenantUserRequestDto,
  TenantUsersRequestDto,
  type UserInfo,
  ValidateTokenRequestDto,
} from '@gatehouse/contracts';
import { RpcData } from '@gatehouse/platform';
import { DownstreamService, type EmployeeInfo, type UsersInfoAnswer } from './downstream.service';

/** The downstream queries over Redis-RPC for services inside the cluster: same service, same
 *  answers and errors as the HTTP routes. */
@Controller()
export class DownstreamRpcController {
  constructor(private readonly downstream: DownstreamService) {}

  @MessagePattern(RPC_PATTERNS.auth.validateToken)
  validate(@RpcData() request: ValidateTokenRequestDto): Promise<AccessTokenClaims> {
    return this.downstream.validateToken(request.token);
  }

  @MessagePattern(RPC_PATTERNS.auth.userInfo)
  userInfo(@RpcData() request: TenantUserRequestDto): Promise<UserInfo> {
    return this.downstream.userInfoOf(request.tenantId, request.userId);
  }

  @MessagePattern(RPC_PATTERNS.auth.usersInfo)
  usersInfo(@RpcData() request: TenantUsersRequestDto): Promise<UsersInfoAnswer> {
    return this.downstream.usersInfoOf(request.tenantId, request.userIds);
  }

  @MessagePattern(RPC_PATTERNS.auth.usersByRole)
  usersByRole(@RpcData() request: RoleRequestDto): Promise<{ user_ids: number[] }> {
    return this.downstream.usersWithRole(request.tenantId, request.system, request.role);
  }

  @MessagePattern(RPC_PATTERNS.auth.nextAssignee)
  nextAssignee(@RpcData() request: RoleRequestDto): Promise<{ user_id: number | null }> {
    return this.downstream.nextAssignee(request.tenantId, request.system, request.role);
  }

  @MessagePattern(RPC_PATTERNS.auth.employee)
  employee(@RpcData() request: EmployeeRequestDto): Promise<EmployeeInfo> {
    return this.downstream.employee(request.tenantId, request.employeeId);
  }
}
