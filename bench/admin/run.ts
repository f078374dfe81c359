/** `npm run bench:admin`: seeds 100,000 users (BENCH_ADMIN_USERS) into a gh_bench_* database,
 *  starts auth-gateway on a throwaway redis-server, and measures GET /api/v1/admin/users/search
 *  (several keyword, filter and sort shapes) and GET /api/v1/admin/stats through HTTP, one request
 *  at a time (BENCH_ADMIN_ROUNDS per shape after a warm-up). Prints p50/p99 against the targets
 *  (search p99 < 100 ms, stats < 200 ms), the keyword query's plan, and writes
 *  .tmp/bench-admin.json. Exit 0 whatever the figures; 1 when the harness fails. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBenchDatabase, migrate } from '../auth/database';
import { login } from '../auth/stack';
import {
  ChildService,
  freePort,
  messageOf,
  repoRoot,
  SetupError,
  Teardown,
  waitFor,
} from '../auth/support';
import { keywordPlan, seedAdminUsers } from './seed';

const USERS = Number(process.env.BENCH_ADMIN_USERS ?? 100000);
const ROUNDS = Number(process.env.BENCH_ADMIN_ROUNDS ?? 200);
const POSTGRES = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const SHAPES: { name: string; path: string; targetP99Ms: number }[] = [
  { name: 'search keyword (surname)', path: '/users/search?keyword=kowalski', targetP99Ms: 100 },
  {
    name: 'search keyword (full name)',
    path: '/users/search?keyword=grace.tanaka',
    targetP99Ms: 100,
  },
  { name: 'search employee number', path: '/users/search?keyword=E004213', targetP99Ms: 100 },
  {
    name: 'search email domain + filters (no match)',
    path: '/users/search?keyword=corp3&source=ldap&active=true',
    targetP99Ms: 100,
  },
  {
    name: 'search no keyword, by username, page 50',
    path: '/users/search?sort=username&order=asc&page=50&size=20',
    targetP99Ms: 100,
  },
  { name: 'search newest first', path: '/users/search', targetP99Ms: 100 },
  {
    name: 'search system + role',
    path: '/users/search?system=TTS&role=Technician&size=50',
    targetP99Ms: 100,
  },
  { name: 'stats', path: '/stats', targetP99Ms: 200 },
];

function log(message: string): void {
  process.stdout.write(`bench:admin: ${message}\n`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function measure(url: string, token: string): Promise<{ ms: number; status: number }> {
  const started = process.hrtime.bigint();
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10000),
  });
  await response.arrayBuffer();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, status: response.status };
}

async function startRedis(teardown: Teardown, logDir: string): Promise<string> {
  const port = await freePort();
  const redis = new ChildService({
    name: 'redis-server',
    command: 'redis-server',
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ],
    env: process.env,
    logPath: join(logDir, 'admin-redis-server.log'),
  });
  redis.start();
  teardown.add('stop redis-server', () => redis.stop('SIGKILL', 2000));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const failure = redis.failure();
  if (failure) throw new SetupError(failure);
  return `redis://127.0.0.1:${port}`;
}

async function main(teardown: Teardown): Promise<void> {
  const root = repoRoot();
  const logDir = join(root, '.tmp', 'bench-logs');
  mkdirSync(logDir, { recursive: true });
  const redisUrl = await startRedis(teardown, logDir);
  const database = await createBenchDatabase(POSTGRES);
  teardown.add(`drop database ${database.name}`, database.drop);
  await migrate(database.url);
  const seeded = await seedAdminUsers(database.url, USERS);
  log(`seeded ${seeded.users} users and ${seeded.grants} grants in ${seeded.ms} ms`);

  const admin = { username: 'bench-admin', password: randomBytes(18).toString('base64url') };
  const port = await freePort();
  const gateway = new ChildService({
    name: 'auth-gateway',
    command: process.execPath,
    args: [join(root, '.tmp', 'bench-dist', 'apps', 'auth-gateway', 'src', 'main.js')],
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HTTP_HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      GATEHOUSE_ADMIN_USERNAME: admin.username,
      GATEHOUSE_ADMIN_PASSWORD: admin.password,
      ACCESS_TOKEN_TTL_SECONDS: '86400',
    },
    logPath: join(logDir, 'admin-auth-gateway.log'),
  });
  gateway.start();
  teardown.add('stop auth-gateway', () => gateway.stop('SIGTERM', 12000));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'auth-gateway',
    async () => {
      const failure = gateway.failure();
      if (failure) throw new SetupError(failure);
      const response = await fetch(`${base}/.well-known/jwks.json`);
      return response.status === 200 ? true : undefined;
    },
    60000,
    200,
  );
  const token = await login(base, admin.username, admin.password);

  const results: Record<string, unknown>[] = [];
  const lines: string[] = [];
  for (const shape of SHAPES) {
    const url = `${base}/api/v1/admin${shape.path}`;
    for (let i = 0; i < 10; i += 1) {
      const warm = await measure(url, token);
      if (warm.status !== 200) throw new SetupError(`${shape.path} answered ${warm.status}`);
    }
    const samples: number[] = [];
    for (let i = 0; i < ROUNDS; i += 1) samples.push((await measure(url, token)).ms);
    samples.sort((a, b) => a - b);
    const p50 = percentile(samples, 50);
    const p99 = percentile(samples, 99);
    const verdict = p99 < shape.targetP99Ms ? 'PASS' : 'MISS';
    results.push({ ...shape, p50, p99, rounds: ROUNDS, verdict });
    lines.push(
      `| ${shape.name} | ${p50.toFixed(1)} ms | ${p99.toFixed(1)} ms | < ${shape.targetP99Ms} ms | ${verdict} |`,
    );
  }
  const plan = await keywordPlan(database.url, 'e004213');
  process.stdout.write(
    [
      '',
      `admin API latency, ${USERS} users, ${ROUNDS} sequential requests per shape (HTTP, loopback)`,
      '| query | p50 | p99 | target (p99) | verdict |',
      '| --- | --- | --- | --- | --- |',
      ...lines,
      '',
      'plan of the keyword search:',
      ...plan.map((line) => `  ${line}`),
      '',
    ].join('\n'),
  );
  mkdirSync(join(root, '.tmp'), { recursive: true });
  writeFileSync(
    join(root, '.tmp', 'bench-admin.json'),
    JSON.stringify({ users: USERS, rounds: ROUNDS, seeded, results, plan }, null, 2),
  );
}

const teardown = new Teardown();
let code = 0;
process.once('SIGINT', () => {
  void teardown.runAll().finally(() => process.exit(130));
});
main(teardown)
  .catch((error: unknown) => {
    code = 1;
    log(`failed: ${messageOf(error)}`);
  })
  .finally(async () => {
    const problems = await teardown.runAll();
    for (const problem of problems) log(`teardown: ${problem}`);
    process.exit(problems.length > 0 ? 1 : code);
  });
