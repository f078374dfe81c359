import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsPositive,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';

const TENANT = /^[A-Za-z0-9_-]{1,64}$/;

export class ValidateTokenRequestDto {
  @IsString()
  @MaxLength(8192)
  token!: string;
}

export class TenantUserRequestDto {
  @Matches(TENANT)
  tenantId!: string;

  @IsInt()
  @IsPositive()
  userId!: number;
}

export class TenantUsersRequestDto {
  @Matches(TENANT)
  tenantId!: string;

  @IsArray()
  @ArrayMaxSize(1000)
  @IsInt({ each: true })
  @IsPositive({ each: true })
  userIds!: number[];
}

export class RoleRequestDto {
  @Matches(TENANT)
  tenantId!: string;

  @Matches(/^[A-Z][A-Z0-9_]{0,31}$/)
  system!: string;

  @IsString()
  @MaxLength(100)
  role!: string;
}

export class EmployeeRequestDto {
  @Matches(TENANT)
  tenantId!: string;

  @IsString()
  @MaxLength(64)
  employeeId!: string;
}
