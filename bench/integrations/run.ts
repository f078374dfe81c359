/**
 * `npm run bench:integrations`: the "Speed" figures of issue 5, measured in one run against a
 * loopback stub client API served by this process, with integration-gateway built into
 * .tmp/bench-dist and run on a throwaway Redis and a `gh_bench_*` database:
 *  1. webhook ingestion: signed events/s end to end (verified, mapped, stored) from a separate
 *     load-generator process; target ≥ 2,000/s;
 *  2. one poll of a 10,000-unit status list: from the stub receiving the GET to the project's
 *     poll being stored (first poll: 10,000 inserts; second: 10,000 changes; third: unchanged);
 *     target < 1 s;
 *  3. 200 projects polled every 5 s: CPU of the integration-gateway process, in % of one core;
 *     target < 25 %.
 * Prints a table and writes .tmp/bench-integrations.json. A MISS exits 0; setup failures exit 1.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { Client } from 'pg';
import { firstValueFrom, timeout } from 'rxjs';
import { RPC_PATTERNS, type RpcContract, type RpcPattern } from '@gatehouse/contracts';
import { createBenchDatabase, migrate } from '../auth/database';
import { nodeService, startHttpService, startRedis } from '../auth/stack';
import {
  CpuMeter,
  freePort,
  lastJsonObject,
  messageOf,
  repoRoot,
  runNode,
  SetupError,
  sleep,
  Teardown,
  waitFor,
} from '../auth/support';

const TENANT = '1';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const POLL_SECONDS = Number(process.env.BENCH_POLL_SECONDS ?? 30);
const CONCURRENCY = Number(process.env.BENCH_WEBHOOK_CONCURRENCY ?? 32);
const PROJECTS = Number(process.env.BENCH_POLL_PROJECTS ?? 200);
const BIG_UNITS = 10_000;
const SMALL_UNITS = 20;

const log = (message: string): void => console.log(`bench:integrations: ${message}`);

/** The stub client API: `/big` (10,000 units) and `/small/<n>` (20 units each). */
class Stub {
  bigStatus = 'Available';
  bigRequests: number[] = [];
  smallRequests = 0;
  private server?: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = req.url ?? '/';
      let body: unknown;
      if (url === '/big') {
        this.bigRequests.push(Date.now());
        body = Array.from({ length: BIG_UNITS }, (_, i) => ({
          id: `B${i}`,
          status: this.bigStatus,
        }));
      } else if (url.startsWith('/small/')) {
        this.smallRequests += 1;
        body = Array.from({ length: SMALL_UNITS }, (_, i) => ({
          id: `S${i}`,
          status: 'Available',
        }));
      } else {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function processTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return (fields[11] ?? 0) + (fields[12] ?? 0);
}

async function main(): Promise<number> {
  const root = repoRoot();
  const teardown = new Teardown();
  const onSignal = (): void => {
    void teardown.runAll().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const logDir = join(root, '.tmp', 'bench-integrations');
    const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const database = await createBenchDatabase(adminUrl);
    teardown.add(`drop ${database.name}`, () => database.drop());
    await migrate(database.url);
    log(`database ${database.name}`);
    const redisUrl = await startRedis(await freePort(), logDir, teardown);
    const stub = new Stub();
    await stub.start();
    teardown.add('stop the stub', () => stub.stop());
    const port = await freePort();
    const service = nodeService(
      'integration-gateway',
      join(root, '.tmp', 'bench-dist', 'apps', 'integration-gateway', 'src', 'main.js'),
      {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        HTTP_HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        GATEHOUSE_SECRET_KEYS: `bench:${randomBytes(32).toString('base64')}`,
        INTEGRATION_ALLOW_PRIVATE_NETWORKS: 'true',
      },
      logDir,
    );
    const gatewayUrl = `http://127.0.0.1:${port}`;
    await startHttpService(service, `${gatewayUrl}/ready`);
    teardown.add('stop integration-gateway', () => service.stop());
    const pid = service.pid;
    if (pid === undefined) throw new SetupError('integration-gateway has no pid');

    const redis = new URL(redisUrl);
    const rpc: ClientProxy = ClientProxyFactory.create({
      transport: Transport.REDIS,
      options: { host: redis.hostname, port: Number(redis.port) },
    });
    await rpc.connect();
    teardown.add('close the RPC client', async () => {
      await rpc.close();
    });
    const send = <P extends RpcPattern>(
      pattern: P,
      data: RpcContract[P]['request'],
    ): Promise<RpcContract[P]['reply']> =>
      firstValueFrom(
        rpc
          .send<RpcContract[P]['reply']>(pattern, { meta: { requestId: 'bench' }, data })
          .pipe(timeout(15000)),
      );
    const db = new Client({ connectionString: database.url });
    await db.connect();
    teardown.add('close the database client', () => db.end());
    const stubUrl = `http://127.0.0.1:${stub.port}`;
    const results: Record<string, unknown> = {};

    // 1. Webhook ingestion.
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    await send(RPC_PATTERNS.integration.createProject, {
      tenantId: TENANT,
      slug: 'hook',
      name: 'hook',
    });
    await send(RPC_PATTERNS.integration.saveConfig, {
      tenantId: TENANT,
      slug: 'hook',
      api_base_url: stubUrl,
      update_method: 'webhook',
      webhook_secret: secret,
    });
    log(`webhooks: ${CONCURRENCY} senders for ${SECONDS} s`);
    const webhookCpu = CpuMeter.start(await database.backendPids());
    const output = await runNode(
      [join(root, '.tmp', 'bench-dist', 'bench', 'integrations', 'webhook-load.js')],
      {
        ...process.env,
        WEBHOOK_URL: `${gatewayUrl}/webhooks/hook`,
        WEBHOOK_SECRET: secret,
        WEBHOOK_CONCURRENCY: String(CONCURRENCY),
        WEBHOOK_SECONDS: String(SECONDS),
      },
      (SECONDS + 60) * 1000,
    );
    const webhookShare = webhookCpu?.stop(await database.backendPids());
    const load = lastJsonObject(output.stdout);
    if (!load) throw new SetupError(`webhook load generator said: ${output.stderr.slice(0, 500)}`);
    const stored = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM integration_status_changes c JOIN integration_projects p
         ON p.id = c.project_id WHERE p.slug = 'hook'`,
    );
    results.webhooks = {
      ...load,
      changesStored: Number(stored.rows[0]?.n ?? 0),
      othersCpuPercent: webhookShare?.othersPercent,
    };
    log(`webhooks: ${JSON.stringify(results.webhooks)}`);

    // 2. A 10,000-unit poll.
    await send(RPC_PATTERNS.integration.createProject, {
      tenantId: TENANT,
      slug: 'big',
      name: 'big',
    });
    await send(RPC_PATTERNS.integration.saveConfig, {
      tenantId: TENANT,
      slug: 'big',
      api_base_url: stubUrl,
      status_endpoint: '/big',
      update_method: 'polling',
      polling_interval_seconds: 5,
      timeout_seconds: 30,
      retry_count: 0,
    });
    const polls: { kind: string; ms: number }[] = [];
    for (const kind of ['first (10,000 inserts)', 'all changed (10,000 updates)', 'unchanged']) {
      const seen = stub.bigRequests.length;
      const fetchedAt = await waitFor(
        'a poll of the big list',
        () => Promise.resolve(stub.bigRequests[seen]),
        20000,
        5,
      );
      const storedAt = await waitFor(
        'the poll to be stored',
        async () => {
          const row = await db.query<{ at: Date | null }>(
            "SELECT last_success_at AS at FROM integration_projects WHERE slug = 'big'",
          );
          const at = row.rows[0]?.at;
          return at && at.getTime() >= fetchedAt ? at.getTime() : undefined;
        },
        20000,
        5,
      );
      polls.push({ kind, ms: storedAt - fetchedAt });
      log(`poll, ${kind}: ${storedAt - fetchedAt} ms`);
      stub.bigStatus = kind.startsWith('first') ? 'Sold' : stub.bigStatus;
    }
    await send(RPC_PATTERNS.integration.saveConfig, {
      tenantId: TENANT,
      slug: 'big',
      update_method: 'webhook',
    });
    results.bigPoll = polls;

    // 3. 200 projects every 5 s.
    log(`creating ${PROJECTS} polling projects`);
    for (let i = 0; i < PROJECTS; i += 1) {
      const slug = `p${String(i).padStart(3, '0')}`;
      await send(RPC_PATTERNS.integration.createProject, { tenantId: TENANT, slug, name: slug });
      await send(RPC_PATTERNS.integration.saveConfig, {
        tenantId: TENANT,
        slug,
        api_base_url: stubUrl,
        status_endpoint: `/small/${i}`,
        update_method: 'polling',
        polling_interval_seconds: 5,
        retry_count: 0,
      });
    }
    await sleep(12_000);
    const requestsBefore = stub.smallRequests;
    const ticksBefore = processTicks(pid);
    const pollCpu = CpuMeter.start(await database.backendPids());
    const started = Date.now();
    log(`measuring CPU of integration-gateway for ${POLL_SECONDS} s`);
    await sleep(POLL_SECONDS * 1000);
    const elapsed = (Date.now() - started) / 1000;
    const pollShare = pollCpu?.stop(await database.backendPids());
    const cpuPercent = ((processTicks(pid) - ticksBefore) / 100 / elapsed) * 100;
    const pollsPerSecond = (stub.smallRequests - requestsBefore) / elapsed;
    results.manyProjects = {
      projects: PROJECTS,
      seconds: Math.round(elapsed),
      pollsPerSecond: Math.round(pollsPerSecond * 10) / 10,
      expectedPollsPerSecond: PROJECTS / 5,
      cpuPercentOfOneCore: Math.round(cpuPercent * 10) / 10,
      othersCpuPercent: pollShare?.othersPercent,
    };
    log(`200 projects: ${JSON.stringify(results.manyProjects)}`);

    const webhookRate = Number((results.webhooks as { eventsPerSecond: number }).eventsPerSecond);
    const worstPoll = Math.max(...polls.map((p) => p.ms));
    const rows = [
      [
        'webhook ingestion (signed, stored)',
        `${webhookRate.toLocaleString('en')} events/s`,
        '≥ 2,000/s',
        webhookRate >= 2000,
      ],
      ...polls.map(
        (p) => [`10,000-unit poll, ${p.kind}`, `${p.ms} ms`, '< 1,000 ms', p.ms < 1000] as const,
      ),
      [
        `${PROJECTS} projects polled every 5 s`,
        `${(results.manyProjects as { cpuPercentOfOneCore: number }).cpuPercentOfOneCore}% of one core (${Math.round(pollsPerSecond)} polls/s)`,
        '< 25%',
        cpuPercent < 25,
      ],
    ] as const;
    console.log('\n| figure | measured | target | verdict |\n| --- | --- | --- | --- |');
    for (const [figure, measured, target, pass] of rows) {
      console.log(`| ${figure} | ${measured} | ${target} | ${pass ? 'PASS' : 'MISS'} |`);
    }
    console.log(
      `\nCPU of other work on this machine meanwhile (% of all cores; NOISY above 15): webhooks ${webhookShare?.othersPercent ?? '?'}%, polling ${pollShare?.othersPercent ?? '?'}%`,
    );
    writeFileSync(
      join(root, '.tmp', 'bench-integrations.json'),
      JSON.stringify({ ...results, worstPollMs: worstPoll }, null, 2),
    );
    return 0;
  } catch (error: unknown) {
    console.error(`bench:integrations failed: ${messageOf(error)}`);
    return 1;
  } finally {
    const failures = await teardown.runAll();
    for (const failure of failures) console.error(`teardown: ${failure}`);
  }
}

void main().then((code) => process.exit(code));
