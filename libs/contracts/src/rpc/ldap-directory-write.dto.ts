import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';

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

/** `PUT /api/v1/admin/directory-write`: whether users created and edited through the admin API
 *  are written to the tenant's directory, and the object classes of the entries created. */
export class DirectoryWriteSettingsBodyDto {
  @IsBoolean({ message: 'writable must be a boolean' })
  writable!: boolean;

  @IsOptional()
  @IsArray({ message: 'userObjectClasses must be a list' })
  @ArrayMinSize(1)
  @ArrayMaxSize(16)
  @Matches(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, {
    each: true,
    message: 'userObjectClasses must be object class names such as inetOrgPerson',
  })
  userObjectClasses?: string[];
}

export class LdapSaveDirectoryWriteRequestDto extends DirectoryWriteSettingsBodyDto {
  @IsString()
  @Matches(TENANT_ID)
  tenantId!: string;

  /** Who changes it, from where: ldap-sync writes the audit row in the change's transaction. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  actorId?: string;

  @IsString()
  @MaxLength(256)
  actorName!: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  clientAddress?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  requestId?: string;
}

export interface DirectoryWriteSettingsView {
  writable: boolean;
  userObjectClasses: string[];
}
