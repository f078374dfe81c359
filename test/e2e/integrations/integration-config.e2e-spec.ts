import { readFileSync } from 'node:fs';
import type { IntegrationConfigView, ProjectView, TestConnectionView } from '@gatehouse/contracts';
import { insertUser, login, managementCaller, withDatabase } from '@gatehouse/testing/auth-client';
import { ClientApiStub } from '@gatehouse/testing/client-api-stub';
import { freePort } from '@gatehouse/testing/free-port';
import { Suite } from '@gatehouse/testing/suite';

type FieldErrors = { errors?: { field: string; message: string }[] };

/** seed 004's projects, integration config and test connection, end to end: HTTP to the gateway,
 *  Redis-RPC to integration-gateway, PostgreSQL, and a stub client API on 127.0.0.1 (reachable
 *  because the suite turns on INTEGRATION_ALLOW_PRIVATE_NETWORKS). */
describe('integration config API (seed 004)', () => {
  const ADMIN_PASSWORD = 'integration-admin-e2e-password';
  const VIEWER_PASSWORD = 'integration-viewer-e2e-password';
  const TOKEN = 'bearer-secret-0f9e8d7c6b5a';
  const API_KEY = 'api-key-secret-1a2b3c4d5e';
  const PASSWORD = 'basic-password-secret-9z8y';
  let stub: ClientApiStub;
  let suite: Suite;
  let gateway: string;
  let adminToken: string;
  let viewerToken: string;

  const call = managementCaller(
    () => gateway,
    '/api/v1/projects',
    () => adminToken,
    20000,
  );

  beforeAll(async () => {
    stub = new ClientApiStub();
    await stub.start();
    for (let i = 1; i <= 5; i += 1) stub.setStatus(`U${i}`, 'Available');
    suite = await Suite.start({
      label: 'integration-config',
      env: {
        GATEHOUSE_ADMIN_USERNAME: 'admin',
        GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        INTEGRATION_ALLOW_PRIVATE_NETWORKS: 'true',
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
    expect((await call('POST', '', { slug: 'tower-a', name: 'Tower A' })).status).toBe(201);
  });

  afterAll(async () => {
    await suite?.stop();
    await stub?.stop();
  });

  const save = (slug: string, body: Record<string, unknown>) =>
    call<IntegrationConfigView>('PUT', `/${slug}/integration`, body);
  const test = (slug: string) => call<TestConnectionView>('POST', `/${slug}/integration/test`);

  it('answers 401 without a token and 403 without the permission, on every route', async () => {
    const routes: [string, string, unknown][] = [
      ['GET', '', undefined],
      ['POST', '', { slug: 'x', name: 'X' }],
      ['GET', '/tower-a', undefined],
      ['GET', '/tower-a/integration', undefined],
      ['PUT', '/tower-a/integration', { retry_count: 1 }],
      ['POST', '/tower-a/integration/test', undefined],
      ['POST', '/tower-a/integration/webhook-secret', undefined],
      ['GET', '/tower-a/units', undefined],
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

  it('creates and lists projects by slug; a taken slug is 409, a bad one 400, an unknown one 404', async () => {
    const created = await call<ProjectView>('POST', '', { slug: 'tower-b', name: 'Tower B' });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ slug: 'tower-b', name: 'Tower B', last_error: null });
    expect((await call('POST', '', { slug: 'tower-b', name: 'Again' })).status).toBe(409);
    const bad = await call<FieldErrors>('POST', '', { slug: 'Not A Slug', name: 'x' });
    expect(bad.status).toBe(400);
    expect((bad.body.extensions as FieldErrors).errors?.map((e) => e.field)).toEqual(['slug']);
    const extra = await call<FieldErrors>('POST', '', { slug: 'ok', name: 'x', tenant_id: '2' });
    expect(extra.status).toBe(400);
    const list = await call<ProjectView[]>('GET', '');
    expect(list.body.data.map((p) => p.slug)).toEqual(['tower-a', 'tower-b']);
    for (const path of ['/nope', '/nope/integration', '/nope/units', '/NOPE!/integration']) {
      const missing = await call('GET', path);
      expect([path, missing.status, missing.body.code]).toEqual([path, 404, 'NOT_FOUND']);
    }
    expect((await call('PUT', '/nope/integration', { retry_count: 1 })).status).toBe(404);
    expect((await call('POST', '/nope/integration/test')).status).toBe(404);
  });

  it('answers the empty config of the seed before anything is saved', async () => {
    const project = (await call<ProjectView>('GET', '/tower-a')).body.data;
    const empty = await call<IntegrationConfigView>('GET', '/tower-a/integration');
    expect(empty.status).toBe(200);
    expect(empty.body.data).toMatchObject({
      id: null,
      project_id: project.id,
      api_base_url: null,
      auth_type: 'none',
      status_endpoint: null,
      status_mapping: null,
      update_method: 'polling',
      polling_interval_seconds: 30,
      timeout_seconds: 10,
      retry_count: 3,
      has_credentials: false,
      created_at: null,
      updated_at: null,
    });
  });

  it.each([
    ['polling_interval_seconds', 4],
    ['polling_interval_seconds', 301],
    ['polling_interval_seconds', 30.5],
    ['timeout_seconds', 0],
    ['timeout_seconds', 61],
    ['retry_count', -1],
    ['retry_count', 11],
    ['auth_type', 'oauth'],
    ['update_method', 'push'],
    ['api_base_url', 'ftp://client.example'],
    ['api_base_url', 'http://user:pw@client.example'],
    ['status_mapping', { open: ['Open'] }],
    ['status_mapping', { sold: 'Sold' }],
    ['auth_credentials', { token: 5 }],
    ['auth_credentials', { secret: 'x' }],
    ['webhook_secret', 'plain-text'],
    ['surprise', true],
  ])('refuses %s = %j with 400 naming the field, and stores nothing', async (field, value) => {
    const answer = await save('tower-b', { [field]: value });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    expect((answer.body.extensions as FieldErrors).errors?.map((e) => e.field)).toContain(field);
    const rows = await withDatabase(suite.database.url, (client) =>
      client.query(
        'SELECT 1 FROM integration_configs c JOIN integration_projects p ON p.id = c.project_id WHERE p.slug = $1',
        ['tower-b'],
      ),
    );
    expect(rows.rowCount).toBe(0);
  });

  it('stores credentials encrypted, answers has_credentials only, keeps them when omitted and clears them on {}', async () => {
    const saved = await save('tower-a', {
      api_base_url: stub.url,
      auth_type: 'bearer',
      status_endpoint: '/units',
      status_mapping: { sold: ['Sold', 'Closed'] },
      update_method: 'webhook',
      polling_interval_seconds: 60,
      timeout_seconds: 5,
      retry_count: 2,
      auth_credentials: { token: TOKEN, username: 'svc', password: PASSWORD },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.data).toMatchObject({
      api_base_url: stub.url,
      auth_type: 'bearer',
      status_endpoint: '/units',
      update_method: 'webhook',
      polling_interval_seconds: 60,
      timeout_seconds: 5,
      retry_count: 2,
      has_credentials: true,
    });
    expect(saved.body.data.status_mapping?.sold).toEqual(['Sold', 'Closed']);
    expect(saved.body.data.status_mapping?.available).toContain('Open');
    expect(saved.body.data.id).toEqual(expect.any(String));
    expect(saved.text).not.toContain(TOKEN);
    expect(saved.text).not.toContain(PASSWORD);
    const read = await call<IntegrationConfigView>('GET', '/tower-a/integration');
    expect(read.body.data).toEqual(saved.body.data);
    expect(read.text).not.toContain(TOKEN);

    const row = await withDatabase(suite.database.url, async (client) => {
      const result = await client.query(
        'SELECT row_to_json(c)::text AS raw, auth_credentials_enc FROM integration_configs c',
      );
      return result.rows as { raw: string; auth_credentials_enc: string }[];
    });
    expect(row).toHaveLength(1);
    expect(row[0]?.raw).not.toContain(TOKEN);
    expect(row[0]?.raw).not.toContain(PASSWORD);
    expect(row[0]?.auth_credentials_enc).toMatch(/^v1\.test\./);

    const kept = await save('tower-a', { retry_count: 3 });
    expect(kept.body.data).toMatchObject({
      has_credentials: true,
      retry_count: 3,
      timeout_seconds: 5,
    });
    const cleared = await save('tower-a', { auth_credentials: {} });
    expect(cleared.body.data.has_credentials).toBe(false);
    const nulls = await withDatabase(suite.database.url, (client) =>
      client.query('SELECT 1 FROM integration_configs WHERE auth_credentials_enc IS NULL'),
    );
    expect(nulls.rowCount).toBe(1);
  });

  it('tests the connection with each auth type, sending the credentials the way the type says', async () => {
    const cases: [string, Record<string, string>, string, string][] = [
      ['bearer', { token: TOKEN }, 'authorization', `Bearer ${TOKEN}`],
      ['api_key', { api_key: API_KEY, api_key_header: 'X-Client-Key' }, 'x-client-key', API_KEY],
      [
        'basic',
        { username: 'svc', password: PASSWORD },
        'authorization',
        `Basic ${Buffer.from(`svc:${PASSWORD}`).toString('base64')}`,
      ],
      ['none', {}, 'authorization', ''],
    ];
    for (const [authType, credentials, header, expected] of cases) {
      await save('tower-a', {
        api_base_url: `${stub.url}/`,
        status_endpoint: 'units',
        auth_type: authType,
        auth_credentials: credentials,
      });
      const before = stub.requests.length;
      const answer = await test('tower-a');
      expect(answer.status).toBe(200);
      expect(answer.body.data).toMatchObject({ success: true, status_code: 200, error: null });
      expect(answer.body.data.response_time_ms).toEqual(expect.any(Number));
      expect(answer.body.data.sample_data).toHaveLength(3);
      const seen = stub.requests.slice(before);
      expect(seen.map((r) => r.path)).toEqual(['/units']);
      expect([authType, seen[0]?.headers[header] ?? '']).toEqual([authType, expected]);
    }
  });

  it('names timeouts, refusals, DNS and TLS failures, HTTP errors, redirects and non-JSON bodies', async () => {
    const closedPort = await freePort();
    const cases: [Record<string, unknown>, RegExp, number | null][] = [
      [
        { api_base_url: stub.url, status_endpoint: '/slow', timeout_seconds: 1 },
        /^Connection timeout$/,
        null,
      ],
      [
        { api_base_url: `http://127.0.0.1:${closedPort}`, status_endpoint: '/units' },
        /Connection refused/,
        null,
      ],
      [
        { api_base_url: 'http://no-such-host.invalid', status_endpoint: '/units' },
        /DNS lookup failed/,
        null,
      ],
      [
        { api_base_url: `https://127.0.0.1:${stub.port}`, status_endpoint: '/units' },
        /TLS handshake failed/,
        null,
      ],
      [{ api_base_url: stub.url, status_endpoint: '/error' }, /HTTP 500/, 500],
      [{ api_base_url: stub.url, status_endpoint: '/text' }, /not valid JSON/, 200],
      [{ api_base_url: stub.url, status_endpoint: '/redirect' }, /Redirect not followed/, 302],
    ];
    stub.slowMs = 3000;
    for (const [config, error, statusCode] of cases) {
      await save('tower-a', {
        ...config,
        auth_type: 'none',
        timeout_seconds: config.timeout_seconds ?? 5,
      });
      const answer = await test('tower-a');
      expect(answer.status).toBe(200);
      expect(answer.body.data.success).toBe(false);
      expect(answer.body.data.error).toMatch(error);
      expect(answer.body.data.status_code).toBe(statusCode);
      expect(answer.body.data.sample_data).toBeNull();
    }
    // The redirect pointed at the metadata address: it was reported, never followed.
    expect(stub.countOf('/redirect')).toBe(1);
  });

  it('never writes a credential to the apps logs', () => {
    for (const app of ['auth-gateway', 'integration-gateway'] as const) {
      const log = readFileSync(suite.apps[app].logPath, 'utf8');
      expect(log).not.toContain(TOKEN);
      expect(log).not.toContain(API_KEY);
      expect(log).not.toContain(PASSWORD);
    }
  });
});
