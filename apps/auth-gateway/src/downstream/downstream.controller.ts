import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import type { Request } from 'express';
import type { AccessTokenClaims, UserInfo } from '@gatehouse/contracts';
import { ApiKeyGuard, type ApiKeyRequest } from '../api-keys/api-key.guard';
import { Caller, Public } from '../guards/auth.decorators';
import { accessTokenOf } from '../guards/token-extractor';
import { DownstreamService, type EmployeeInfo, type UsersInfoAnswer } from './downstream.service';
import { RoleQueryDto, UsersInfoRequestDto } from './dto/users-info.dto';

/** Seed 001's downstream API, with its paths (trailing slashes included) and plain bodies. */
@Controller('api/v1')
export class DownstreamController {
  constructor(private readonly downstream: DownstreamService) {}

  @Public()
  @Get('users/token/validate/')
  validate(@Req() req: Request): Promise<AccessTokenClaims> {
    return this.downstream.validateToken(accessTokenOf(req));
  }

  @Get('tts/user-info/:id/')
  userInfo(
    @Caller() caller: AccessTokenClaims,
    @Param('id', ParseIntPipe) id: number,
  ): Promise<UserInfo> {
    return this.downstream.userInfoOf(caller.tenant_id, id);
  }

  @Post('tts/users-info/')
  @HttpCode(200)
  usersInfo(
    @Caller() caller: AccessTokenClaims,
    @Body() body: UsersInfoRequestDto,
  ): Promise<UsersInfoAnswer> {
    return this.downstream.usersInfoOf(caller.tenant_id, body.user_ids);
  }

  @Get('tts/round-robin/')
  roundRobin(
    @Caller() caller: AccessTokenClaims,
    @Query() query: RoleQueryDto,
  ): Promise<{ user_ids: number[] }> {
    return this.downstream.usersWithRole(caller.tenant_id, query.system, query.role);
  }

  @Post('tts/round-robin/next/')
  @HttpCode(200)
  nextAssignee(
    @Caller() caller: AccessTokenClaims,
    @Body() body: RoleQueryDto,
  ): Promise<{ user_id: number | null }> {
    return this.downstream.nextAssignee(caller.tenant_id, body.system, body.role);
  }

  @Public()
  @UseGuards(ApiKeyGuard)
  @Get('hdts/employees/internal/:employeeId/')
  employee(
    @Req() req: ApiKeyRequest,
    @Param('employeeId') employeeId: string,
  ): Promise<EmployeeInfo> {
    return this.downstream.employee(req.apiKey.tenantId, employeeId);
  }
}
