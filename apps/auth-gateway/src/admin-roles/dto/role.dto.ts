import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const SYSTEM = /^[A-Z][A-Z0-9_]{0,31}$/;
const SYSTEM_MESSAGE = 'system must be a system code such as TTS';
const ROLE_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,99}$/u;
const ROLE_NAME_MESSAGE = 'name must be 1-100 letters, digits, spaces, . _ or -';

export class RoleIdParam {
  @Matches(/^[1-9]\d{0,17}$/, { message: 'id must be a positive integer' })
  id!: string;
}

export class RoleListQuery {
  @IsOptional()
  @Matches(SYSTEM, { message: SYSTEM_MESSAGE })
  system?: string;
}

/** `DELETE ...?confirm=true`: removing a role that someone holds must be confirmed. */
export class ConfirmQuery {
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'confirm must be true or false' })
  confirm?: string;
}

export class CreateRoleDto {
  @IsString()
  @Matches(SYSTEM, { message: SYSTEM_MESSAGE })
  system!: string;

  @IsString()
  @Matches(ROLE_NAME, { message: ROLE_NAME_MESSAGE })
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;
}

export class UpdateRoleDto {
  @IsOptional()
  @IsString()
  @Matches(ROLE_NAME, { message: ROLE_NAME_MESSAGE })
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;
}
