import { IsISO8601, IsOptional, Matches } from 'class-validator';

/** `GET /api/v1/admin/audit?page&size&action&targetType&targetId&actorId&from&to`. */
export class AuditQueryDto {
  @IsOptional()
  @Matches(/^[1-9]\d{0,5}$/, { message: 'page must be a positive integer' })
  page?: string;

  @IsOptional()
  @Matches(/^([1-9]\d?|100)$/, { message: 'size must be an integer from 1 to 100' })
  size?: string;

  @IsOptional()
  @Matches(/^[a-z_.-]{1,64}$/, { message: 'action must be an action name such as user.create' })
  action?: string;

  @IsOptional()
  @Matches(/^[a-z_-]{1,32}$/, { message: 'targetType must be a name such as user or role' })
  targetType?: string;

  @IsOptional()
  @Matches(/^[\w.@:-]{1,128}$/, { message: 'targetId must be 1-128 plain characters' })
  targetId?: string;

  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'actorId must be a user id' })
  actorId?: string;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;
}
