import { randomUUID } from 'node:crypto';
import type { ApiEnvelope } from '@gatehouse/contracts';
import { request, statusOf } from '@gatehouse/testing/http-client';
import { Suite } from '@gatehouse/testing/suite';
import { waitFor } from '@gatehouse/testing/wait-for';

interface ReadyData {
  status: 'up' | 'down';
  checks: Record<string, 'up' | 'down'>;
  down: string[];
}

describe('the three apps as processes', () => {
  let suite: Suite;

  beforeAll(async () => {
    suite = await Suite.start({ label: 'skeleton' });
  });

  afterAll(async () => {
    await suite?.stop();
  });

  it('reports the database, Redis and both RPC peers up on the gateway', async () => {
    const ready = await waitFor('gateway ready', async () => {
      const response = await request<ApiEnvelope<ReadyData>>(suite.url('auth-gateway', '/ready'));
      return response.status === 200 ? response : undefined;
    });
    expect(ready.body.code).toBe('S');
    expect(ready.body.data.checks).toEqual({
      database: 'up',
      redis: 'up',
      'ldap-sync': 'up',
      'integration-gateway': 'up',
    });
    for (const app of ['ldap-sync', 'integration-gateway'] as const) {
      const own = await request<ApiEnvelope<ReadyData>>(suite.url(app, '/ready'));
      expect(own.status).toBe(200);
      expect(own.body.data.checks).toEqual({ database: 'up', redis: 'up' });
    }
  });

  it('turns 503 naming ldap-sync within 3 s of it stopping, and 200 again when it returns', async () => {
    const stopped = await suite.apps['ldap-sync'].stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(10000);

    const started = Date.now();
    const down = await request<ApiEnvelope<ReadyData>>(suite.url('auth-gateway', '/ready'));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('NOT_READY');
    expect(down.body.data.down).toEqual(['ldap-sync']);
    expect(down.body.message).toContain('ldap-sync');

    const ping = await request<ApiEnvelope<null>>(
      suite.url('auth-gateway', '/api/v1/system/peers/ldap-sync/ping'),
    );
    expect(ping.status).toBe(503);
    expect(ping.body.code).toBe('PEER_TIMEOUT');

    await suite.apps['ldap-sync'].start();
    await waitFor(
      'gateway ready again',
      async () =>
        (await statusOf(suite.url('auth-gateway', '/ready'))) === 200 ? true : undefined,
      { timeoutMs: 10000 },
    );
  });

  it('answers an unknown route with a 404 envelope', async () => {
    const response = await request<ApiEnvelope<null>>(suite.url('auth-gateway', '/nope'));
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'ROUTE_NOT_FOUND', data: null, extensions: {} });
    expect(typeof response.body.timestamp).toBe('string');
    expect(response.body.extensions).toHaveProperty('requestId');
  });

  it('answers a malformed JSON body with a 400 envelope and no error-level stack trace', async () => {
    const response = await request<ApiEnvelope<null>>(
      suite.url('auth-gateway', '/api/v1/system/peers/ldap-sync/ping'),
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"unterminated' },
    );
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('MALFORMED_REQUEST');
    expect(response.text).not.toContain('unterminated');
    const errorLines = suite.apps['auth-gateway']
      .logLines()
      .filter((line) => line.includes('"level":50') || line.includes('"level":60'));
    expect(errorLines.filter((line) => line.includes('stack'))).toEqual([]);
  });

  it('carries the request id from HTTP through RPC into the peer log', async () => {
    const requestId = `e2e-${randomUUID()}`;
    const response = await request<ApiEnvelope<{ app: string }>>(
      suite.url('auth-gateway', '/api/v1/system/peers/integration-gateway/ping'),
      { headers: { 'x-request-id': requestId } },
    );
    expect(response.status).toBe(200);
    expect(response.body.data.app).toBe('integration-gateway');
    expect(response.headers.get('x-request-id')).toBe(requestId);
    await waitFor('the peer to log the request id', () =>
      suite.apps['integration-gateway'].logLines().some((line) => line.includes(requestId))
        ? true
        : undefined,
    );
  });

  it('serves Prometheus text with HTTP and RPC duration histograms', async () => {
    const response = await request(suite.url('auth-gateway', '/metrics'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(response.text).toContain('process_cpu_seconds_total');
    expect(response.text).toMatch(
      /http_request_duration_seconds_bucket\{[^}]*route="\/ready"[^}]*status="200"/,
    );
    expect(response.text).toMatch(
      /rpc_duration_seconds_bucket\{[^}]*pattern="ldap.ping"[^}]*side="client"/,
    );
    const peer = await request(suite.url('ldap-sync', '/metrics'));
    expect(peer.text).toMatch(
      /rpc_duration_seconds_bucket\{[^}]*pattern="ldap.ping"[^}]*side="server"/,
    );
  });
});
