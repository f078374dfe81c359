import type { UserInfo } from '@gatehouse/contracts';
import { insertUser, login, managementCaller } from '@gatehouse/testing/auth-client';
import { request } from '@gatehouse/testing/http-client';
import { Suite } from '@gatehouse/testing/suite';
import { decodeJwt } from '../auth/jwt-forge';

type FieldErrors = { errors?: { field: string; message: string }[] };

interface RoleView {
  id: string;
  system: string;
  name: string;
  description: string;
  holders: number;
}

interface AdminRoleView {
  id: string;
  name: string;
  permissions: string[];
  holders: number;
}

/** Roles per system, admin roles, grants and the permission list of seed 002, end to end: each
 *  grant shows in user-info and in the next token, each change is in the audit log, and an admin
 *  cannot hand out permissions it does not hold. */
describe('admin API: roles, admin roles, grants and permissions (seed 002)', () => {
  const ADMIN_PASSWORD = 'Adm1n-e2e-admin-roles!';
  const VIEWER_PASSWORD = 'Vi3wer-e2e-admin-roles!';
  const USER_PASSWORD = 'Us3r-e2e-admin-roles!';
  let suite: Suite;
  let gateway: string;
  let adminToken: string;
  let viewerToken: string;

  const call = managementCaller(
    () => gateway,
    '/api/v1/admin',
    () => adminToken,
  );
  const userInfo = async (id: number): Promise<UserInfo> =>
    (
      await request<UserInfo>(`${gateway}/api/v1/tts/user-info/${id}/`, {
        headers: { authorization: `Bearer ${adminToken}` },
      })
    ).body;
  const claimsOf = (token: string): Record<string, unknown> => decodeJwt(token).payload;

  beforeAll(async () => {
    suite = await Suite.start({
      label: 'admin-roles',
      env: {
        GATEHOUSE_ADMIN_USERNAME: 'admin',
        GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LOGIN_MAX_FAILURES: '50',
      },
    });
    gateway = suite.apps['auth-gateway'].baseUrl;
    await insertUser(suite.database.url, {
      username: 'viewer',
      password: VIEWER_PASSWORD,
      roles: [{ system: 'TTS', role: 'User' }],
    });
    adminToken = (await login(gateway, 'admin', ADMIN_PASSWORD)).accessToken;
    viewerToken = (await login(gateway, 'viewer', VIEWER_PASSWORD)).accessToken;
  });

  afterAll(async () => {
    await suite?.stop();
  });

  it('answers 401 without a token and 403 without the permission, on every route', async () => {
    const routes: [string, string, unknown][] = [
      ['GET', '/permissions', undefined],
      ['GET', '/roles', undefined],
      ['POST', '/roles', { system: 'TTS', name: 'Nope' }],
      ['PUT', '/roles/1', { description: 'x' }],
      ['DELETE', '/roles/1', undefined],
      ['GET', '/admin-roles', undefined],
      ['POST', '/admin-roles', { name: 'nope', permissions: [] }],
      ['PUT', '/admin-roles/1', { name: 'nope' }],
      ['DELETE', '/admin-roles/1', undefined],
      ['POST', '/users/1/roles', { roleId: 1 }],
      ['DELETE', '/users/1/roles/1', undefined],
      ['POST', '/users/1/admin-roles', { adminRoleId: 1 }],
      ['DELETE', '/users/1/admin-roles/1', undefined],
    ];
    for (const [method, path, body] of routes) {
      const anonymous = await call(method, path, body, '');
      expect([method, path, anonymous.status]).toEqual([method, path, 401]);
      const viewer = await call(method, path, body, viewerToken);
      expect([method, path, viewer.status, viewer.body.code]).toEqual([
        method,
        path,
        403,
        'FORBIDDEN',
      ]);
    }
  });

  it('lists the permissions defined in code', async () => {
    const response = await call<{ name: string; description: string }[]>('GET', '/permissions');
    expect(response.status).toBe(200);
    const names = response.body.data.map((permission) => permission.name);
    expect(names).toEqual(
      expect.arrayContaining(['*', 'users:read', 'users:write', 'roles:write', 'audit:read']),
    );
    for (const permission of response.body.data) expect(permission.description).not.toBe('');
  });

  it('grants and revokes a role: user-info and the next token follow, the audit log records it', async () => {
    const created = await call<{ id: number }>('POST', '/users', {
      username: 'role.holder',
      password: USER_PASSWORD,
      firstName: 'Role',
    });
    expect(created.status).toBe(201);
    const userId = created.body.data.id;
    const role = await call<RoleView>('POST', '/roles', {
      system: 'TTS',
      name: 'Reviewer',
      description: 'Reviews tickets',
    });
    expect(role.status).toBe(201);
    expect(role.body.data).toMatchObject({ system: 'TTS', name: 'Reviewer', holders: 0 });
    const roleId = Number(role.body.data.id);

    const granted = await call<RoleView>('POST', `/users/${userId}/roles`, { roleId });
    expect(granted.status).toBe(201);
    expect((await userInfo(userId)).roles).toEqual([{ system: 'TTS', role: 'Reviewer' }]);
    const token = (await login(gateway, 'role.holder', USER_PASSWORD)).accessToken;
    expect(claimsOf(token)).toMatchObject({
      systems: ['TTS'],
      roles: [{ system: 'TTS', role: 'Reviewer' }],
    });
    const listed = await call<RoleView[]>('GET', '/roles?system=TTS');
    expect(listed.body.data.find((item) => item.name === 'Reviewer')?.holders).toBe(1);

    const refused = await call<null>('DELETE', `/roles/${roleId}`);
    expect(refused.status).toBe(409);
    expect((refused.body.extensions as FieldErrors).errors?.[0]?.field).toBe('confirm');
    expect((await userInfo(userId)).roles).toHaveLength(1);

    const revoked = await call<null>('DELETE', `/users/${userId}/roles/${roleId}`);
    expect(revoked.status).toBe(200);
    expect((await userInfo(userId)).roles).toEqual([]);
    const next = (await login(gateway, 'role.holder', USER_PASSWORD)).accessToken;
    expect(claimsOf(next)).toMatchObject({ systems: [], roles: [] });
    expect((await call<null>('DELETE', `/users/${userId}/roles/${roleId}`)).status).toBe(404);

    const audit = await call<{ list: { action: string; after: unknown; before: unknown }[] }>(
      'GET',
      `/audit?targetType=user&targetId=${userId}`,
    );
    const actions = audit.body.data.list.map((row) => row.action);
    expect(actions).toEqual(
      expect.arrayContaining(['user.create', 'user.role_grant', 'user.role_revoke']),
    );
    const grantRow = audit.body.data.list.find((row) => row.action === 'user.role_grant');
    expect(grantRow?.after).toMatchObject({ system: 'TTS', role: 'Reviewer' });
  });

  it('edits a role and removes a held role only with confirm=true', async () => {
    const role = await call<RoleView>('POST', '/roles', { system: 'AMS', name: 'Auditor' });
    const id = role.body.data.id;
    const duplicate = await call<null>('POST', '/roles', { system: 'AMS', name: 'Auditor' });
    expect(duplicate.status).toBe(409);
    const unknownSystem = await call<null>('POST', '/roles', { system: 'NOPE', name: 'X' });
    expect(unknownSystem.status).toBe(404);
    const renamed = await call<RoleView>('PUT', `/roles/${id}`, { name: 'Asset Auditor' });
    expect(renamed.body.data).toMatchObject({ name: 'Asset Auditor', system: 'AMS' });
    const userId = await insertUser(suite.database.url, {
      username: 'asset.auditor',
      roles: [{ system: 'AMS', role: 'Asset Auditor' }],
    });
    expect((await call<null>('DELETE', `/roles/${id}?confirm=false`)).status).toBe(409);
    const removed = await call<null>('DELETE', `/roles/${id}?confirm=true`);
    expect(removed.status).toBe(200);
    expect((await userInfo(userId)).roles).toEqual([]);
    const audit = await call<{ list: { action: string }[] }>(
      'GET',
      `/audit?targetType=role&targetId=${id}`,
    );
    expect(audit.body.data.list.map((row) => row.action)).toEqual([
      'role.delete',
      'role.update',
      'role.create',
    ]);
  });

  it('admin roles: permissions reach the next token; nobody grants what they do not hold', async () => {
    const auditor = await call<AdminRoleView>('POST', '/admin-roles', {
      name: 'auditor',
      permissions: ['audit:read', 'audit:read'],
    });
    expect(auditor.status).toBe(201);
    expect(auditor.body.data).toMatchObject({ permissions: ['audit:read'], holders: 0 });
    const manager = await call<AdminRoleView>('POST', '/admin-roles', {
      name: 'role-manager',
      permissions: ['roles:read', 'roles:write'],
    });
    const userId = await insertUser(suite.database.url, {
      username: 'role.manager',
      password: USER_PASSWORD,
    });
    for (const role of [auditor, manager]) {
      const granted = await call<AdminRoleView>('POST', `/users/${userId}/admin-roles`, {
        adminRoleId: Number(role.body.data.id),
      });
      expect(granted.status).toBe(201);
    }
    const token = (await login(gateway, 'role.manager', USER_PASSWORD)).accessToken;
    expect(claimsOf(token).permissions).toEqual(['audit:read', 'roles:read', 'roles:write']);
    expect((await call('GET', '/audit', undefined, token)).status).toBe(200);
    expect((await call('GET', '/users/search', undefined, token)).status).toBe(403);

    const roles = await call<AdminRoleView[]>('GET', '/admin-roles');
    const superadmin = roles.body.data.find((role) => role.name === 'superadmin');
    expect(superadmin).toMatchObject({ permissions: ['*'], holders: 1 });
    const escalate = await call<null>(
      'POST',
      `/users/${userId}/admin-roles`,
      { adminRoleId: Number(superadmin?.id) },
      token,
    );
    expect(escalate.status).toBe(403);
    const wider = await call<null>(
      'POST',
      '/admin-roles',
      { name: 'wider', permissions: ['users:write'] },
      token,
    );
    expect(wider.status).toBe(403);
    const own = await call<AdminRoleView>(
      'POST',
      '/admin-roles',
      { name: 'reader', permissions: ['roles:read'] },
      token,
    );
    expect(own.status).toBe(201);
    expect((await call<null>('PUT', `/admin-roles/${superadmin?.id}`, { name: 'x' })).status).toBe(
      409,
    );
    expect((await call<null>('DELETE', `/admin-roles/${superadmin?.id}?confirm=true`)).status).toBe(
      409,
    );

    const held = await call<null>('DELETE', `/admin-roles/${auditor.body.data.id}`);
    expect(held.status).toBe(409);
    const edited = await call<AdminRoleView>('PUT', `/admin-roles/${auditor.body.data.id}`, {
      permissions: ['audit:read', 'users:read'],
    });
    expect(edited.body.data.permissions).toEqual(['audit:read', 'users:read']);
    const revoked = await call<null>(
      'DELETE',
      `/users/${userId}/admin-roles/${auditor.body.data.id}`,
    );
    expect(revoked.status).toBe(200);
    const after = (await login(gateway, 'role.manager', USER_PASSWORD)).accessToken;
    expect(claimsOf(after).permissions).toEqual(['roles:read', 'roles:write']);
    const removed = await call<null>('DELETE', `/admin-roles/${auditor.body.data.id}`);
    expect(removed.status).toBe(200);
  });

  it('answers 400 naming the field for bad input on each route', async () => {
    const cases: [string, string, unknown, string][] = [
      ['GET', '/roles?system=tts', undefined, 'system'],
      ['POST', '/roles', { name: 'X' }, 'system'],
      ['POST', '/roles', { system: 'TTS', name: '' }, 'name'],
      ['POST', '/roles', { system: 'TTS', name: 'X', tenantId: '2' }, 'tenantId'],
      ['PUT', '/roles/abc', { name: 'X' }, 'id'],
      ['PUT', '/roles/1', { name: '<script>' }, 'name'],
      ['DELETE', '/roles/1?confirm=yes', undefined, 'confirm'],
      ['POST', '/admin-roles', { name: 'x', permissions: ['root'] }, 'permissions'],
      ['POST', '/admin-roles', { name: 'x', permissions: 'audit:read' }, 'permissions'],
      ['POST', '/admin-roles', { permissions: [] }, 'name'],
      ['PUT', '/admin-roles/0', { name: 'x' }, 'id'],
      ['DELETE', '/admin-roles/x', undefined, 'id'],
      ['POST', '/users/1/roles', { roleId: '1' }, 'roleId'],
      ['POST', '/users/x/roles', { roleId: 1 }, 'id'],
      ['DELETE', '/users/1/roles/x', undefined, 'roleId'],
      ['POST', '/users/1/admin-roles', {}, 'adminRoleId'],
      ['DELETE', '/users/1/admin-roles/-1', undefined, 'roleId'],
    ];
    for (const [method, path, body, field] of cases) {
      const response = await call<null>(method, path, body);
      expect([method, path, response.status, response.body.code]).toEqual([
        method,
        path,
        400,
        'VALIDATION_FAILED',
      ]);
      const fields = (response.body.extensions as FieldErrors).errors?.map((error) => error.field);
      expect([path, fields]).toEqual([path, expect.arrayContaining([field])]);
    }
  });
});
