import { APP_NAMES, type ApiEnvelope } from '@gatehouse/contracts';
import { login } from '@gatehouse/testing/auth-client';
import { request, statusOf } from '@gatehouse/testing/http-client';
import { Suite } from '@gatehouse/testing/suite';
import { waitFor } from '@gatehouse/testing/wait-for';

interface ReadyData {
  down: string[];
}

describe('a Redis outage', () => {
  let suite: Suite;

  beforeAll(async () => {
    suite = await Suite.start({
      label: 'redis-outage',
      env: { GATEHOUSE_ADMIN_USERNAME: 'admin', GATEHOUSE_ADMIN_PASSWORD: 'outage-admin-password' },
    });
  });

  afterAll(async () => {
    await suite?.stop();
  });

  it('makes every app not ready within 3 s without crashing, and they recover when it returns', async () => {
    for (const app of APP_NAMES) {
      expect(await statusOf(suite.url(app, '/ready'))).toBe(200);
    }

    const session = await login(
      suite.apps['auth-gateway'].baseUrl,
      'admin',
      'outage-admin-password',
    );
    const validateUrl = suite.url('auth-gateway', '/api/v1/users/token/validate/');
    const bearer = { authorization: `Bearer ${session.accessToken}` };

    await suite.redis.stop();
    const stoppedAt = Date.now();
    for (const app of APP_NAMES) {
      const response = await waitFor(
        `${app} to report redis down`,
        async () => {
          const ready = await request<ApiEnvelope<ReadyData>>(suite.url(app, '/ready'));
          return ready.status === 503 && ready.body.data.down.includes('redis') ? ready : undefined;
        },
        { timeoutMs: 3000 },
      );
      expect(response.body.code).toBe('NOT_READY');
    }
    expect(Date.now() - stoppedAt).toBeLessThan(3000);

    // Liveness is not readiness: the processes are up and say so.
    for (const app of APP_NAMES) {
      expect(suite.apps[app].running).toBe(true);
      expect(await statusOf(suite.url(app, '/health'))).toBe(200);
    }
    const ping = await request<ApiEnvelope<null>>(
      suite.url('auth-gateway', '/api/v1/system/peers/ldap-sync/ping'),
    );
    expect(ping.status).toBe(503);
    expect(['PEER_UNAVAILABLE', 'PEER_TIMEOUT']).toContain(ping.body.code);
    // A session whose state cannot be read is not vouched for: 503, not 200 and not a 500.
    const validation = await request<{ code: string }>(validateUrl, { headers: bearer });
    expect(validation.status).toBe(503);
    expect(validation.body.code).toBe('PEER_UNAVAILABLE');

    await suite.redis.start();
    for (const app of APP_NAMES) {
      await waitFor(
        `${app} ready again`,
        async () => ((await statusOf(suite.url(app, '/ready'))) === 200 ? true : undefined),
        { timeoutMs: 15000 },
      );
    }
    const again = await request<ApiEnvelope<{ app: string }>>(
      suite.url('auth-gateway', '/api/v1/system/peers/ldap-sync/ping'),
    );
    expect(again.status).toBe(200);
    expect(again.body.data.app).toBe('ldap-sync');
    // This test's Redis keeps nothing on disk, so the session is gone: validation answers again,
    // and answers that the session is not live.
    const after = await request<{ code: string }>(validateUrl, { headers: bearer });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('UNAUTHENTICATED');
    for (const app of APP_NAMES) expect(suite.apps[app].running).toBe(true);
  });
});
