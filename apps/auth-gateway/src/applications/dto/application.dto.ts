import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  Validate,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';

export const GRANT_TYPES = ['client_credentials', 'authorization_code', 'refresh_token'] as const;
export const SCOPE = /^[a-z][a-z0-9:._-]{0,63}$/;

/** Redirect URIs are absolute https URLs without a fragment (RFC 6749 §3.1.2), or http on
 *  localhost for development tools. */
@ValidatorConstraint({ name: 'redirectUri' })
export class RedirectUriConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || value.length > 2000) return false;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return false;
    }
    if (url.hash !== '' || value.includes('#') || url.username || url.password) return false;
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  }

  defaultMessage(): string {
    return 'redirectUris must be https URLs without a fragment (http only on localhost)';
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;
const NAME_MESSAGE = 'name must be 1-100 letters, digits, spaces, . _ or -';

/** What registration and edits share: the lists are validated the same way in both. */
class ApplicationSettingsDto {
  @IsOptional()
  @IsArray({ message: 'grantTypes must be a list' })
  @ArrayMaxSize(3)
  @IsIn(GRANT_TYPES, { each: true, message: `grantTypes must be among ${GRANT_TYPES.join(', ')}` })
  grantTypes?: string[];

  @IsOptional()
  @IsArray({ message: 'scopes must be a list' })
  @ArrayMaxSize(50)
  @Matches(SCOPE, { each: true, message: 'scopes must be lower-case names such as users:read' })
  scopes?: string[];

  @IsOptional()
  @IsArray({ message: 'redirectUris must be a list' })
  @ArrayMaxSize(20)
  @Validate(RedirectUriConstraint, { each: true })
  redirectUris?: string[];
}

export class CreateApplicationDto extends ApplicationSettingsDto {
  @IsString()
  @Matches(NAME, { message: NAME_MESSAGE })
  name!: string;
}

/** `PUT /applications/{id}`: the fields given replace the stored ones (the secret and client id
 *  are not editable: rotate-secret issues a new secret). */
export class UpdateApplicationDto extends ApplicationSettingsDto {
  @IsOptional()
  @IsString()
  @Matches(NAME, { message: NAME_MESSAGE })
  name?: string;
}

export class ApplicationIdParam {
  @Matches(/^[1-9]\d{0,17}$/, { message: 'id must be a positive integer' })
  id!: string;
}
