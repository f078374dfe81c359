import { Controller, Get, Query } from '@nestjs/common';
import {
  type AccessTokenClaims,
  type ApiEnvelope,
  PERMISSIONS,
  successEnvelope,
} from '@gatehouse/contracts';
import { Caller, RequirePermission } from '../guards/auth.decorators';
import { AuditRepository } from './audit.repository';
import type { AuditRecordView } from './audit.types';
import { AuditQueryDto } from './dto/audit-query.dto';

export interface AuditPage {
  total: string;
  page: number;
  size: number;
  list: AuditRecordView[];
}

/** The audit log of the caller's tenant, newest first. */
@Controller('api/v1/admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditRepository) {}

  @Get()
  @RequirePermission(PERMISSIONS.auditRead)
  async list(
    @Caller() caller: AccessTokenClaims,
    @Query() query: AuditQueryDto,
  ): Promise<ApiEnvelope<AuditPage>> {
    const page = Number(query.page ?? 1);
    const size = Number(query.size ?? 20);
    const result = await this.audit.page(
      caller.tenant_id,
      {
        action: query.action,
        targetType: query.targetType,
        targetId: query.targetId,
        actorId: query.actorId,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
      },
      page,
      size,
    );
    return successEnvelope({ total: String(result.total), page, size, list: result.list });
  }
}
