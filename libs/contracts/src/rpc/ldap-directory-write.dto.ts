import { IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';

/** Writes to a tenant's directory when its LDAP config is set writable: seed 000's create_user
 *  (`ldap.users.create`) and the update of a directory user's mapped attributes
 *  (`ldap.users.update`). The gateway calls them before it stores the user. */
const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export class LdapCreateUserRequestDto {
  @IsString()
  @Matches(TENANT_ID)
  tenantId!: string;

  @IsString()
  @Matches(/^[A-Za-z0-9._@-]{1,64}$/)
  username!: string;

  @IsString()
  @MaxLength(200)
  firstName!: string;

  @IsString()
  @MaxLength(200)
  lastName!: string;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(320)
  email?: string | null;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(64)
  employeeNumber?: string | null;

  /** Stored in the directory as a salted SHA hash (`{SSHA}`), never in clear. */
  @IsOptional()
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  password?: string;
}

export interface LdapCreateUserReply {
  dn: string;
  entryUUID: string;
}

export class LdapUpdateUserRequestDto {
  @IsString()
  @Matches(TENANT_ID)
  tenantId!: string;

  @IsString()
  @MaxLength(2048)
  dn!: string;

  /** The user's name in Gatehouse: `cn` and `sn` fall back to it when the names are empty. */
  @IsString()
  @MaxLength(256)
  username!: string;

  @IsString()
  @MaxLength(200)
  firstName!: string;

  @IsString()
  @MaxLength(200)
  lastName!: string;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(320)
  email?: string | null;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(64)
  employeeNumber?: string | null;
}

export interface LdapUpdateUserReply {
  dn: string;
}
