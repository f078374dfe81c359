import type { UserSource, UserType } from '@gatehouse/persistence';

export interface AdminUserRow {
  id: string;
  username: string;
  source: UserSource;
  userType: UserType;
  email: string | null;
  firstName: string;
  lastName: string;
  companyId: string | null;
  employeeNumber: string | null;
  active: boolean;
  ldapDn: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface GrantView {
  roleId: string;
  system: string;
  role: string;
}

export interface AdminRoleGrantView {
  id: string;
  name: string;
}

/** A user as the admin API answers it (never a password hash). */
export interface AdminUserView extends Omit<AdminUserRow, 'id'> {
  id: number;
  roles: GrantView[];
  adminRoles: AdminRoleGrantView[];
}

export interface UserFields {
  username: string;
  email: string | null;
  firstName: string;
  lastName: string;
  companyId: string | null;
  employeeNumber: string | null;
  userType: UserType;
  active: boolean;
}

export interface UserSearch {
  keyword?: string;
  source?: UserSource;
  system?: string;
  role?: string;
  active?: boolean;
  sort: string;
  order: 'asc' | 'desc';
  page: number;
  size: number;
}

export interface UserSearchPage {
  /** A string, as the seed 003 pages answer it. */
  total: string;
  page: number;
  size: number;
  list: AdminUserView[];
}
