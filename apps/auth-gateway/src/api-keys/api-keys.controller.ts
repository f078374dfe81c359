import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import {
  type AccessTokenClaims,
  type ApiEnvelope,
  DomainError,
  ErrorCode,
  PERMISSIONS,
  successEnvelope,
} from '@gatehouse/contracts';
import { randomToken } from '@gatehouse/crypto';
import { Caller, RequirePermission } from '../guards/auth.decorators';
import { ApiKeyRepository } from './api-key.repository';
import { CreateApiKeyDto } from './dto/create-api-key.dto';

/** Internal API keys, managed by admins: the key is shown once at creation and stored hashed. */
@Controller('api/v1/admin/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyRepository) {}

  @Get()
  @RequirePermission(PERMISSIONS.apiKeysRead)
  async list(@Caller() caller: AccessTokenClaims): Promise<ApiEnvelope<unknown[]>> {
    return successEnvelope(await this.keys.list(caller.tenant_id));
  }

  @Post()
  @RequirePermission(PERMISSIONS.apiKeysWrite)
  async create(
    @Caller() caller: AccessTokenClaims,
    @Body() body: CreateApiKeyDto,
  ): Promise<ApiEnvelope<{ id: string; name: string; key: string }>> {
    const key = `ghk_${randomToken(32)}`;
    const id = await this.keys.create(caller.tenant_id, body.name, key);
    return successEnvelope({ id, name: body.name, key });
  }

  @Delete(':id')
  @RequirePermission(PERMISSIONS.apiKeysWrite)
  async revoke(
    @Caller() caller: AccessTokenClaims,
    @Param('id') id: string,
  ): Promise<ApiEnvelope<null>> {
    if (!/^\d{1,18}$/.test(id) || !(await this.keys.revoke(caller.tenant_id, id))) {
      throw new DomainError(ErrorCode.NotFound, 'API key not found');
    }
    return successEnvelope(null);
  }
}
