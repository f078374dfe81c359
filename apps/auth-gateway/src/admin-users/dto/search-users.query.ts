import { IsIn, IsOptional, Matches, MaxLength } from 'class-validator';

export const USER_SORT_FIELDS = [
  'id',
  'username',
  'email',
  'firstName',
  'lastName',
  'createdAt',
  'updatedAt',
] as const;
export type UserSortField = (typeof USER_SORT_FIELDS)[number];

/** `GET /api/v1/admin/users/search`: keyword over username, name, email and employee number;
 *  filters by source, system (and role), active; sort and order; `page`/`size` paging. */
export class SearchUsersQuery {
  @IsOptional()
  @MaxLength(100, { message: 'keyword must be at most 100 characters' })
  keyword?: string;

  @IsOptional()
  @IsIn(['local', 'ldap'], { message: 'source must be local or ldap' })
  source?: string;

  @IsOptional()
  @Matches(/^[A-Z][A-Z0-9_]{0,31}$/, { message: 'system must be a system code such as TTS' })
  system?: string;

  @IsOptional()
  @Matches(/^[^\p{Cc}]{1,100}$/u, { message: 'role must be a role name of 1-100 characters' })
  role?: string;

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'active must be true or false' })
  active?: string;

  @IsOptional()
  @IsIn(USER_SORT_FIELDS, { message: `sort must be one of ${USER_SORT_FIELDS.join(', ')}` })
  sort?: string;

  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'order must be asc or desc' })
  order?: string;

  @IsOptional()
  @Matches(/^[1-9]\d{0,5}$/, { message: 'page must be a positive integer' })
  page?: string;

  @IsOptional()
  @Matches(/^([1-9]\d?|100)$/, { message: 'size must be an integer from 1 to 100' })
  size?: string;
}
