import { Controller, Get } from '@nestjs/common';
import {
  type ApiEnvelope,
  type Permission,
  PERMISSIONS,
  successEnvelope,
} from '@gatehouse/contracts';
import { RequirePermission } from '../guards/auth.decorators';

const DESCRIPTIONS: Record<Permission, string> = {
  'api-keys:read': 'List internal API keys',
  'api-keys:write': 'Create and revoke internal API keys',
  'users:read': 'Search and read users',
  'users:write': 'Create, edit, deactivate, delete and log out users',
  'roles:read': 'List roles, admin roles and permissions',
  'roles:write': 'Manage roles and admin roles and grant them',
  'ldap:read': 'Read the directory configuration, groups and sync history',
  'ldap:write': 'Configure the directory and run syncs',
  'integrations:read': 'Read client-API integrations',
  'integrations:write': 'Configure client-API integrations',
  'audit:read': 'Read the audit log',
  'applications:read': 'List OAuth client applications',
  'applications:write': 'Register, rotate and disable OAuth client applications',
  'system:read': 'Read the admin statistics',
};

export interface PermissionView {
  name: string;
  description: string;
}

/** The permissions are defined in code (`libs/contracts/src/auth/permissions.ts`); `*` holds all. */
@Controller('api/v1/admin/permissions')
export class PermissionsController {
  @Get()
  @RequirePermission(PERMISSIONS.rolesRead)
  list(): ApiEnvelope<PermissionView[]> {
    return successEnvelope([
      { name: '*', description: 'Every permission' },
      ...Object.values(PERMISSIONS).map((name) => ({ name, description: DESCRIPTIONS[name] })),
    ]);
  }
}
