import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { ALL_PERMISSIONS, PERMISSIONS } from '@gatehouse/contracts';

export const GRANTABLE_PERMISSIONS: string[] = [ALL_PERMISSIONS, ...Object.values(PERMISSIONS)];
const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;
const NAME_MESSAGE = 'name must be 1-100 letters, digits, spaces, . _ or -';

export class CreateAdminRoleDto {
  @IsString()
  @Matches(NAME, { message: NAME_MESSAGE })
  name!: string;

  @IsArray({ message: 'permissions must be a list' })
  @ArrayMaxSize(50)
  @IsIn(GRANTABLE_PERMISSIONS, {
    each: true,
    message: 'permissions must name permissions of GET /api/v1/admin/permissions',
  })
  permissions!: string[];
}

export class UpdateAdminRoleDto {
  @IsOptional()
  @IsString()
  @Matches(NAME, { message: NAME_MESSAGE })
  name?: string;

  @IsOptional()
  @IsArray({ message: 'permissions must be a list' })
  @ArrayMaxSize(50)
  @IsIn(GRANTABLE_PERMISSIONS, {
    each: true,
    message: 'permissions must name permissions of GET /api/v1/admin/permissions',
  })
  permissions?: string[];
}
