import { IsInt, Matches, Max, Min } from 'class-validator';

export class GrantRoleDto {
  @IsInt({ message: 'roleId must be an integer' })
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  roleId!: number;
}

export class GrantAdminRoleDto {
  @IsInt({ message: 'adminRoleId must be an integer' })
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  adminRoleId!: number;
}

export class UserRoleParams {
  @Matches(/^[1-9]\d{0,17}$/, { message: 'id must be a positive integer' })
  id!: string;

  @Matches(/^[1-9]\d{0,17}$/, { message: 'roleId must be a positive integer' })
  roleId!: string;
}
