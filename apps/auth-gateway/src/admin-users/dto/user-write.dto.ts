import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';

const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;
const USERNAME_MESSAGE = 'username must be 1-64 letters, digits, . _ @ or -';
const PLAIN = /^[^\p{Cc}<>]*$/u;

/** `POST /api/v1/admin/users`: a local user, or, when the tenant's directory is writable, a user
 *  written to the directory first (seed 000's create_user). Roles, tenant and source are not
 *  fields: grants have their own routes and the tenant comes from the token. */
export class CreateUserDto {
  @IsString()
  @Matches(USERNAME, { message: USERNAME_MESSAGE })
  username!: string;

  @IsOptional()
  @IsString()
  @Length(8, 256, { message: 'password must be 8-256 characters' })
  password?: string;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(PLAIN, { message: 'firstName must not contain control characters or <>' })
  firstName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(PLAIN, { message: 'lastName must not contain control characters or <>' })
  lastName?: string;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Matches(/^[\w.-]{1,64}$/, { message: 'companyId must be 1-64 letters, digits, . _ or -' })
  companyId?: string | null;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Matches(/^[\w.-]{1,64}$/, { message: 'employeeNumber must be 1-64 letters, digits, . _ or -' })
  employeeNumber?: string | null;

  @IsOptional()
  @IsIn(['staff', 'employee'], { message: 'userType must be staff or employee' })
  userType?: 'staff' | 'employee';

  @IsOptional()
  @IsBoolean({ message: 'active must be a boolean' })
  active?: boolean;
}

/** `PUT /api/v1/admin/users/{id}`: every field optional. On a directory user the mapped fields
 *  (username, email, names, employee number) and the password are read-only unless the tenant's
 *  directory is writable; `active`, `userType` and `companyId` stay editable. */
export class UpdateUserDto {
  @IsOptional()
  @IsString()
  @Matches(USERNAME, { message: USERNAME_MESSAGE })
  username?: string;

  @IsOptional()
  @IsString()
  @Length(8, 256, { message: 'password must be 8-256 characters' })
  password?: string;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(PLAIN, { message: 'firstName must not contain control characters or <>' })
  firstName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(PLAIN, { message: 'lastName must not contain control characters or <>' })
  lastName?: string;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Matches(/^[\w.-]{1,64}$/, { message: 'companyId must be 1-64 letters, digits, . _ or -' })
  companyId?: string | null;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Matches(/^[\w.-]{1,64}$/, { message: 'employeeNumber must be 1-64 letters, digits, . _ or -' })
  employeeNumber?: string | null;

  @IsOptional()
  @IsIn(['staff', 'employee'], { message: 'userType must be staff or employee' })
  userType?: 'staff' | 'employee';

  @IsOptional()
  @IsBoolean({ message: 'active must be a boolean' })
  active?: boolean;
}
