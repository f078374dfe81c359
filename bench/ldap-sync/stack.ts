/** The sync benchmark's stack: a private redis-server, a migrated `gh_bench_*` database, and
 *  ldap-sync and auth-gateway as processes built into .tmp/bench-dist; the bootstrap admin logs in
 *  and saves tenant 1's directory with `PUT /api/v1/ldap/config`, as an operator would. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createBenchDatabase, migrate } from '../auth/database';
import { login, nodeService, readJson, startHttpService, startRedis } from '../auth/stack';
import { ChildService, freePort, messageOf, SetupError, type Teardown } from '../auth/support';
import { createMemoryCgroup, LDAP_SYNC_NODE_OPTIONS } from './memory-limit';

export interface SyncStackOptions {
  root: string;
  postgresAdminUrl: string;
  ldapUrl: string;
  adminDn: string;
  adminPassword: string;
  usersBase: string;
  groupsBase: string;
  pageSize: number;
  batchSize: number;
  /** MiB of the memory cgroup ldap-sync runs in; 0 runs it without one. */
  memoryLimitMib: number;
  teardown: Teardown;
  log: (message: string) => void;
}

export interface SyncStack {
  gatewayUrl: string;
  databaseUrl: string;
  token: string;
  ldapSync: ChildService;
  /** PostgreSQL backends of the benchmark's database (their CPU is the benchmark's). */
  backendPids(): Promise<number[]>;
}

export async function startSyncStack(options: SyncStackOptions): Promise<SyncStack> {
  const { root, teardown, log } = options;
  const dist = join(root, '.tmp', 'bench-dist');
  const logDir = join(root, '.tmp', 'bench-logs');
  const [redisPort, gatewayPort, ldapSyncPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
  ]);
  const redisUrl = await startRedis(redisPort, logDir, teardown);
  log(`redis-server on ${redisPort}`);

  const database = await createBenchDatabase(options.postgresAdminUrl).catch((error: unknown) => {
    throw new SetupError(`could not create the bench database: ${messageOf(error)}`);
  });
  teardown.add(`drop database ${database.name}`, database.drop);
  const applied = await migrate(database.url);
  log(`database ${database.name}: ${applied.length} migrations applied`);

  const admin = { username: 'bench-admin', password: randomBytes(18).toString('base64url') };
  const appEnv: NodeJS.ProcessEnv = {
    HTTP_HOST: '127.0.0.1',
    NODE_ENV: 'test',
    // BENCH_LOG_LEVEL: e.g. info, to read a run's phases in .tmp/bench-logs.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    GATEHOUSE_SECRET_KEYS: `bench:${randomBytes(32).toString('base64')}`,
  };
  const limited = memoryLimited(options, teardown);
  const plainLdapSync = nodeService(
    'ldap-sync',
    join(dist, 'apps', 'ldap-sync', 'src', 'main.js'),
    {
      ...appEnv,
      PORT: String(ldapSyncPort),
      LDAP_SYNC_PAGE_SIZE: String(options.pageSize),
      LDAP_SYNC_BATCH_SIZE: String(options.batchSize),
      // The Deployment's node flags (k8s/base/ldap-sync.yaml).
      NODE_OPTIONS: LDAP_SYNC_NODE_OPTIONS,
      // BENCH_SYNC_WRITE_CONCURRENCY: pages written at once (the app's default otherwise).
      ...(process.env.BENCH_SYNC_WRITE_CONCURRENCY
        ? { LDAP_SYNC_WRITE_CONCURRENCY: process.env.BENCH_SYNC_WRITE_CONCURRENCY }
        : {}),
    },
    logDir,
    [
      // BENCH_SYNC_NODE_ARGS: more node flags for ldap-sync (they win over NODE_OPTIONS).
      ...(process.env.BENCH_SYNC_NODE_ARGS ?? '').split(' ').filter(Boolean),
      // BENCH_SYNC_PROFILE_DIR: a V8 CPU profile of ldap-sync, written when it stops.
      ...(process.env.BENCH_SYNC_PROFILE_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SYNC_PROFILE_DIR}`]
        : []),
    ],
  );
  const ldapSync = limited ? limited(plainLdapSync) : plainLdapSync;
  const gateway = nodeService(
    'auth-gateway',
    join(dist, 'apps', 'auth-gateway', 'src', 'main.js'),
    {
      ...appEnv,
      PORT: String(gatewayPort),
      GATEHOUSE_ADMIN_USERNAME: admin.username,
      GATEHOUSE_ADMIN_PASSWORD: admin.password,
      // The management calls wait for ldap-sync; a sync's first answer is immediate.
      RPC_TIMEOUT_MS: '10000',
    },
    logDir,
  );
  teardown.add('stop ldap-sync', () => ldapSync.stop('SIGTERM', 12000));
  teardown.add('stop auth-gateway', () => gateway.stop('SIGTERM', 12000));
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  log('starting ldap-sync and auth-gateway');
  await Promise.all([
    startHttpService(ldapSync, `http://127.0.0.1:${ldapSyncPort}/health`),
    startHttpService(gateway, `${gatewayUrl}/.well-known/jwks.json`),
  ]);
  const token = await login(gatewayUrl, admin.username, admin.password);
  const saved = await readJson(
    await fetch(`${gatewayUrl}/api/v1/ldap/config`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        isEnabled: true,
        server: options.ldapUrl,
        baseDN: 'dc=example,dc=com',
        bindDN: options.adminDn,
        bindPassword: options.adminPassword,
        userSearchBase: options.usersBase,
        userSearchFilter: '(uid={0})',
        groupSearchBase: options.groupsBase,
        groupSearchFilter: '(member={0})',
        useSsl: false,
        syncEnabled: false,
        syncInterval: 3600,
      }),
      signal: AbortSignal.timeout(15000),
    }),
    'PUT /api/v1/ldap/config',
  );
  if (saved.code !== 'S') throw new SetupError(`PUT /config answered code ${String(saved.code)}`);
  log(`tenant 1's directory saved through the gateway (${options.ldapUrl})`);
  return {
    gatewayUrl,
    databaseUrl: database.url,
    token,
    ldapSync,
    backendPids: () => database.backendPids().catch(() => []),
  };
}

/** ldap-sync in a memory cgroup of `memoryLimitMib`, as its Kubernetes limit runs it (null and a
 *  log line saying why when there is none). */
function memoryLimited(
  options: SyncStackOptions,
  teardown: Teardown,
): ((service: ChildService) => ChildService) | null {
  if (options.memoryLimitMib === 0) {
    options.log('ldap-sync runs without a memory limit (BENCH_SYNC_MEMORY_LIMIT_MIB=0)');
    return null;
  }
  const cgroup = createMemoryCgroup(`gatehouse-bench-${process.pid}`, options.memoryLimitMib);
  if (typeof cgroup === 'string') {
    options.log(
      `ldap-sync runs without a memory limit: no memory cgroup could be made (${cgroup})`,
    );
    return null;
  }
  teardown.add(`remove ${cgroup.path}`, () => Promise.resolve(cgroup.remove()));
  options.log(
    `ldap-sync runs in memory cgroup ${cgroup.path} limited to ${options.memoryLimitMib} MiB, like its Kubernetes limit`,
  );
  return (service) => {
    const wrapped = cgroup.wrap(service.spec.command, service.spec.args);
    return new ChildService({ ...service.spec, ...wrapped });
  };
}
