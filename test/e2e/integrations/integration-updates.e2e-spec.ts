import { randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { firstValueFrom } from 'rxjs';
import { Webhook } from 'standardwebhooks';
import {
  EVENT_PATTERNS,
  type ProjectView,
  RPC_PATTERNS,
  type UnitsPage,
  type UnitStatusChangedEvent,
} from '@gatehouse/contracts';
import { AppProcess } from '@gatehouse/testing/app-process';
import { login, managementCaller, withDatabase } from '@gatehouse/testing/auth-client';
import { ClientApiStub } from '@gatehouse/testing/client-api-stub';
import { freePort } from '@gatehouse/testing/free-port';
import { request } from '@gatehouse/testing/http-client';
import { Suite } from '@gatehouse/testing/suite';
import { waitFor } from '@gatehouse/testing/wait-for';

/** Unit statuses arriving by webhook, polling and SSE (seed 004's update methods), stored,
 *  logged, emitted, and read back over HTTP and RPC. */
describe('integration status updates', () => {
  const ADMIN_PASSWORD = 'integration-updates-admin-password';
  const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
  const OTHER_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
  const SECRET_KEYS = `test:${randomBytes(32).toString('base64')}`;
  let stub: ClientApiStub;
  let suite: Suite;
  let gateway: string;
  let adminToken: string;
  let subscriber: Redis;
  let rpc: ClientProxy;
  const events: UnitStatusChangedEvent[] = [];
  let replica: AppProcess | undefined;

  const call = managementCaller(
    () => gateway,
    '/api/v1/projects',
    () => adminToken,
    20000,
  );

  beforeAll(async () => {
    stub = new ClientApiStub();
    await stub.start();
    suite = await Suite.start({
      label: 'integration-updates',
      env: {
        GATEHOUSE_ADMIN_USERNAME: 'admin',
        GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        GATEHOUSE_SECRET_KEYS: SECRET_KEYS,
        INTEGRATION_ALLOW_PRIVATE_NETWORKS: 'true',
      },
    });
    gateway = suite.apps['auth-gateway'].baseUrl;
    adminToken = (await login(gateway, 'admin', ADMIN_PASSWORD)).accessToken;
    subscriber = new Redis({ host: '127.0.0.1', port: suite.redis.port });
    await subscriber.subscribe(EVENT_PATTERNS.unitStatusChanged);
    subscriber.on('message', (_channel: string, message: string) => {
      const packet = JSON.parse(message) as { data: UnitStatusChangedEvent };
      events.push(packet.data);
    });
    Logger.overrideLogger(['error', 'warn']);
    rpc = ClientProxyFactory.create({
      transport: Transport.REDIS,
      options: { host: '127.0.0.1', port: suite.redis.port },
    });
    await rpc.connect();
    for (const slug of ['hook', 'poll', 'stream']) {
      expect((await call('POST', '', { slug, name: slug })).status).toBe(201);
    }
  });

  afterAll(async () => {
    await replica?.stop();
    await rpc?.close();
    subscriber?.disconnect();
    await suite?.stop();
    await stub?.stop();
  });

  const units = async (slug: string, status?: string): Promise<Record<string, string>> => {
    const answer = await call<UnitsPage>(
      'GET',
      `/${slug}/units${status ? `?status=${status}` : ''}`,
    );
    expect(answer.status).toBe(200);
    return Object.fromEntries(answer.body.data.items.map((u) => [u.unit_id, u.status]));
  };
  const storedStatus = (unitId: string): Promise<string | undefined> =>
    withDatabase(suite.database.url, async (client) => {
      const rows = await client.query<{ status: string }>(
        'SELECT status FROM integration_unit_statuses WHERE unit_id = $1',
        [unitId],
      );
      return rows.rows[0]?.status;
    });
  const project = async (slug: string): Promise<ProjectView> =>
    (await call<ProjectView>('GET', `/${slug}`)).body.data;

  const withRedis = async <T>(work: (redis: Redis) => Promise<T>): Promise<T> => {
    const redis = new Redis({ host: '127.0.0.1', port: suite.redis.port });
    try {
      return await work(redis);
    } finally {
      redis.disconnect();
    }
  };

  const webhookUrl = (slug: string): string =>
    `${suite.apps['integration-gateway'].baseUrl}/webhooks/${slug}`;

  const signed = (
    body: unknown,
    options: { id?: string; secret?: string; at?: Date } = {},
  ): { headers: Record<string, string>; payload: string } => {
    const payload = JSON.stringify(body);
    const id = options.id ?? `msg_${randomUUID()}`;
    const at = options.at ?? new Date();
    const signature = new Webhook(options.secret ?? SECRET).sign(id, at, payload);
    return {
      payload,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
      },
    };
  };
  const deliver = (slug: string, message: { headers: Record<string, string>; payload: string }) =>
    request<{ data: { received: number; changed: number } }>(webhookUrl(slug), {
      method: 'POST',
      headers: message.headers,
      body: message.payload,
    });
  const changeLogCount = (): Promise<number> =>
    withDatabase(suite.database.url, async (client) =>
      Number(
        (await client.query<{ n: string }>('SELECT count(*) AS n FROM integration_status_changes'))
          .rows[0]?.n,
      ),
    );

  describe('webhooks', () => {
    beforeAll(async () => {
      const saved = await call('PUT', '/hook/integration', {
        api_base_url: stub.url,
        update_method: 'webhook',
        webhook_secret: SECRET,
        status_mapping: { sold: ['Sold', 'Closed'] },
      });
      expect(saved.status).toBe(200);
      expect(saved.text).not.toContain(SECRET.slice(6));
    });

    it('stores a signed webhook, maps it with the configured lists, logs the change and emits it', async () => {
      const answer = await deliver(
        'hook',
        signed({ type: 'unit.updated', data: { id: 'W1', status: 'Closed' } }),
      );
      expect(answer.status).toBe(200);
      expect(answer.body.data).toMatchObject({ received: 1, changed: 1 });
      expect(await units('hook', 'sold')).toEqual({ W1: 'sold' });
      const list = await deliver(
        'hook',
        signed([
          { id: 'W2', status: 'ON_HOLD' },
          { id: 'W3', status: 'Announced' },
        ]),
      );
      expect(list.body.data).toMatchObject({ received: 2, changed: 2 });
      expect(await units('hook')).toEqual({ W1: 'sold', W2: 'hold', W3: 'coming_soon' });
      const event = await waitFor('the change event', () =>
        events.find((e) => e.slug === 'hook' && e.changes.some((c) => c.unit_id === 'W1')),
      );
      expect(event).toMatchObject({ tenantId: '1', source: 'webhook' });
      expect(event.changes[0]).toMatchObject({
        unit_id: 'W1',
        old_status: null,
        status: 'sold',
        raw_status: 'Closed',
      });
      const log = await withDatabase(
        suite.database.url,
        async (client) =>
          (
            await client.query<Record<string, string | null>>(
              "SELECT unit_id, old_status, new_status, raw_status, source FROM integration_status_changes WHERE unit_id = 'W1'",
            )
          ).rows,
      );
      expect(log).toEqual([
        {
          unit_id: 'W1',
          old_status: null,
          new_status: 'sold',
          raw_status: 'Closed',
          source: 'webhook',
        },
      ]);
    });

    it('writes nothing for an unchanged value, and logs old and new on a change', async () => {
      const before = await changeLogCount();
      const same = await deliver('hook', signed({ data: { id: 'W1', status: 'Closed' } }));
      expect(same.body.data).toMatchObject({ received: 1, changed: 0 });
      expect(await changeLogCount()).toBe(before);
      const changed = await deliver('hook', signed({ data: { id: 'W1', status: 'Reserved' } }));
      expect(changed.body.data.changed).toBe(1);
      const last = await withDatabase(
        suite.database.url,
        async (client) =>
          (
            await client.query<Record<string, string | null>>(
              "SELECT old_status, new_status FROM integration_status_changes WHERE unit_id = 'W1' ORDER BY id DESC LIMIT 1",
            )
          ).rows[0],
      );
      expect(last).toEqual({ old_status: 'sold', new_status: 'reserved' });
    });

    it('stores an unknown value as unavailable and counts it in the metrics', async () => {
      const answer = await deliver('hook', signed({ data: { id: 'W4', status: 'Weird' } }));
      expect(answer.body.data).toMatchObject({ changed: 1 });
      expect((await units('hook'))['W4']).toBe('unavailable');
      const metrics = await request(`${suite.apps['integration-gateway'].baseUrl}/metrics`);
      expect(metrics.text).toMatch(/integration_unknown_status_total\{source="webhook"\} [1-9]/);
    });

    it('answers 401 to unsigned, badly signed and stale webhooks, 409 to a replayed id, and changes nothing', async () => {
      const before = await changeLogCount();
      const body = { data: { id: 'W1', status: 'Available' } };
      const unsigned = await request(webhookUrl('hook'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(unsigned.status).toBe(401);
      expect((await deliver('hook', signed(body, { secret: OTHER_SECRET }))).status).toBe(401);
      const stale = await deliver('hook', signed(body, { at: new Date(Date.now() - 6 * 60_000) }));
      expect(stale.status).toBe(401);
      const tampered = signed(body);
      tampered.payload = JSON.stringify({ data: { id: 'W1', status: 'Sold' } });
      expect((await deliver('hook', tampered)).status).toBe(401);
      expect((await deliver('nope', signed(body))).status).toBe(401);

      const huge = signed({ data: { id: 'W1', status: 'Available', pad: 'x'.repeat(1_100_000) } });
      expect((await deliver('hook', huge)).status).toBe(413);
      const notJson = signed({ data: { id: 'W1', status: 'Available' } });
      notJson.payload = '{"data": {"id": "W1"';
      notJson.headers['webhook-signature'] = new Webhook(SECRET).sign(
        notJson.headers['webhook-id'] ?? '',
        new Date(Number(notJson.headers['webhook-timestamp']) * 1000),
        notJson.payload,
      );
      expect((await deliver('hook', notJson)).status).toBe(400);

      const first = signed({ data: { id: 'W5', status: 'Open' } }, { id: 'msg_fixed' });
      expect((await deliver('hook', first)).status).toBe(200);
      const replay = await deliver('hook', first);
      expect(replay.status).toBe(409);
      const sameIdOtherBody = await deliver('hook', signed(body, { id: 'msg_fixed' }));
      expect(sameIdOtherBody.status).toBe(409);
      expect((await units('hook'))['W1']).toBe('reserved');
      expect(await changeLogCount()).toBe(before + 1);
    });

    it('rotates the webhook secret: shown once, the new one verifies, the old one no longer does', async () => {
      const rotated = await call<{ webhook_secret: string }>(
        'POST',
        '/hook/integration/webhook-secret',
      );
      expect(rotated.status).toBe(200);
      const fresh = rotated.body.data.webhook_secret;
      expect(fresh).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const config = await call('GET', '/hook/integration');
      expect(config.text).not.toContain(fresh.slice(6));
      expect(config.body.data).toMatchObject({ has_webhook_secret: true });
      const body = { data: { id: 'W6', status: 'Sold' } };
      expect((await deliver('hook', signed(body))).status).toBe(401);
      expect((await deliver('hook', signed(body, { secret: fresh }))).status).toBe(200);
      expect((await units('hook'))['W6']).toBe('sold');
    });

    it('answers the units over RPC too, filtered by status', async () => {
      const reply = await firstValueFrom(
        rpc.send<UnitsPage>(RPC_PATTERNS.integration.listUnits, {
          meta: { requestId: 'units-rpc' },
          data: { tenantId: '1', slug: 'hook', status: 'hold' },
        }),
      );
      expect(reply.items.map((u) => [u.unit_id, u.status, u.raw_status, u.source])).toEqual([
        ['W2', 'hold', 'ON_HOLD', 'webhook'],
      ]);
      expect(reply.total).toBe(1);
      const otherTenant = rpc.send(RPC_PATTERNS.integration.listUnits, {
        meta: { requestId: 'units-rpc-tenant-2' },
        data: { tenantId: '2', slug: 'hook' },
      });
      await expect(firstValueFrom(otherTenant)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const bad = await call('GET', '/hook/units?status=gone');
      expect(bad.status).toBe(400);
    });
  });

  describe('polling', () => {
    it('polls on the schedule, picks up a change at the client, and records failures with retries', async () => {
      stub.setStatus('P1', 'Available');
      stub.setStatus('P2', 'Available');
      const saved = await call('PUT', '/poll/integration', {
        api_base_url: stub.url,
        status_endpoint: '/units',
        update_method: 'polling',
        polling_interval_seconds: 5,
        retry_count: 1,
        timeout_seconds: 2,
      });
      expect(saved.status).toBe(200);
      await waitFor(
        'the first poll',
        async () => ((await units('poll'))['P2'] === 'available' ? true : undefined),
        {
          timeoutMs: 15000,
          intervalMs: 500,
        },
      );
      stub.setStatus('P2', 'SOLD');
      await waitFor(
        'the change at the client',
        async () => ((await units('poll'))['P2'] === 'sold' ? true : undefined),
        {
          timeoutMs: 15000,
          intervalMs: 500,
        },
      );
      expect((await project('poll')).last_success_at).not.toBeNull();

      stub.failing = true;
      const before = stub.countOf('/units');
      const failed = await waitFor(
        'a failed poll',
        async () => {
          const current = await project('poll');
          return current.last_error ? current : undefined;
        },
        { timeoutMs: 20000, intervalMs: 500 },
      );
      expect(failed.last_error).toMatch(/HTTP 500/);
      expect(failed.consecutive_failures).toBeGreaterThanOrEqual(1);
      expect(stub.countOf('/units') - before).toBeGreaterThanOrEqual(2);
      const backedOff = await waitFor(
        'a backoff after repeated failures',
        () =>
          withDatabase(suite.database.url, async (client) => {
            const row = (
              await client.query(
                "SELECT next_poll_at FROM integration_projects WHERE slug = 'poll'",
              )
            ).rows[0] as { next_poll_at: Date | null } | undefined;
            return row?.next_poll_at ?? undefined;
          }),
        { timeoutMs: 20000, intervalMs: 500 },
      );
      expect(backedOff.getTime()).toBeGreaterThan(Date.now());
      stub.failing = false;
      await withDatabase(suite.database.url, (client) =>
        client.query("UPDATE integration_projects SET next_poll_at = NULL WHERE slug = 'poll'"),
      );
      await waitFor(
        'recovery',
        async () => ((await project('poll')).last_error === null ? true : undefined),
        {
          timeoutMs: 15000,
          intervalMs: 500,
        },
      );
      await call('PUT', '/poll/integration', { update_method: 'webhook' });
    });
  });

  describe('SSE', () => {
    it('consumes the stream, reconnects with Last-Event-ID after a drop and after a stall', async () => {
      const saved = await call('PUT', '/stream/integration', {
        api_base_url: stub.url,
        status_endpoint: '/stream',
        update_method: 'sse',
        timeout_seconds: 1,
      });
      expect(saved.status).toBe(200);
      const first = await waitFor('the stream to open', () => stub.openStreams()[0], {
        timeoutMs: 15000,
      });
      first.send('1', { id: 'S1', status: 'Sold' });
      await waitFor('S1 stored', async () =>
        (await units('stream'))['S1'] === 'sold' ? true : undefined,
      );
      first.drop();
      const second = await waitFor(
        'a reconnect',
        () => stub.openStreams().find((s) => s !== first),
        { timeoutMs: 15000 },
      );
      expect(second.lastEventId).toBe('1');
      second.send('2', { id: 'S1', status: 'Reserved' });
      await waitFor('S1 updated', async () =>
        (await units('stream'))['S1'] === 'reserved' ? true : undefined,
      );
      // Silent for longer than 3 × timeout: treated as stalled and reopened from event 2.
      const third = await waitFor(
        'a reconnect after the stall',
        () => stub.openStreams().find((s) => s !== second),
        {
          timeoutMs: 15000,
        },
      );
      expect(third.lastEventId).toBe('2');
      expect(second.closed).toBe(true);
      const warnings = suite.apps['integration-gateway'].logLines().join('\n');
      expect(warnings).toMatch(/project stream: SSE stream: .*; reconnecting/);
      expect(warnings).toMatch(/project stream: SSE stream: no data for 3000 ms; reconnecting/);
    });

    it('keeps one connection per project across replicas, and another replica takes over', async () => {
      replica = new AppProcess(
        'integration-gateway',
        await freePort(),
        {
          NODE_ENV: 'test',
          LOG_LEVEL: 'debug',
          DATABASE_URL: suite.database.url,
          REDIS_URL: suite.redis.url,
          GATEHOUSE_SECRET_KEYS: SECRET_KEYS,
          INTEGRATION_ALLOW_PRIVATE_NETWORKS: 'true',
        },
        'integration-updates-replica',
      );
      await replica.start();
      // A quiet stream is fine now (3 × 30 s before it counts as stalled).
      expect((await call('PUT', '/stream/integration', { timeout_seconds: 30 })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 7000));
      expect(stub.openStreams()).toHaveLength(1);
      const current = stub.openStreams()[0];
      current?.send('3', { id: 'S2', status: 'Hold' });
      await waitFor('S2 stored', async () =>
        (await storedStatus('S2')) === 'hold' ? true : undefined,
      );
      // Either replica may hold the lease (a config save restarts the consumer wherever the
      // lease is free first): stop the holder, named by the pid in the lease's owner.
      const projectId = (await project('stream')).id;
      const owner = await withRedis((redis) => redis.get(`gh:integration:sse-lease:${projectId}`));
      const holder =
        owner?.split(':')[1] === String(replica.pid) ? replica : suite.apps['integration-gateway'];
      expect(owner?.split(':')[1]).toBe(String(holder.pid));
      await holder.stop('SIGTERM');
      const takeover = await waitFor(
        'the replica to take over',
        () => stub.openStreams().find((s) => s !== current),
        {
          timeoutMs: 20000,
        },
      );
      expect(takeover.lastEventId).toBe('3');
      expect(stub.openStreams()).toHaveLength(1);
    });
  });
});
