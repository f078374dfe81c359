import { createHash } from 'node:crypto';
import { insertUser, login, managementCaller, withDatabase } from '@gatehouse/testing/auth-client';
import { type JsonResponse, request } from '@gatehouse/testing/http-client';
import { Suite } from '@gatehouse/testing/suite';
import { decodeJwt } from '../auth/jwt-forge';

type FieldErrors = { errors?: { field: string; message: string }[] };

interface Application {
  id: string;
  clientId: string;
  clientSecret?: string;
  name: string;
  grantTypes: string[];
  scopes: string[];
  redirectUris: string[];
  active: boolean;
}

interface TokenBody {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
}

/** OAuth client applications of seed 002 and the client_credentials grant of RFC 6749 end to
 *  end: secrets shown once and stored hashed, both client authentication methods, the RFC's error
 *  bodies and statuses, rotation, disabling, and the rate limit. */
describe('admin API: client applications and POST /api/v1/oauth/token', () => {
  const ADMIN_PASSWORD = 'Adm1n-e2e-applications!';
  const VIEWER_PASSWORD = 'Vi3wer-e2e-applications!';
  const RATE_LIMIT = 40;
  let suite: Suite;
  let gateway: string;
  let adminToken: string;
  let viewerToken: string;
  let app: Application;
  let secret: string;

  const call = managementCaller(
    () => gateway,
    '/api/v1/admin',
    () => adminToken,
  );

  const token = (
    form: Record<string, string>,
    headers: Record<string, string> = {},
    contentType = 'application/x-www-form-urlencoded',
  ): Promise<JsonResponse<TokenBody>> =>
    request<TokenBody>(`${gateway}/api/v1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...headers },
      body:
        contentType === 'application/json'
          ? JSON.stringify(form)
          : new URLSearchParams(form).toString(),
    });
  const basic = (id: string, password: string): Record<string, string> => ({
    authorization: `Basic ${Buffer.from(
      `${encodeURIComponent(id)}:${encodeURIComponent(password)}`,
    ).toString('base64')}`,
  });

  beforeAll(async () => {
    suite = await Suite.start({
      label: 'applications',
      env: {
        GATEHOUSE_ADMIN_USERNAME: 'admin',
        GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        OAUTH_TOKEN_RATE_LIMIT: String(RATE_LIMIT),
      },
    });
    gateway = suite.apps['auth-gateway'].baseUrl;
    await insertUser(suite.database.url, { username: 'viewer', password: VIEWER_PASSWORD });
    adminToken = (await login(gateway, 'admin', ADMIN_PASSWORD)).accessToken;
    viewerToken = (await login(gateway, 'viewer', VIEWER_PASSWORD)).accessToken;
  });

  afterAll(async () => {
    await suite?.stop();
  });

  it('answers 401 without a token and 403 without the permission, on every admin route', async () => {
    const routes: [string, string, unknown][] = [
      ['GET', '/applications', undefined],
      ['POST', '/applications', { name: 'nope' }],
      ['POST', '/applications/1/rotate-secret', undefined],
      ['POST', '/applications/1/disable', undefined],
      ['PUT', '/applications/1', { name: 'nope' }],
    ];
    for (const [method, path, body] of routes) {
      expect([path, (await call(method, path, body, '')).status]).toEqual([path, 401]);
      const viewer = await call(method, path, body, viewerToken);
      expect([path, viewer.status, viewer.body.code]).toEqual([path, 403, 'FORBIDDEN']);
    }
  });

  it('registers an application: the secret is shown once and stored hashed', async () => {
    const response = await call<Application>('POST', '/applications', {
      name: 'TTS backend',
      scopes: ['users:read', 'tickets:write'],
    });
    expect(response.status).toBe(201);
    app = response.body.data;
    secret = app.clientSecret ?? '';
    expect(app).toMatchObject({
      name: 'TTS backend',
      grantTypes: ['client_credentials'],
      scopes: ['users:read', 'tickets:write'],
      active: true,
    });
    expect(app.clientId).toMatch(/^gh_/);
    expect(secret).toMatch(/^ghs_.{40,}$/);
    const listed = await call<Application[]>('GET', '/applications');
    expect(listed.body.data).toHaveLength(1);
    expect(listed.text).not.toContain(secret);
    expect(listed.body.data[0]).not.toHaveProperty('clientSecret');
    expect(listed.body.data[0]).not.toHaveProperty('secretHash');
    const stored = await withDatabase(suite.database.url, (client) =>
      client.query<{ secret_hash: string }>('SELECT secret_hash FROM client_applications'),
    );
    expect(stored.rows[0]?.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
  });

  it('issues a token to a client authenticated with HTTP Basic or with the form', async () => {
    const viaBasic = await token({ grant_type: 'client_credentials' }, basic(app.clientId, secret));
    expect(viaBasic.status).toBe(200);
    expect(viaBasic.headers.get('cache-control')).toBe('no-store');
    expect(viaBasic.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'users:read tickets:write',
    });
    const claims = decodeJwt(viaBasic.body.access_token ?? '').payload;
    expect(claims).toMatchObject({
      sub: `client:${app.clientId}`,
      client_id: app.clientId,
      tenant_id: '1',
      user_id: 0,
      permissions: [],
    });
    // The token works on the internal API: validation and user lookups.
    const bearer = { authorization: `Bearer ${viaBasic.body.access_token}` };
    const validated = await request(`${gateway}/api/v1/users/token/validate/`, {
      headers: bearer,
    });
    expect(validated.status).toBe(200);
    const info = await request(`${gateway}/api/v1/tts/user-info/1/`, { headers: bearer });
    expect(info.status).toBe(200);
    // But it is no admin token.
    expect((await call('GET', '/applications', undefined, viaBasic.body.access_token)).status).toBe(
      403,
    );

    const viaForm = await token({
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: secret,
      scope: 'users:read',
    });
    expect(viaForm.status).toBe(200);
    expect(viaForm.body.scope).toBe('users:read');
  });

  it('answers RFC 6749 errors with their statuses', async () => {
    const cases: [
      Record<string, string>,
      Record<string, string>,
      string | undefined,
      number,
      string,
    ][] = [
      [
        { grant_type: 'client_credentials' },
        basic(app.clientId, 'wrong'),
        undefined,
        401,
        'invalid_client',
      ],
      [
        { grant_type: 'client_credentials', client_id: app.clientId, client_secret: 'wrong' },
        {},
        undefined,
        401,
        'invalid_client',
      ],
      [
        { grant_type: 'client_credentials', client_id: 'gh_unknown', client_secret: secret },
        {},
        undefined,
        401,
        'invalid_client',
      ],
      [{ grant_type: 'client_credentials' }, {}, undefined, 401, 'invalid_client'],
      [
        { grant_type: 'client_credentials', client_id: app.clientId, client_secret: secret },
        basic(app.clientId, secret),
        undefined,
        400,
        'invalid_request',
      ],
      [{}, basic(app.clientId, secret), undefined, 400, 'invalid_request'],
      [
        { grant_type: 'password' },
        basic(app.clientId, secret),
        undefined,
        400,
        'unsupported_grant_type',
      ],
      [
        { grant_type: 'client_credentials', scope: 'admin' },
        basic(app.clientId, secret),
        undefined,
        400,
        'invalid_scope',
      ],
      [
        { grant_type: 'client_credentials' },
        basic(app.clientId, secret),
        'application/json',
        400,
        'invalid_request',
      ],
    ];
    for (const [form, headers, contentType, status, error] of cases) {
      const response = await token(form, headers, contentType);
      expect([form, response.status, response.body.error]).toEqual([form, status, error]);
      expect(typeof response.body.error_description).toBe('string');
      expect(response.body).not.toHaveProperty('access_token');
    }
    const challenged = await token({ grant_type: 'client_credentials' }, basic(app.clientId, 'x'));
    expect(challenged.headers.get('www-authenticate')).toMatch(/^Basic/);
    const repeated = await request<TokenBody>(`${gateway}/api/v1/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...basic(app.clientId, secret),
      },
      body: 'grant_type=client_credentials&grant_type=client_credentials',
    });
    expect([repeated.status, repeated.body.error]).toEqual([400, 'invalid_request']);

    const codeOnly = await call<Application>('POST', '/applications', {
      name: 'Web portal',
      grantTypes: ['authorization_code'],
      redirectUris: ['https://portal.example.com/callback'],
    });
    expect(codeOnly.status).toBe(201);
    const refused = await token(
      { grant_type: 'client_credentials' },
      basic(codeOnly.body.data.clientId, codeOnly.body.data.clientSecret ?? ''),
    );
    expect([refused.status, refused.body.error]).toEqual([400, 'unauthorized_client']);
  });

  it('rotates the secret and disables the application, ending its tokens', async () => {
    const before = await token({ grant_type: 'client_credentials' }, basic(app.clientId, secret));
    const rotated = await call<Application>('POST', `/applications/${app.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.data.clientSecret ?? '';
    expect(fresh).not.toBe(secret);
    expect(
      (await token({ grant_type: 'client_credentials' }, basic(app.clientId, secret))).status,
    ).toBe(401);
    const after = await token({ grant_type: 'client_credentials' }, basic(app.clientId, fresh));
    expect(after.status).toBe(200);

    const disabled = await call<Application>('POST', `/applications/${app.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body.data.active).toBe(false);
    for (const issued of [before, after]) {
      const validated = await request(`${gateway}/api/v1/users/token/validate/`, {
        headers: { authorization: `Bearer ${issued.body.access_token}` },
      });
      expect(validated.status).toBe(401);
    }
    const refused = await token({ grant_type: 'client_credentials' }, basic(app.clientId, fresh));
    expect([refused.status, refused.body.error]).toEqual([401, 'invalid_client']);
    expect((await call('POST', `/applications/${app.id}/rotate-secret`)).status).toBe(409);

    const audit = await call<{ list: { action: string }[] }>(
      'GET',
      `/audit?targetType=application&targetId=${app.id}`,
    );
    expect(audit.body.data.list.map((row) => row.action)).toEqual([
      'application.disable',
      'application.rotate_secret',
      'application.create',
    ]);
    expect(audit.text).not.toContain(secret);
    expect(audit.text).not.toContain(fresh);
  });

  it('rate limits token requests per client and address with 429 and Retry-After', async () => {
    const limited = await call<Application>('POST', '/applications', { name: 'Chatty service' });
    const credentials = basic(limited.body.data.clientId, limited.body.data.clientSecret ?? '');
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT + 1; i += 1) {
      statuses.push((await token({ grant_type: 'client_credentials' }, credentials)).status);
    }
    expect(statuses.slice(0, RATE_LIMIT).every((status) => status === 200)).toBe(true);
    const last = await token({ grant_type: 'client_credentials' }, credentials);
    expect(last.status).toBe(429);
    expect(last.body.error).toBe('temporarily_unavailable');
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('edits name, scopes, redirect URIs and grant types, audited without the secret', async () => {
    const created = await call<Application>('POST', '/applications', {
      name: 'Editable',
      scopes: ['users:read', 'tickets:write'],
    });
    expect(created.status).toBe(201);
    const { id, clientId } = created.body.data;
    const editableSecret = created.body.data.clientSecret ?? '';
    const issued = await token(
      { grant_type: 'client_credentials', scope: 'tickets:write' },
      basic(clientId, editableSecret),
    );
    expect(issued.status).toBe(200);

    const edited = await call<Application>('PUT', `/applications/${id}`, {
      name: 'Edited service',
      scopes: ['users:read'],
      grantTypes: ['client_credentials', 'authorization_code'],
      redirectUris: ['https://edited.example.com/callback'],
    });
    expect(edited.status).toBe(200);
    expect(edited.body.data).toMatchObject({
      id,
      clientId,
      name: 'Edited service',
      scopes: ['users:read'],
      grantTypes: ['client_credentials', 'authorization_code'],
      redirectUris: ['https://edited.example.com/callback'],
      active: true,
    });
    expect(edited.body.data).not.toHaveProperty('clientSecret');
    expect(edited.body.data).not.toHaveProperty('secretHash');
    expect(edited.text).not.toContain(editableSecret);

    // A scope taken away ends the tokens issued with it, and is no longer granted.
    const validated = await request(`${gateway}/api/v1/users/token/validate/`, {
      headers: { authorization: `Bearer ${issued.body.access_token}` },
    });
    expect(validated.status).toBe(401);
    const narrowed = await token(
      { grant_type: 'client_credentials', scope: 'tickets:write' },
      basic(clientId, editableSecret),
    );
    expect([narrowed.status, narrowed.body.error]).toEqual([400, 'invalid_scope']);
    const kept = await token({ grant_type: 'client_credentials' }, basic(clientId, editableSecret));
    expect([kept.status, kept.body.scope]).toEqual([200, 'users:read']);

    // Fields left out stay as they are.
    const renamed = await call<Application>('PUT', `/applications/${id}`, { name: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({
      name: 'Renamed',
      scopes: ['users:read'],
      redirectUris: ['https://edited.example.com/callback'],
    });
    const listed = await call<Application[]>('GET', '/applications');
    expect(listed.body.data.find((each) => each.id === id)?.name).toBe('Renamed');

    const audit = await call<{
      list: { action: string; actorName: string; before: unknown; after: unknown }[];
    }>('GET', `/audit?targetType=application&targetId=${id}&action=application.update`);
    expect(audit.body.data.list).toHaveLength(2);
    expect(audit.body.data.list[1]).toMatchObject({
      actorName: 'admin',
      before: {
        name: 'Editable',
        scopes: ['users:read', 'tickets:write'],
        grantTypes: ['client_credentials'],
        redirectUris: [],
      },
      after: {
        name: 'Edited service',
        scopes: ['users:read'],
        grantTypes: ['client_credentials', 'authorization_code'],
        redirectUris: ['https://edited.example.com/callback'],
      },
    });
    expect(audit.body.data.list[0]).toMatchObject({
      before: { name: 'Edited service' },
      after: { name: 'Renamed' },
    });
    expect(audit.text).not.toContain(editableSecret);
    const stored = await withDatabase(suite.database.url, (client) =>
      client.query<{ row: string }>(
        `SELECT row_to_json(a)::text AS row FROM audit_log a
         WHERE action = 'application.update' AND target_id = $1`,
        [id],
      ),
    );
    expect(stored.rows).toHaveLength(2);
    for (const row of stored.rows) {
      expect(row.row).not.toContain(editableSecret);
      expect(row.row).not.toMatch(/secret_?hash|clientSecret/i);
    }

    expect((await call('PUT', `/applications/${id}`, { name: 'Chatty service' })).status).toBe(409);
    expect((await call('PUT', '/applications/999999', { name: 'Nobody' })).status).toBe(404);
  });

  it('answers 400 naming the field for bad admin input', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/applications', {}, 'name'],
      ['POST', '/applications', { name: '<bad>' }, 'name'],
      ['POST', '/applications', { name: 'x', grantTypes: ['password'] }, 'grantTypes'],
      ['POST', '/applications', { name: 'x', scopes: ['Not A Scope'] }, 'scopes'],
      [
        'POST',
        '/applications',
        { name: 'x', redirectUris: ['http://evil.example'] },
        'redirectUris',
      ],
      [
        'POST',
        '/applications',
        { name: 'x', redirectUris: ['https://a.example/#frag'] },
        'redirectUris',
      ],
      ['POST', '/applications', { name: 'x', grantTypes: ['authorization_code'] }, 'redirectUris'],
      ['POST', '/applications', { name: 'x', clientSecret: 'mine' }, 'clientSecret'],
      ['POST', '/applications/x/rotate-secret', undefined, 'id'],
      ['POST', '/applications/0/disable', undefined, 'id'],
      ['PUT', '/applications/x', { name: 'x' }, 'id'],
      ['PUT', `/applications/${app.id}`, { name: '<bad>' }, 'name'],
      ['PUT', `/applications/${app.id}`, { grantTypes: ['password'] }, 'grantTypes'],
      ['PUT', `/applications/${app.id}`, { grantTypes: [] }, 'grantTypes'],
      ['PUT', `/applications/${app.id}`, { scopes: ['Not A Scope'] }, 'scopes'],
      ['PUT', `/applications/${app.id}`, { scopes: 'users:read' }, 'scopes'],
      ['PUT', `/applications/${app.id}`, { redirectUris: ['ftp://a.example/'] }, 'redirectUris'],
      [
        'PUT',
        `/applications/${app.id}`,
        { grantTypes: ['authorization_code'], redirectUris: [] },
        'redirectUris',
      ],
      ['PUT', `/applications/${app.id}`, { clientSecret: 'mine' }, 'clientSecret'],
      ['PUT', `/applications/${app.id}`, { clientId: 'gh_mine' }, 'clientId'],
    ];
    for (const [method, path, body, field] of cases) {
      const response = await call<null>(method, path, body);
      expect([path, body, response.status, response.body.code]).toEqual([
        path,
        body,
        400,
        'VALIDATION_FAILED',
      ]);
      const fields = (response.body.extensions as FieldErrors).errors?.map((error) => error.field);
      expect([body, fields]).toEqual([body, expect.arrayContaining([field])]);
    }
    expect((await call('POST', '/applications/999999/disable')).status).toBe(404);
    expect((await call('POST', '/applications', { name: 'TTS backend' })).status).toBe(409);
  });
});
