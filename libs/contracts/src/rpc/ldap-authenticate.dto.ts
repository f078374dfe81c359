import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** `ldap.authenticate`: search the tenant's directory for the username, then bind as the entry
 *  found. The password is checked for emptiness by the handler (an empty password never reaches
 *  a bind), not here, so the failure looks like any other failed login. */
export class LdapAuthenticateRequestDto {
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  tenantId!: string;

  @IsString()
  @MaxLength(256)
  username!: string;

  @IsString()
  @MaxLength(1024)
  password!: string;

  /** Also read the entry's groups (one more search); a login leaves it out, since the roles of
   *  its token come from the memberships the sync stored. */
  @IsOptional()
  @IsBoolean()
  includeGroups?: boolean;
}

/** Gatehouse's view of a directory entry, through the tenant's field mapping. */
export interface LdapMappedUser {
  username: string;
  name: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  department: string | null;
  title: string | null;
  employeeNumber: string | null;
}

export interface LdapAuthenticateReply {
  authenticated: true;
  userDN: string;
  /** entryUUID (OpenLDAP) or objectGUID (Active Directory, as a UUID string). */
  entryUUID: string;
  mapped: LdapMappedUser;
  /** The raw mapped attributes, as seed 003's test-auth answers them. */
  attributes: Record<string, string | string[]>;
  /** DNs of the groups the entry belongs to (direct membership); only when `includeGroups`. */
  groups?: string[];
}
