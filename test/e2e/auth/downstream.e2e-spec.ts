import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import {
  type ApiEnvelope,
  RPC_PATTERNS,
  type RpcContract,
  type RpcPattern,
  type UserInfo,
} from '@gatehouse/contracts';
import { hashPassword } from '@gatehouse/crypto';
import {
  cookieHeader,
  grantRole,
  insertUser,
  login,
  setUserActive,
  withDatabase,
} from '@gatehouse/testing/auth-client';
import { type JsonResponse, request } from '@gatehouse/testing/http-client';
import { Suite } from '@gatehouse/testing/suite';

/** Seed 001's downstream API on the real gateway process, over HTTP and over Redis-RPC (same
 *  answers), and the admin API keys that guard the internal HDTS lookup. */

const ADMIN = 'admin';
const ADMIN_PASSWORD = 'Adm1n-e2e-downstream-Str0ng!';
const PASSWORD = 'Us3r-e2e-downstream-Str0ng!';
const ENV_API_KEY = randomBytes(24).toString('base64url');

interface UsersInfo {
  users: UserInfo[];
  not_found: number[];
}

interface PlainError {
  error: string;
  code: string;
}

interface CreatedKey {
  id: string;
  name: string;
  key: string;
}

describe('auth gateway: downstream API, RPC, RBAC and API keys', () => {
  let suite: Suite;
  let gateway: string;
  let rpc: ClientProxy;
  let adminToken: string;
  let viewerToken: string;
  const ids = { tech1: 0, tech2: 0, tech3: 0, retired: 0, viewer: 0, employee: 0 };

  const get = <T>(path: string, headers: Record<string, string> = {}): Promise<JsonResponse<T>> =>
    request<T>(`${gateway}${path}`, { headers });

  const post = <T>(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<JsonResponse<T>> =>
    request<T>(`${gateway}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  const asAdmin = (): Record<string, string> => ({ authorization: `Bearer ${adminToken}` });
  const asViewer = (): Record<string, string> => ({ authorization: `Bearer ${viewerToken}` });

  /** One Redis-RPC call in the `{meta, data}` envelope every Gatehouse payload travels in. */
  function call<P extends RpcPattern>(
    pattern: P,
    data: RpcContract[P]['request'],
  ): Promise<RpcContract[P]['reply']> {
    return callRaw(pattern, data) as Promise<RpcContract[P]['reply']>;
  }

  function callRaw(pattern: string, payload: unknown, wrap = true): Promise<unknown> {
    const message = wrap ? { meta: { requestId: `e2e-${randomUUID()}` }, data: payload } : payload;
    return firstValueFrom(rpc.send<unknown>(pattern, message).pipe(timeout(5000)));
  }

  /** The error an RPC call ends with (fails the test if it succeeds). */
  async function rpcError(pattern: string, payload: unknown, wrap = true): Promise<unknown> {
    try {
      await callRaw(pattern, payload, wrap);
    } catch (error: unknown) {
      return error;
    }
    throw new Error(`${pattern} succeeded`);
  }

  beforeAll(async () => {
    const passwordHash = await hashPassword(PASSWORD);
    suite = await Suite.start({
      label: 'auth-downstream',
      env: {
        GATEHOUSE_ADMIN_USERNAME: ADMIN,
        GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        GATEHOUSE_INTERNAL_API_KEYS: `hdts:${ENV_API_KEY}`,
      },
    });
    gateway = suite.apps['auth-gateway'].baseUrl;
    const db = suite.database.url;
    // Users first, grants afterwards in another order: the round robin must go by id.
    ids.tech1 = await insertUser(db, {
      username: 'tech.one',
      email: 'tech.one@example.com',
      firstName: 'Ada',
      lastName: 'One',
      companyId: 'MA0001',
    });
    ids.tech2 = await insertUser(db, { username: 'tech.two', firstName: 'Bo', lastName: 'Two' });
    ids.retired = await insertUser(db, { username: 'tech.retired', active: false });
    ids.tech3 = await insertUser(db, {
      username: 'tech.three',
      firstName: 'Cy',
      lastName: 'Three',
    });
    for (const id of [ids.tech3, ids.retired, ids.tech1, ids.tech2]) {
      await grantRole(db, id, 'TTS', 'Technician');
    }
    await grantRole(db, ids.tech1, 'AMS', 'User');
    ids.viewer = await insertUser(db, {
      username: 'viewer',
      passwordHash,
      roles: [{ system: 'TTS', role: 'User' }],
    });
    ids.employee = await insertUser(db, {
      username: 'emp.one',
      email: 'emp.one@example.com',
      firstName: 'Eve',
      lastName: 'Employee',
      companyId: 'MA0002',
      employeeNumber: 'E-1001',
      userType: 'employee',
      roles: [{ system: 'HDTS', role: 'Employee' }],
    });
    adminToken = (await login(gateway, ADMIN, ADMIN_PASSWORD)).accessToken;
    viewerToken = (await login(gateway, 'viewer', PASSWORD)).accessToken;
    // The RPC client logs its connection through Nest's default logger; keep the jest output quiet.
    Logger.overrideLogger(['error', 'warn']);
    rpc = ClientProxyFactory.create({
      transport: Transport.REDIS,
      options: { host: '127.0.0.1', port: suite.redis.port },
    });
    await rpc.connect();
  });

  afterAll(async () => {
    await rpc?.close();
    await suite?.stop();
  });

  const tech1Info = (): UserInfo => ({
    id: ids.tech1,
    email: 'tech.one@example.com',
    first_name: 'Ada',
    last_name: 'One',
    company_id: 'MA0001',
    systems: ['AMS', 'TTS'],
    roles: [
      { system: 'AMS', role: 'User' },
      { system: 'TTS', role: 'Technician' },
    ],
  });

  const tech2Info = (): UserInfo => ({
    id: ids.tech2,
    email: null,
    first_name: 'Bo',
    last_name: 'Two',
    company_id: null,
    systems: ['TTS'],
    roles: [{ system: 'TTS', role: 'Technician' }],
  });

  describe('GET /api/v1/tts/user-info/{id}/', () => {
    it("answers seed 001's user-info body, with a Bearer token or the access_token cookie", async () => {
      const bearer = await get<UserInfo>(`/api/v1/tts/user-info/${ids.tech1}/`, asAdmin());
      expect(bearer.status).toBe(200);
      expect(bearer.body).toEqual(tech1Info());
      const cookie = await get<UserInfo>(`/api/v1/tts/user-info/${ids.tech2}/`, {
        cookie: cookieHeader({ access_token: viewerToken }),
      });
      expect(cookie.status).toBe(200);
      expect(cookie.body).toEqual(tech2Info());
    });

    it('answers 404 for an unknown id, 400 for a non-numeric one, 401 without a token', async () => {
      const unknown = await get<PlainError>('/api/v1/tts/user-info/999999/', asAdmin());
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ error: 'User not found', code: 'NOT_FOUND' });
      const word = await get<PlainError>('/api/v1/tts/user-info/abc/', asAdmin());
      expect(word.status).toBe(400);
      expect(word.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      const anonymous = await get<PlainError>(`/api/v1/tts/user-info/${ids.tech1}/`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual({ error: 'Authentication required', code: 'UNAUTHENTICATED' });
    });

    it('answers 404 (not 500) for an id beyond the bigint range', async () => {
      const huge = await get<PlainError>('/api/v1/tts/user-info/99999999999999999999/', asAdmin());
      expect(huge.status).toBe(404);
      expect(huge.body).toEqual({ error: 'User not found', code: 'NOT_FOUND' });
      const overRpc = await rpcError(RPC_PATTERNS.auth.userInfo, { tenantId: '1', userId: 1e20 });
      expect(overRpc).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    });
  });

  describe('POST /api/v1/tts/users-info/', () => {
    it('answers the users in the order asked, and the unknown ids in not_found', async () => {
      const response = await post<UsersInfo>(
        '/api/v1/tts/users-info/',
        { user_ids: [ids.tech2, 999999, ids.tech1] },
        asAdmin(),
      );
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ users: [tech2Info(), tech1Info()], not_found: [999999] });
    });

    it('takes 1000 ids and refuses 1001 with 400', async () => {
      const thousand = Array.from({ length: 1000 }, (_, i) => 500000 + i);
      const ok = await post<UsersInfo>(
        '/api/v1/tts/users-info/',
        { user_ids: [ids.tech1, ...thousand.slice(1)] },
        asAdmin(),
      );
      expect(ok.status).toBe(200);
      expect(ok.body.users).toEqual([tech1Info()]);
      expect(ok.body.not_found).toHaveLength(999);

      const tooMany = await post<PlainError>(
        '/api/v1/tts/users-info/',
        { user_ids: [...thousand, 600000] },
        asAdmin(),
      );
      expect(tooMany.status).toBe(400);
      expect(tooMany.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(typeof tooMany.body.error).toBe('string');
    });

    it('refuses ids that are not positive integers, a missing list and unknown fields with 400', async () => {
      for (const body of [
        { user_ids: ['1'] },
        { user_ids: [1.5] },
        { user_ids: [-1] },
        { user_ids: 1 },
        {},
        { user_ids: [1], tenant_id: '2' },
      ]) {
        const response = await post<PlainError>('/api/v1/tts/users-info/', body, asAdmin());
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      }
    });

    it('answers an id beyond the bigint range as not found (not 500)', async () => {
      const response = await post<UsersInfo>(
        '/api/v1/tts/users-info/',
        { user_ids: [ids.tech1, 1e20] },
        asAdmin(),
      );
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ users: [tech1Info()], not_found: [1e20] });
    });
  });

  describe('round robin', () => {
    it('lists the active holders of a role in id order', async () => {
      const response = await get<{ user_ids: number[] }>(
        '/api/v1/tts/round-robin/?system=TTS&role=Technician',
        asAdmin(),
      );
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ user_ids: [ids.tech1, ids.tech2, ids.tech3] });
      const nobody = await get<{ user_ids: number[] }>(
        '/api/v1/tts/round-robin/?system=TTS&role=Admin',
        asAdmin(),
      );
      expect(nobody.body).toEqual({ user_ids: [] });
    });

    it('refuses a malformed query with 400', async () => {
      for (const query of ['?system=tts&role=Technician', '?system=TTS', '?role=Technician']) {
        const response = await get<PlainError>(`/api/v1/tts/round-robin/${query}`, asAdmin());
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      }
    });

    it('hands out the next assignee in turn over HTTP, and RPC continues the same cycle', async () => {
      const body = { system: 'TTS', role: 'Technician' };
      const turns: (number | null)[] = [];
      for (let i = 0; i < 4; i += 1) {
        const response = await post<{ user_id: number | null }>(
          '/api/v1/tts/round-robin/next/',
          body,
          asAdmin(),
        );
        expect(response.status).toBe(200);
        turns.push(response.body.user_id);
      }
      for (let i = 0; i < 2; i += 1) {
        const reply = await call(RPC_PATTERNS.auth.nextAssignee, { tenantId: '1', ...body });
        turns.push(reply.user_id);
      }
      expect(turns).toEqual([ids.tech1, ids.tech2, ids.tech3, ids.tech1, ids.tech2, ids.tech3]);

      const nobody = await post<{ user_id: number | null }>(
        '/api/v1/tts/round-robin/next/',
        { system: 'TTS', role: 'Admin' },
        asAdmin(),
      );
      expect(nobody.status).toBe(200);
      expect(nobody.body).toEqual({ user_id: null });
    });
  });

  describe('Redis-RPC answers like HTTP', () => {
    it('auth.validateToken', async () => {
      const http = await get<Record<string, unknown>>('/api/v1/users/token/validate/', asAdmin());
      expect(http.status).toBe(200);
      const reply = await call(RPC_PATTERNS.auth.validateToken, { token: adminToken });
      expect(reply).toEqual(http.body);
      expect(reply).toMatchObject({ username: ADMIN, token_use: 'access' });
    });

    it('auth.validateToken refuses an invalid token with UNAUTHENTICATED', async () => {
      for (const token of ['not.a.jwt', `${adminToken.slice(0, -4)}AAAA`, '']) {
        const error = await rpcError(RPC_PATTERNS.auth.validateToken, { token });
        expect(error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
      }
    });

    it('auth.userInfo and auth.usersInfo', async () => {
      const one = await call(RPC_PATTERNS.auth.userInfo, { tenantId: '1', userId: ids.tech1 });
      const http = await get<UserInfo>(`/api/v1/tts/user-info/${ids.tech1}/`, asAdmin());
      expect(one).toEqual(http.body);

      const missing = await rpcError(RPC_PATTERNS.auth.userInfo, { tenantId: '1', userId: 999999 });
      expect(missing).toMatchObject({ code: 'NOT_FOUND', status: 404 });

      const userIds = [ids.tech2, 999999, ids.tech1];
      const many = await call(RPC_PATTERNS.auth.usersInfo, { tenantId: '1', userIds });
      const httpMany = await post<UsersInfo>(
        '/api/v1/tts/users-info/',
        { user_ids: userIds },
        asAdmin(),
      );
      expect(many).toEqual(httpMany.body);
    });

    it('auth.usersByRole', async () => {
      const reply = await call(RPC_PATTERNS.auth.usersByRole, {
        tenantId: '1',
        system: 'TTS',
        role: 'Technician',
      });
      const http = await get<{ user_ids: number[] }>(
        '/api/v1/tts/round-robin/?system=TTS&role=Technician',
        asAdmin(),
      );
      expect(reply).toEqual(http.body);
      expect(reply).toEqual({ user_ids: [ids.tech1, ids.tech2, ids.tech3] });
    });

    it('auth.employee', async () => {
      const reply = await call(RPC_PATTERNS.auth.employee, { tenantId: '1', employeeId: 'E-1001' });
      const http = await get<Record<string, unknown>>('/api/v1/hdts/employees/internal/E-1001/', {
        'x-api-key': ENV_API_KEY,
      });
      expect(http.status).toBe(200);
      expect(reply).toEqual(http.body);
    });

    it('refuses a payload that is invalid or not in the {meta, data} envelope', async () => {
      const invalid = await rpcError(RPC_PATTERNS.auth.userInfo, { tenantId: '1', userId: 'x' });
      expect(invalid).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
      const extra = await rpcError(RPC_PATTERNS.auth.userInfo, {
        tenantId: '1',
        userId: ids.tech1,
        role: 'admin',
      });
      expect(extra).toMatchObject({ code: 'VALIDATION_FAILED' });
      const bare = await rpcError(RPC_PATTERNS.auth.validateToken, { token: adminToken }, false);
      expect(bare).toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  describe('admin API keys (RBAC)', () => {
    const keys = '/api/v1/admin/api-keys';
    let created: CreatedKey;

    it('answers 401 without a token and 403 to a user who is not an admin', async () => {
      const anonymous = await get<ApiEnvelope<null>>(keys);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toMatchObject({ code: 'UNAUTHENTICATED', data: null });

      const viewerList = await get<ApiEnvelope<null>>(keys, asViewer());
      expect(viewerList.status).toBe(403);
      expect(viewerList.body).toMatchObject({ code: 'FORBIDDEN', data: null });
      const viewerCreate = await post<ApiEnvelope<null>>(keys, { name: 'sneaky' }, asViewer());
      expect(viewerCreate.status).toBe(403);
      expect(viewerCreate.body).toMatchObject({ code: 'FORBIDDEN' });
      const viewerRevoke = await request<ApiEnvelope<null>>(`${gateway}${keys}/1`, {
        method: 'DELETE',
        headers: asViewer(),
      });
      expect(viewerRevoke.status).toBe(403);
    });

    it('lets an admin list the keys (the env key among them) without any key or hash', async () => {
      const response = await get<ApiEnvelope<Record<string, unknown>[]>>(keys, asAdmin());
      expect(response.status).toBe(200);
      expect(response.body.code).toBe('S');
      expect(response.body.data).toEqual([
        expect.objectContaining({ name: 'hdts', keyPrefix: ENV_API_KEY.slice(0, 8) }),
      ]);
      expect(response.text).not.toContain(ENV_API_KEY);
      expect(response.text).not.toContain(createHash('sha256').update(ENV_API_KEY).digest('hex'));

      const rows = await withDatabase(
        suite.database.url,
        async (client) =>
          (
            await client.query<Record<string, unknown>>(
              "SELECT * FROM api_keys WHERE name = 'hdts'",
            )
          ).rows,
      );
      expect(rows).toHaveLength(1);
      expect(String(rows[0]?.key_hash)).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(rows)).not.toContain(ENV_API_KEY);
    });

    it('creates a key shown once, stored hashed, that opens the HDTS employee lookup', async () => {
      const response = await post<ApiEnvelope<CreatedKey>>(keys, { name: 'tts-e2e' }, asAdmin());
      expect(response.status).toBe(201);
      expect(response.body.code).toBe('S');
      created = response.body.data;
      expect(created).toEqual({
        id: expect.any(String) as unknown,
        name: 'tts-e2e',
        key: expect.any(String) as unknown,
      });
      expect(created.key.length).toBeGreaterThanOrEqual(32);

      const rows = await withDatabase(
        suite.database.url,
        async (client) =>
          (
            await client.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [
              created.id,
            ])
          ).rows,
      );
      expect(rows).toHaveLength(1);
      const row = rows[0] ?? {};
      expect(String(row.key_hash)).toMatch(/^[0-9a-f]{64}$/);
      expect(row.key_hash).not.toBe(created.key);
      expect(JSON.stringify(row)).not.toContain(created.key);
      expect(row.tenant_id).toBe('1');

      const listed = await get<ApiEnvelope<unknown[]>>(keys, asAdmin());
      expect(listed.body.data).toHaveLength(2);
      expect(listed.text).not.toContain(created.key);

      const employee = await get<Record<string, unknown>>(
        '/api/v1/hdts/employees/internal/E-1001/',
        { 'x-api-key': created.key },
      );
      expect(employee.status).toBe(200);
      expect(employee.body).toEqual({
        id: ids.employee,
        email: 'emp.one@example.com',
        first_name: 'Eve',
        last_name: 'Employee',
        company_id: 'MA0002',
        systems: ['HDTS'],
        roles: [{ system: 'HDTS', role: 'Employee' }],
        employee_id: 'E-1001',
        username: 'emp.one',
        user_type: 'employee',
        active: true,
      });
      const unknown = await get<PlainError>('/api/v1/hdts/employees/internal/E-404/', {
        'x-api-key': created.key,
      });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ error: 'Employee not found', code: 'NOT_FOUND' });
      // Longer than any employee number: unknown, even when it starts with a real one.
      const longest = 'L'.repeat(64);
      await insertUser(suite.database.url, { username: 'emp.longest', employeeNumber: longest });
      const exact = await get<PlainError>(`/api/v1/hdts/employees/internal/${longest}/`, {
        'x-api-key': created.key,
      });
      expect(exact.status).toBe(200);
      const longer = await get<PlainError>(`/api/v1/hdts/employees/internal/${longest}X/`, {
        'x-api-key': created.key,
      });
      expect(longer.status).toBe(404);
      expect(longer.body).toEqual({ error: 'Employee not found', code: 'NOT_FOUND' });
    });

    it('ignores a tenant field in the create body (refused, nothing stored)', async () => {
      const response = await post<ApiEnvelope<null>>(
        keys,
        { name: 'other-tenant', tenant_id: '2', tenantId: '2' },
        asAdmin(),
      );
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      const count = await withDatabase(suite.database.url, async (client) =>
        Number(
          (
            await client.query<{ n: string }>(
              "SELECT count(*) AS n FROM api_keys WHERE name = 'other-tenant'",
            )
          ).rows[0]?.n,
        ),
      );
      expect(count).toBe(0);
    });

    it('revokes a key: it gets 401 afterwards', async () => {
      const revoked = await request<ApiEnvelope<null>>(`${gateway}${keys}/${created.id}`, {
        method: 'DELETE',
        headers: asAdmin(),
      });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ code: 'S', data: null });
      const row = await withDatabase(
        suite.database.url,
        async (client) =>
          (
            await client.query<{ revoked: boolean }>(
              'SELECT revoked_at IS NOT NULL AS revoked FROM api_keys WHERE id = $1',
              [created.id],
            )
          ).rows[0],
      );
      expect(row).toEqual({ revoked: true });

      const refused = await get<PlainError>('/api/v1/hdts/employees/internal/E-1001/', {
        'x-api-key': created.key,
      });
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({
        error: 'Invalid or missing API key',
        code: 'UNAUTHENTICATED',
      });
    });

    it('answers 404 to revoking a key that is already revoked or does not exist', async () => {
      for (const id of [created.id, '999999', 'abc']) {
        const response = await request<ApiEnvelope<null>>(`${gateway}${keys}/${id}`, {
          method: 'DELETE',
          headers: asAdmin(),
        });
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ code: 'NOT_FOUND', message: 'API key not found' });
      }
    });
  });

  describe('X-API-Key on the internal HDTS lookup', () => {
    const path = '/api/v1/hdts/employees/internal/E-1001/';
    const refused = { error: 'Invalid or missing API key', code: 'UNAUTHENTICATED' };

    it('accepts the key from GATEHOUSE_INTERNAL_API_KEYS', async () => {
      const response = await get<Record<string, unknown>>(path, { 'x-api-key': ENV_API_KEY });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: ids.employee, employee_id: 'E-1001' });
    });

    it('refuses a missing key, a too short one, or a user token instead of a key', async () => {
      for (const headers of [{}, { 'x-api-key': 'short' }, { 'x-api-key': '' }, asAdmin()]) {
        const response = await get<PlainError>(path, headers);
        expect(response.status).toBe(401);
        expect(response.body).toEqual(refused);
      }
    });

    it('refuses a valid key sent in the query string', async () => {
      for (const name of ['api_key', 'x-api-key', 'X-API-Key', 'apiKey']) {
        const response = await get<PlainError>(`${path}?${name}=${ENV_API_KEY}`);
        expect(response.status).toBe(401);
        expect(response.body).toEqual(refused);
      }
    });

    it('refuses a wrong key of a plausible length', async () => {
      const lastChar = ENV_API_KEY.endsWith('A') ? 'B' : 'A';
      for (const key of [
        `${ENV_API_KEY.slice(0, -1)}${lastChar}`,
        'x'.repeat(32),
        `ghk_${'0'.repeat(43)}`,
      ]) {
        const response = await get<PlainError>(path, { 'x-api-key': key });
        expect(response.status).toBe(401);
        expect(response.body).toEqual(refused);
      }
    });
  });

  describe('deactivation', () => {
    it('removes a deactivated user from the round robin, over HTTP and RPC', async () => {
      await setUserActive(suite.database.url, ids.tech2, false);
      const list = await get<{ user_ids: number[] }>(
        '/api/v1/tts/round-robin/?system=TTS&role=Technician',
        asAdmin(),
      );
      expect(list.body).toEqual({ user_ids: [ids.tech1, ids.tech3] });
      const reply = await call(RPC_PATTERNS.auth.usersByRole, {
        tenantId: '1',
        system: 'TTS',
        role: 'Technician',
      });
      expect(reply).toEqual({ user_ids: [ids.tech1, ids.tech3] });

      const turns: (number | null)[] = [];
      for (let i = 0; i < 4; i += 1) {
        const response = await post<{ user_id: number | null }>(
          '/api/v1/tts/round-robin/next/',
          { system: 'TTS', role: 'Technician' },
          asAdmin(),
        );
        turns.push(response.body.user_id);
      }
      expect(turns).not.toContain(ids.tech2);
      expect(new Set(turns)).toEqual(new Set([ids.tech1, ids.tech3]));
    });
  });
});
