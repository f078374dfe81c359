import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import type { ProjectView, UnitsPage } from '@gatehouse/contracts';
import { AppProcess } from '@gatehouse/testing/app-process';
import { insertUser, login, managementCaller, withDatabase } from '@gatehouse/testing/auth-client';
import { ClientApiStub } from '@gatehouse/testing/client-api-stub';
import { freePort } from '@gatehouse/testing/free-port';
import { request } from '@gatehouse/testing/http-client';
import { Suite } from '@gatehouse/testing/suite';
import { sleep, waitFor } from '@gatehouse/testing/wait-for';

/** `DELETE /api/v1/projects/{slug}` with two integration-gateway replicas: polling stops, the SSE
 *  stream is closed and not reopened by either replica, webhooks are refused, rows and Redis keys
 *  are gone. */
describe('deleting a project', () => {
  const ADMIN_PASSWORD = 'integration-delete-admin-password';
  const VIEWER_PASSWORD = 'integration-delete-viewer-password';
  const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
  const SECRET_KEYS = `test:${randomBytes(32).toString('base64')}`;
  let stub: ClientApiStub;
  let suite: Suite;
  let replica: AppProcess | undefined;
  let redis: Redis;
  let gateway: string;
  let adminToken: string;
  let viewerToken: string;
  const ids: Record<string, string> = {};

  const call = managementCaller(
    () => gateway,
    '/api/v1/projects',
    () => adminToken,
    20000,
  );

  const webhookUrl = (slug: string, base = suite.apps['integration-gateway'].baseUrl): string =>
    `${base}/webhooks/${slug}`;
  const deliver = (slug: string, body: unknown, id = `msg_${randomUUID()}`, base?: string) => {
    const payload = JSON.stringify(body);
    const at = new Date();
    return request<{ data: { changed: number }; code?: string }>(webhookUrl(slug, base), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(SECRET).sign(id, at, payload),
      },
      body: payload,
    });
  };
  const rowCounts = (projectId: string): Promise<Record<string, number>> =>
    withDatabase(suite.database.url, async (client) => {
      const counts: Record<string, number> = {};
      for (const [table, column] of [
        ['integration_projects', 'id'],
        ['integration_configs', 'project_id'],
        ['integration_unit_statuses', 'project_id'],
        ['integration_status_changes', 'project_id'],
      ] as const) {
        const rows = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${table} WHERE ${column} = $1`,
          [projectId],
        );
        counts[table] = Number(rows.rows[0]?.n);
      }
      return counts;
    });
  const units = async (slug: string): Promise<Record<string, string>> => {
    const answer = await call<UnitsPage>('GET', `/${slug}/units`);
    return Object.fromEntries((answer.body.data?.items ?? []).map((u) => [u.unit_id, u.status]));
  };

  beforeAll(async () => {
    stub = new ClientApiStub();
    await stub.start();
    stub.setStatus('P1', 'Available');
    suite = await Suite.start({
      label: 'integration-delete',
      env: {
        GATEHOUSE_ADMIN_USERNAME: 'admin',
        GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        GATEHOUSE_SECRET_KEYS: SECRET_KEYS,
        INTEGRATION_ALLOW_PRIVATE_NETWORKS: 'true',
      },
    });
    gateway = suite.apps['auth-gateway'].baseUrl;
    redis = new Redis({ host: '127.0.0.1', port: suite.redis.port });
    await insertUser(suite.database.url, {
      username: 'viewer',
      password: VIEWER_PASSWORD,
      roles: [{ system: 'TTS', role: 'User' }],
    });
    adminToken = (await login(gateway, 'admin', ADMIN_PASSWORD)).accessToken;
    viewerToken = (await login(gateway, 'viewer', VIEWER_PASSWORD)).accessToken;
    const configs: Record<string, Record<string, unknown>> = {
      'del-poll': {
        status_endpoint: '/units',
        update_method: 'polling',
        polling_interval_seconds: 5,
      },
      'del-stream': { status_endpoint: '/stream', update_method: 'sse', timeout_seconds: 30 },
      'del-hook': { update_method: 'webhook', webhook_secret: SECRET },
    };
    // Created before the replica starts: every replica answers each RPC, and a create raced by
    // two replicas may answer 409.
    for (const [slug, config] of Object.entries(configs)) {
      const created = await call<ProjectView>('POST', '', { slug, name: slug });
      expect(created.status).toBe(201);
      ids[slug] = created.body.data.id;
      const saved = await call('PUT', `/${slug}/integration`, {
        api_base_url: stub.url,
        ...config,
      });
      expect(saved.status).toBe(200);
    }
    replica = new AppProcess(
      'integration-gateway',
      await freePort(),
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: suite.database.url,
        REDIS_URL: suite.redis.url,
        GATEHOUSE_SECRET_KEYS: SECRET_KEYS,
        INTEGRATION_ALLOW_PRIVATE_NETWORKS: 'true',
      },
      'integration-delete-replica',
    );
    await replica.start();
  });

  afterAll(async () => {
    await replica?.stop();
    redis?.disconnect();
    await suite?.stop();
    await stub?.stop();
  });

  it('answers 401 without a token, 403 without the permission, 404 for an unknown slug', async () => {
    expect((await call('DELETE', '/del-hook', undefined, '')).status).toBe(401);
    const viewer = await call('DELETE', '/del-hook', undefined, viewerToken);
    expect([viewer.status, viewer.body.code]).toEqual([403, 'FORBIDDEN']);
    const unknown = await call('DELETE', '/no-such-project');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
    expect((await call('DELETE', '/Not%20A%20Slug')).status).toBe(404);
    expect((await call<ProjectView>('GET', '/del-hook')).status).toBe(200);
  });

  it('refuses webhooks of a deleted project on every replica and forgets its rows and replay ids', async () => {
    const first = await deliver('del-hook', { data: { id: 'H1', status: 'Sold' } }, 'msg_keep');
    expect(first.status).toBe(200);
    expect(first.body.data.changed).toBe(1);
    const projectId = ids['del-hook'] ?? '';
    expect(await rowCounts(projectId)).toEqual({
      integration_projects: 1,
      integration_configs: 1,
      integration_unit_statuses: 1,
      integration_status_changes: 1,
    });
    expect(await redis.keys(`gh:integration:webhook-id:${projectId}:*`)).toHaveLength(1);

    const deleted = await call('DELETE', '/del-hook');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ data: null });

    expect(await rowCounts(projectId)).toEqual({
      integration_projects: 0,
      integration_configs: 0,
      integration_unit_statuses: 0,
      integration_status_changes: 0,
    });
    expect(await redis.keys(`gh:integration:webhook-id:${projectId}:*`)).toEqual([]);
    for (const base of [suite.apps['integration-gateway'].baseUrl, replica?.baseUrl]) {
      const later = await deliver(
        'del-hook',
        { data: { id: 'H2', status: 'Available' } },
        undefined,
        base,
      );
      expect([later.status, later.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    }
    expect((await call('GET', '/del-hook')).status).toBe(404);
    expect((await call('DELETE', '/del-hook')).status).toBe(404);
  });

  it('closes the SSE stream of a deleted project, and no replica opens it again', async () => {
    const stream = await waitFor('the stream to open', () => stub.openStreams()[0], {
      timeoutMs: 15000,
    });
    stream.send('1', { id: 'S1', status: 'Hold' });
    await waitFor('S1 stored', async () =>
      (await units('del-stream'))['S1'] === 'hold' ? true : undefined,
    );
    const projectId = ids['del-stream'] ?? '';
    expect(await redis.get(`gh:integration:sse-lease:${projectId}`)).not.toBeNull();

    expect((await call('DELETE', '/del-stream')).status).toBe(200);
    await waitFor('the stream to close', () => (stream.closed ? true : undefined), {
      timeoutMs: 3000,
    });
    // Longer than a supervisor tick (5 s) on both replicas: nobody reconnects.
    const opened = stub.streams.length;
    await sleep(7000);
    expect(stub.streams.length).toBe(opened);
    expect(stub.openStreams()).toEqual([]);
    expect(await redis.get(`gh:integration:sse-lease:${projectId}`)).toBeNull();
    expect(await redis.get(`gh:integration:sse-last-id:${projectId}`)).toBeNull();
    expect(await rowCounts(projectId)).toMatchObject({
      integration_projects: 0,
      integration_unit_statuses: 0,
    });
  });

  it('stops polling a deleted project: the client API sees no more requests', async () => {
    await waitFor('a poll', async () =>
      (await units('del-poll'))['P1'] === 'available' ? true : undefined,
    );
    const projectId = ids['del-poll'] ?? '';
    const schedulers = (): Promise<string[]> => redis.zrange('bull:integration-poll:repeat', 0, -1);
    expect(await schedulers()).toEqual([`project-${projectId}`]);

    expect((await call('DELETE', '/del-poll')).status).toBe(200);
    expect(await schedulers()).toEqual([]);
    // A poll already running may still land; after that, two intervals pass without a request.
    await sleep(1500);
    const after = stub.countOf('/units');
    await sleep(11000);
    expect(stub.countOf('/units')).toBe(after);
    expect(await rowCounts(projectId)).toEqual({
      integration_projects: 0,
      integration_configs: 0,
      integration_unit_statuses: 0,
      integration_status_changes: 0,
    });
    const list = await call<ProjectView[]>('GET', '');
    expect(list.body.data).toEqual([]);
  });

  it('with two replicas, a create and a secret rotation run once: no 409, the secret answered verifies', async () => {
    for (let i = 0; i < 5; i += 1) {
      const slug = `once-${i}`;
      const created = await call<ProjectView>('POST', '', { slug, name: slug });
      expect(created.status).toBe(201);
      const saved = await call('PUT', `/${slug}/integration`, { update_method: 'webhook' });
      expect(saved.status).toBe(200);
      const rotated = await call<{ webhook_secret: string }>(
        'POST',
        `/${slug}/integration/webhook-secret`,
      );
      expect(rotated.status).toBe(200);
      const secret = rotated.body.data.webhook_secret;
      for (const base of [suite.apps['integration-gateway'].baseUrl, replica?.baseUrl ?? '']) {
        const id = `msg_${randomUUID()}`;
        const at = new Date();
        const payload = JSON.stringify({ id: 'U-1', status: 'Available' });
        const answer = await request(webhookUrl(slug, base), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': new Webhook(secret).sign(id, at, payload),
          },
          body: payload,
        });
        expect(answer.status).toBe(200);
      }
    }
    const rows = await withDatabase(suite.database.url, (client) =>
      client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM integration_projects WHERE slug LIKE 'once-%'",
      ),
    );
    expect(rows.rows[0]?.n).toBe(5);
  });
});
