import type { UserInfo } from '@gatehouse/contracts';
import { hashPassword } from '@gatehouse/crypto';
import { insertUser, login, managementCaller, withDatabase } from '@gatehouse/testing/auth-client';
import { request } from '@gatehouse/testing/http-client';
import { waitFor } from '@gatehouse/testing/wait-for';
import { Suite } from '@gatehouse/testing/suite';
import { decodeJwt } from '../auth/jwt-forge';

type FieldErrors = { errors?: { field: string; message: string }[] };

interface UserView {
  id: number;
  username: string;
  source: string;
  email: string | null;
  firstName: string;
  lastName: string;
  employeeNumber: string | null;
  active: boolean;
  roles: { roleId: string; system: string; role: string }[];
}

interface SearchPage {
  total: string;
  page: number;
  size: number;
  list: UserView[];
}

interface AuditRow {
  action: string;
  targetId: string;
  actorName: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  clientAddress: string | null;
}

/** The admin user API of seed 002 end to end: search with filters, sort and paging, stats, user
 *  CRUD (local and directory users), the admin-side logout, and the audit log of each change. */
describe('admin API: users, stats and audit (seed 002)', () => {
  const ADMIN_PASSWORD = 'Adm1n-e2e-admin-users!';
  const VIEWER_PASSWORD = 'Vi3wer-e2e-admin-users!';
  const PASSWORD = 'Us3r-e2e-admin-users!';
  let suite: Suite;
  let gateway: string;
  let adminToken: string;
  let adminId: number;
  let viewerToken: string;
  let ldapUserId: number;

  const call = managementCaller(
    () => gateway,
    '/api/v1/admin',
    () => adminToken,
  );
  const userInfo = async (id: number): Promise<UserInfo> => {
    const response = await request<UserInfo>(`${gateway}/api/v1/tts/user-info/${id}/`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(response.status).toBe(200);
    return response.body;
  };
  const auditOf = async (targetId: number): Promise<AuditRow[]> => {
    const response = await call<{ list: AuditRow[] }>(
      'GET',
      `/audit?targetType=user&targetId=${targetId}&size=100`,
    );
    expect(response.status).toBe(200);
    return response.body.data.list;
  };

  beforeAll(async () => {
    suite = await Suite.start({
      label: 'admin-users',
      env: {
        GATEHOUSE_ADMIN_USERNAME: 'admin',
        GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LOGIN_MAX_FAILURES: '5',
        REFRESH_REUSE_GRACE_SECONDS: '0',
      },
    });
    gateway = suite.apps['auth-gateway'].baseUrl;
    const passwordHash = await hashPassword(PASSWORD);
    await insertUser(suite.database.url, {
      username: 'viewer',
      password: VIEWER_PASSWORD,
      roles: [{ system: 'TTS', role: 'User' }],
    });
    const people: [string, string, string, string, string, boolean, string][] = [
      ['alice.wong', 'Alice', 'Wong', 'alice@example.com', 'E1001', true, 'Technician'],
      ['bob.marley', 'Bob', 'Marley', 'bob@example.com', 'E1002', true, 'User'],
      ['carol_50%', 'Carol', 'Fifty', 'carol@corp.example', 'E2001', false, 'User'],
      ['dave', 'Dave', 'Wongsen', 'dave@example.com', 'X77', true, 'Technician'],
    ];
    for (const [username, firstName, lastName, email, employeeNumber, active, role] of people) {
      await insertUser(suite.database.url, {
        username,
        passwordHash,
        firstName,
        lastName,
        email,
        employeeNumber,
        active,
        roles: [{ system: 'TTS', role }],
      });
    }
    ldapUserId = await withDatabase(suite.database.url, async (client) => {
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO users (tenant_id, username, source, ldap_uuid, ldap_dn, email, first_name, last_name)
         VALUES ('1', 'zhangsan', 'ldap', 'uuid-zhangsan', 'uid=zhangsan,ou=users,dc=example,dc=com',
                 'zhangsan@example.com', 'San', 'Zhang') RETURNING id`,
      );
      return Number(inserted.rows[0]?.id);
    });
    const admin = await login(gateway, 'admin', ADMIN_PASSWORD);
    adminToken = admin.accessToken;
    adminId = admin.response.body.data.id;
    viewerToken = (await login(gateway, 'viewer', VIEWER_PASSWORD)).accessToken;
  });

  afterAll(async () => {
    await suite?.stop();
  });

  it('answers 401 without a token and 403 without the permission, on every route', async () => {
    const routes: [string, string, unknown][] = [
      ['GET', '/users/search', undefined],
      ['GET', `/users/${ldapUserId}`, undefined],
      ['POST', '/users', { username: 'nobody.rbac' }],
      ['PUT', `/users/${ldapUserId}`, { active: true }],
      ['DELETE', `/users/${ldapUserId}`, undefined],
      ['POST', `/users/${ldapUserId}/hard-delete`, undefined],
      ['POST', `/users/${ldapUserId}/logout`, undefined],
      ['GET', '/stats', undefined],
      ['GET', '/audit', undefined],
    ];
    for (const [method, path, body] of routes) {
      const anonymous = await call(method, path, body, '');
      expect([method, path, anonymous.status, anonymous.body.code]).toEqual([
        method,
        path,
        401,
        'UNAUTHENTICATED',
      ]);
      const viewer = await call(method, path, body, viewerToken);
      expect([method, path, viewer.status, viewer.body.code]).toEqual([
        method,
        path,
        403,
        'FORBIDDEN',
      ]);
    }
    const unchanged = await call<UserView>('GET', `/users/${ldapUserId}`);
    expect(unchanged.body.data.active).toBe(true);
  });

  it('searches by keyword over username, name, email and employee number', async () => {
    const names = async (query: string): Promise<string[]> => {
      const response = await call<SearchPage>(
        'GET',
        `/users/search?${query}&sort=username&order=asc`,
      );
      expect(response.status).toBe(200);
      return response.body.data.list.map((user) => user.username);
    };
    expect(await names('keyword=WONG')).toEqual(['alice.wong', 'dave']);
    expect(await names('keyword=corp.example')).toEqual(['carol_50%']);
    expect(await names('keyword=e100')).toEqual(['alice.wong', 'bob.marley']);
    expect(await names('keyword=alice%20wong')).toEqual(['alice.wong']);
    // LIKE wildcards in the keyword match themselves only.
    expect(await names('keyword=50%25')).toEqual(['carol_50%']);
    expect(await names('keyword=_')).toEqual(['carol_50%']);
    expect(await names('keyword=nobody-has-this')).toEqual([]);
  });

  it('filters by source, system, role and active, sorts, and pages with a total', async () => {
    const search = (query: string) => call<SearchPage>('GET', `/users/search?${query}`);
    const ldap = await search('source=ldap');
    expect(ldap.body.data.list.map((user) => user.username)).toEqual(['zhangsan']);
    const technicians = await search('system=TTS&role=Technician&sort=username&order=desc');
    expect(technicians.body.data.list.map((user) => user.username)).toEqual(['dave', 'alice.wong']);
    expect(technicians.body.data.list[0]?.roles).toEqual([
      expect.objectContaining({ system: 'TTS', role: 'Technician' }),
    ]);
    const inactive = await search('active=false');
    expect(inactive.body.data.list.map((user) => user.username)).toEqual(['carol_50%']);
    const all = await search('sort=username&order=asc&size=2&page=2');
    expect(all.status).toBe(200);
    // admin, alice.wong, bob.marley, carol_50%, dave, viewer, zhangsan
    expect(all.body.data).toMatchObject({ total: '7', page: 2, size: 2 });
    expect(all.body.data.list.map((user) => user.username)).toEqual(['bob.marley', 'carol_50%']);
    expect(all.body.data.list[0]).not.toHaveProperty('passwordHash');
  });

  it('answers 400 naming the field for bad search input', async () => {
    const cases: [string, string][] = [
      ['size=0', 'size'],
      ['size=101', 'size'],
      ['page=-1', 'page'],
      ['sort=password_hash', 'sort'],
      ['order=sideways', 'order'],
      ['active=maybe', 'active'],
      ['source=ad', 'source'],
      ['system=tts', 'system'],
      [`keyword=${'x'.repeat(101)}`, 'keyword'],
      ['tenant=2', 'tenant'],
    ];
    for (const [query, field] of cases) {
      const response = await call<null>('GET', `/users/search?${query}`);
      expect([query, response.status, response.body.code]).toEqual([
        query,
        400,
        'VALIDATION_FAILED',
      ]);
      const fields = (response.body.extensions as FieldErrors).errors?.map((error) => error.field);
      expect([query, fields]).toEqual([query, expect.arrayContaining([field])]);
    }
  });

  it('creates, edits and deactivates a local user; each change reaches user-info, the next token and the audit log', async () => {
    const created = await call<UserView>('POST', '/users', {
      username: 'new.hire',
      password: 'N3w-hire-password!',
      email: 'new.hire@example.com',
      firstName: 'New',
      lastName: 'Hire',
      employeeNumber: 'E9001',
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      username: 'new.hire',
      source: 'local',
      active: true,
    });
    expect(created.body.data).not.toHaveProperty('password');
    const id = created.body.data.id;
    expect(await userInfo(id)).toMatchObject({ email: 'new.hire@example.com', first_name: 'New' });
    const firstLogin = await login(gateway, 'new.hire', 'N3w-hire-password!');
    expect(firstLogin.response.body.data.first_name).toBe('New');

    const duplicate = await call<null>('POST', '/users', { username: 'NEW.HIRE' });
    expect(duplicate.status).toBe(409);

    const edited = await call<UserView>('PUT', `/users/${id}`, {
      firstName: 'Renamed',
      email: 'renamed@example.com',
    });
    expect(edited.status).toBe(200);
    expect(await userInfo(id)).toMatchObject({
      email: 'renamed@example.com',
      first_name: 'Renamed',
    });
    const secondLogin = await login(gateway, 'new.hire', 'N3w-hire-password!');
    expect(secondLogin.response.body.data.first_name).toBe('Renamed');

    const deactivated = await call<UserView>('DELETE', `/users/${id}`);
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.data.active).toBe(false);
    // Its sessions ended: the access token and the refresh token stop working at once.
    const me = await request(`${gateway}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${secondLogin.accessToken}` },
    });
    expect(me.status).toBe(401);
    const refresh = await request(`${gateway}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: secondLogin.refreshToken }),
    });
    expect(refresh.status).toBe(401);
    const relogin = await request(`${gateway}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'new.hire', password: 'N3w-hire-password!' }),
    });
    expect(relogin.status).toBe(401);

    const audit = (await auditOf(id)).filter((row) => row.action.startsWith('user.'));
    // Logins are in the log too, with the user as their target (written in batches, soon after).
    await waitFor('both logins in the audit log', async () =>
      (await auditOf(id)).filter((row) => row.action === 'auth.login').length === 2
        ? true
        : undefined,
    );
    expect(audit.map((row) => row.action)).toEqual([
      'user.deactivate',
      'user.update',
      'user.create',
    ]);
    const [deactivation, update, creation] = audit;
    expect(creation?.after).toMatchObject({ username: 'new.hire', password: '******' });
    expect(JSON.stringify(audit)).not.toContain('N3w-hire-password!');
    expect(update?.before).toMatchObject({ firstName: 'New' });
    expect(update?.after).toMatchObject({ firstName: 'Renamed' });
    expect(deactivation).toMatchObject({
      actorName: 'admin',
      before: { active: true },
      after: { active: false },
    });
    expect(deactivation?.clientAddress).toMatch(/127\.0\.0\.1/);

    const stillActive = await call<null>('POST', `/users/${ldapUserId}/hard-delete`);
    expect(stillActive.status).toBe(409);
    const purged = await call<null>('POST', `/users/${id}/hard-delete`);
    expect(purged.status).toBe(200);
    expect((await call<null>('GET', `/users/${id}`)).status).toBe(404);
    expect((await auditOf(id))[0]?.action).toBe('user.delete');
  });

  it('one user through its life: created, edited, granted a role, deactivated; user-info, the next token and the audit log follow each step', async () => {
    const refreshed = async (refreshToken: string) => {
      const response = await request<{ data: { access_token: string; refresh_token: string } }>(
        `${gateway}/api/v1/auth/refresh`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refresh_token: refreshToken }),
        },
      );
      return response;
    };
    const created = await call<UserView>('POST', '/users', {
      username: 'life.cycle',
      password: PASSWORD,
      firstName: 'Life',
      email: 'life@example.com',
    });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    expect(await userInfo(id)).toMatchObject({ first_name: 'Life', roles: [] });
    const session = await login(gateway, 'life.cycle', PASSWORD);
    expect(decodeJwt(session.accessToken).payload).toMatchObject({
      username: 'life.cycle',
      roles: [],
    });

    const edited = await call<UserView>('PUT', `/users/${id}`, {
      username: 'life.cycle2',
      firstName: 'Lively',
    });
    expect(edited.status).toBe(200);
    expect(await userInfo(id)).toMatchObject({ first_name: 'Lively' });
    const afterEdit = await refreshed(session.refreshToken);
    expect(afterEdit.status).toBe(200);
    expect(decodeJwt(afterEdit.body.data.access_token).payload).toMatchObject({
      username: 'life.cycle2',
    });

    const roles = await call<{ id: string; system: string; name: string }[]>(
      'GET',
      '/roles?system=HDTS',
    );
    const agent = roles.body.data.find((role) => role.name === 'Agent');
    const granted = await call('POST', `/users/${id}/roles`, { roleId: Number(agent?.id) });
    expect(granted.status).toBe(201);
    expect((await userInfo(id)).roles).toEqual([{ system: 'HDTS', role: 'Agent' }]);
    const afterGrant = await refreshed(afterEdit.body.data.refresh_token);
    expect(decodeJwt(afterGrant.body.data.access_token).payload).toMatchObject({
      systems: ['HDTS'],
      roles: [{ system: 'HDTS', role: 'Agent' }],
    });

    const deactivated = await call<UserView>('DELETE', `/users/${id}`);
    expect(deactivated.body.data.active).toBe(false);
    // No further token: the session is gone and a new login is refused.
    expect((await refreshed(afterGrant.body.data.refresh_token)).status).toBe(401);
    const relogin = await request(`${gateway}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'life.cycle2', password: PASSWORD }),
    });
    expect(relogin.status).toBe(401);
    const validate = await request(`${gateway}/api/v1/users/token/validate/`, {
      headers: { authorization: `Bearer ${afterGrant.body.data.access_token}` },
    });
    expect(validate.status).toBe(401);

    const actions = (await auditOf(id))
      .map((row) => row.action)
      .filter((action) => action.startsWith('user.'));
    expect(actions).toEqual(['user.deactivate', 'user.role_grant', 'user.update', 'user.create']);
  });

  it('answers 400 naming the field for bad create and update bodies', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/users', { username: 'bad name!' }, 'username'],
      ['POST', '/users', {}, 'username'],
      ['POST', '/users', { username: 'ok.name', email: 'not-an-email' }, 'email'],
      ['POST', '/users', { username: 'ok.name', password: 'short' }, 'password'],
      ['POST', '/users', { username: 'ok.name', roles: ['Admin'] }, 'roles'],
      ['POST', '/users', { username: 'ok.name', tenantId: '2' }, 'tenantId'],
      ['POST', '/users', { username: 'ok.name', userType: 'robot' }, 'userType'],
      ['PUT', `/users/${ldapUserId}`, { active: 'yes' }, 'active'],
      ['PUT', `/users/${ldapUserId}`, { source: 'local' }, 'source'],
      ['PUT', '/users/abc', { active: true }, 'id'],
      ['DELETE', '/users/0', undefined, 'id'],
      ['POST', '/users/1x/logout', undefined, 'id'],
      ['POST', '/users/-5/hard-delete', undefined, 'id'],
      ['GET', '/audit?size=1000', undefined, 'size'],
      ['GET', '/audit?from=yesterday', undefined, 'from'],
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
    const missing = await call<null>('PUT', '/users/999999', { active: true });
    expect(missing.status).toBe(404);
  });

  it('keeps a directory user read-only in its mapped fields but lets roles and active change', async () => {
    const refused = await call<null>('PUT', `/users/${ldapUserId}`, {
      email: 'other@example.com',
      firstName: 'Other',
    });
    expect(refused.status).toBe(409);
    const fields = (refused.body.extensions as FieldErrors).errors?.map((error) => error.field);
    expect(fields).toEqual(['email', 'firstName']);
    const password = await call<null>('PUT', `/users/${ldapUserId}`, { password: 'Some-passw0rd' });
    expect(password.status).toBe(409);
    const off = await call<UserView>('PUT', `/users/${ldapUserId}`, { active: false });
    expect(off.status).toBe(200);
    expect(off.body.data).toMatchObject({ active: false, email: 'zhangsan@example.com' });
    const on = await call<UserView>('PUT', `/users/${ldapUserId}`, { active: true });
    expect(on.body.data.active).toBe(true);
  });

  it('lets a user admin act only on users whose admin permissions it holds', async () => {
    const role = await call<{ id: string }>('POST', '/admin-roles', {
      name: 'user-admin',
      permissions: ['users:read', 'users:write'],
    });
    const managerId = await insertUser(suite.database.url, {
      username: 'user.manager',
      password: PASSWORD,
    });
    const granted = await call('POST', `/users/${managerId}/admin-roles`, {
      adminRoleId: Number(role.body.data.id),
    });
    expect(granted.status).toBe(201);
    const token = (await login(gateway, 'user.manager', PASSWORD)).accessToken;
    const takeover = await call<null>(
      'PUT',
      `/users/${adminId}`,
      { password: 'Taken-0ver!' },
      token,
    );
    expect([takeover.status, takeover.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await call('DELETE', `/users/${adminId}`, undefined, token)).status).toBe(403);
    expect((await call('POST', `/users/${adminId}/logout`, undefined, token)).status).toBe(403);
    // The admin can still log in with its own password.
    await login(gateway, 'admin', ADMIN_PASSWORD);
    const plain = await call<UserView>('PUT', `/users/${ldapUserId}`, { active: true }, token);
    expect(plain.status).toBe(200);
  });

  it('refuses to let an admin deactivate itself', async () => {
    const response = await call<null>('DELETE', `/users/${adminId}`);
    expect(response.status).toBe(409);
  });

  it('logs a user out everywhere from the admin side', async () => {
    const one = await login(gateway, 'bob.marley', PASSWORD);
    const two = await login(gateway, 'bob.marley', PASSWORD);
    const bob = await call<SearchPage>('GET', '/users/search?keyword=bob.marley');
    const id = bob.body.data.list[0]?.id ?? 0;
    const response = await call<{ revokedSessions: number }>('POST', `/users/${id}/logout`);
    expect(response.status).toBe(200);
    expect(response.body.data.revokedSessions).toBeGreaterThanOrEqual(2);
    for (const session of [one, two]) {
      const me = await request(`${gateway}/api/v1/auth/me`, {
        headers: { authorization: `Bearer ${session.accessToken}` },
      });
      expect(me.status).toBe(401);
    }
    expect((await auditOf(id))[0]).toMatchObject({ action: 'user.logout' });
  });

  it('records lockouts and the revocation of a session family in the audit log', async () => {
    const attempt = (password: string) =>
      request(`${gateway}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'dave', password }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await attempt('not-his-password')).status);
    expect(statuses).toContain(429);
    const lockout = await waitFor('the lockout in the audit log', async () => {
      const lockouts = await call<{ list: AuditRow[] }>('GET', '/audit?action=auth.lockout');
      return lockouts.body.data.list[0];
    });
    expect(lockout).toMatchObject({ actorName: 'dave', targetId: 'dave' });

    const session = await login(gateway, 'alice.wong', PASSWORD);
    const refresh = (token: string) =>
      request<{ data: { refresh_token: string } }>(`${gateway}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: token }),
      });
    expect((await refresh(session.refreshToken)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await refresh(session.refreshToken)).status).toBe(401);
    const alice = await call<SearchPage>('GET', '/users/search?keyword=alice.wong');
    const aliceId = String(alice.body.data.list[0]?.id);
    const revoked = await waitFor('the revocation in the audit log', async () => {
      const page = await call<{ list: AuditRow[] }>(
        'GET',
        '/audit?action=auth.session_family_revoked',
      );
      return page.body.data.list[0];
    });
    expect(revoked).toMatchObject({
      targetId: aliceId,
      after: { reason: 'refresh token reuse' },
    });
  });

  it('answers the stats of the tenant', async () => {
    await request(`${gateway}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice.wong', password: 'wrong-password' }),
    });
    const failedLogin = await waitFor('the failed login in the audit log', async () => {
      const failed = await call<{ list: AuditRow[] }>('GET', '/audit?action=auth.login_failed');
      return failed.body.data.list.find((row) => row.actorName === 'alice.wong');
    });
    expect(failedLogin).toMatchObject({ actorName: 'alice.wong', targetId: 'alice.wong' });
    // Integrations: one project without a config, one webhook project whose last call failed.
    const projects = managementCaller(
      () => gateway,
      '/api/v1/projects',
      () => adminToken,
    );
    for (const slug of ['stats-bare', 'stats-hook']) {
      expect((await projects('POST', '', { slug, name: slug })).status).toBe(201);
    }
    const configured = await projects('PUT', '/stats-hook/integration', {
      api_base_url: 'http://127.0.0.1:9',
      status_endpoint: '/units',
      update_method: 'webhook',
    });
    expect(configured.status).toBe(200);
    await withDatabase(suite.database.url, (client) =>
      client.query(
        "UPDATE integration_projects SET last_error = 'Connection refused' WHERE slug = 'stats-hook'",
      ),
    );
    const response = await call<{
      users: { total: number; active: number; inactive: number; bySource: Record<string, unknown> };
      sessions: { active: number };
      logins: { last24h: { succeeded: number; failed: number; lockouts: number } };
      lastSync: unknown;
      integrations: unknown;
    }>('GET', '/stats');
    expect(response.status).toBe(200);
    const counts = await withDatabase(suite.database.url, async (client) => {
      const rows = await client.query<{ total: number; active: number }>(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE active)::int AS active FROM users`,
      );
      return rows.rows[0];
    });
    expect(response.body.data.users).toMatchObject({
      total: counts?.total,
      active: counts?.active,
      bySource: { ldap: { total: 1, active: 1, inactive: 0 } },
    });
    expect(response.body.data.sessions.active).toBeGreaterThanOrEqual(2);
    expect(response.body.data.logins.last24h.succeeded).toBeGreaterThanOrEqual(4);
    expect(response.body.data.logins.last24h.failed).toBeGreaterThanOrEqual(1);
    expect(response.body.data.lastSync).toBeNull();
    expect(response.body.data.integrations).toEqual({
      total: 2,
      unconfigured: 1,
      healthy: 0,
      failing: 1,
      byMethod: { polling: 0, sse: 0, webhook: 1 },
    });
  });
});
