import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createBenchDatabase, migrate, seedUsers } from './database';
import { BATCH_SIZE, type BenchSettings } from './settings';
import {
  ChildService,
  freePort,
  isRecord,
  messageOf,
  SetupError,
  type Teardown,
  waitFor,
} from './support';

const ISSUER = 'gatehouse';
const AUDIENCE = 'gatehouse';
const KID = 'bench';
const VALIDATE_PATH = '/api/v1/users/token/validate/';

/** Everything the measurements need, running. */
export interface Stack {
  root: string;
  gatewayUrl: string;
  bareUrl: string;
  redisUrl: string;
  databaseUrl: string;
  databaseName: string;
  /** GATEHOUSE_SECRET_KEYS of ldap-sync and the gateway (what stored LDAP bind passwords are
   *  encrypted with). */
  secretKeys: string;
  /** Access token of the bootstrap admin (a live session). */
  token: string;
  admin: { username: string; password: string };
  userIds: number[];
  grants: number;
  logDir: string;
  /** Local processes working for the stack that are not its children (PostgreSQL backends). */
  helperPids(): Promise<number[]>;
}

type Log = (message: string) => void;

/** BENCH_PROFILE_DIR: V8 CPU profiles of auth-gateway and ldap-sync, written when they stop. */
function profileArgs(): string[] {
  const dir = process.env.BENCH_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

export function nodeService(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  logDir: string,
  nodeArgs: string[] = [],
): ChildService {
  if (!existsSync(entry)) throw new SetupError(`${entry} is missing: build it first`);
  return new ChildService({
    name,
    command: process.execPath,
    args: [...nodeArgs, entry],
    env: { ...process.env, ...env },
    logPath: join(logDir, `${name}.log`),
  });
}

async function httpStatus(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

/** Starts `service` and waits (bounded) until GET `probeUrl` answers 200. */
export async function startHttpService(service: ChildService, probeUrl: string): Promise<void> {
  service.start();
  await waitFor(
    `${service.spec.name} at ${probeUrl}`,
    async () => {
      const failure = service.failure();
      if (failure) throw new SetupError(failure);
      const status = await httpStatus(probeUrl);
      if (status !== 200) throw new Error(`GET ${probeUrl} answered ${status ?? 'nothing'}`);
      return true;
    },
    60000,
    200,
  );
}

export async function startRedis(
  port: number,
  logDir: string,
  teardown: Teardown,
): Promise<string> {
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
    logPath: join(logDir, 'redis-server.log'),
  });
  redis.start();
  teardown.add('stop redis-server', () => redis.stop('SIGKILL', 2000));
  await waitFor(
    'redis-server to accept connections',
    async () => {
      const failure = redis.failure();
      if (failure) throw new SetupError(failure);
      const { Redis } = await import('ioredis');
      const client = new Redis({
        port,
        host: '127.0.0.1',
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.ping()) === 'PONG' ? true : undefined;
      } finally {
        client.disconnect();
      }
    },
    15000,
  );
  return `redis://127.0.0.1:${port}`;
}

export async function readJson(
  response: Response,
  what: string,
  status = 200,
): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (response.status !== status) {
    throw new SetupError(`${what} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  const parsed: unknown = JSON.parse(text);
  if (!isRecord(parsed))
    throw new SetupError(`${what} answered a non-object: ${text.slice(0, 300)}`);
  return parsed;
}

export async function login(
  gatewayUrl: string,
  username: string,
  password: string,
): Promise<string> {
  const response = await fetch(`${gatewayUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
    signal: AbortSignal.timeout(10000),
  });
  const body = await readJson(response, 'POST /api/v1/auth/login');
  const data = body.data;
  if (!isRecord(data) || typeof data.access_token !== 'string') {
    throw new SetupError('login answered without data.access_token');
  }
  return data.access_token;
}

/** One request per measured route, checking the answer is what the load will ask for: a figure
 *  of 401s or 404s would be worthless. */
async function sanityCheck(stack: Stack): Promise<void> {
  const auth = { Authorization: `Bearer ${stack.token}` };
  for (const [what, base] of [
    ['gateway validate', stack.gatewayUrl],
    ['bare validate', stack.bareUrl],
  ] as const) {
    const response = await fetch(`${base}${VALIDATE_PATH}`, {
      headers: auth,
      signal: AbortSignal.timeout(5000),
    });
    const claims = await readJson(response, what);
    if (typeof claims.user_id !== 'number') throw new SetupError(`${what}: no user_id in claims`);
  }
  const id = stack.userIds[Math.floor(stack.userIds.length / 2)];
  const one = await readJson(
    await fetch(`${stack.gatewayUrl}/api/v1/tts/user-info/${id}/`, {
      headers: auth,
      signal: AbortSignal.timeout(5000),
    }),
    'user-info',
  );
  if (one.id !== id || !Array.isArray(one.roles) || one.roles.length === 0) {
    throw new SetupError(`user-info of ${id} came back without its grants`);
  }
  const batch = await readJson(
    await fetch(`${stack.gatewayUrl}/api/v1/tts/users-info/`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: batchBody(stack.userIds),
      signal: AbortSignal.timeout(10000),
    }),
    'users-info',
  );
  if (!Array.isArray(batch.users) || batch.users.length !== BATCH_SIZE) {
    throw new SetupError(
      `users-info answered ${String(batch.users)} instead of ${BATCH_SIZE} users`,
    );
  }
}

export function batchBody(userIds: number[]): string {
  return JSON.stringify({ user_ids: userIds.slice(0, BATCH_SIZE) });
}

export function userInfoPath(userIds: number[]): string {
  return `/api/v1/tts/user-info/${userIds[Math.floor(userIds.length / 2)]}/`;
}

export { VALIDATE_PATH };

/** Redis, a migrated and seeded database, auth-gateway, ldap-sync and the bare server, each
 *  registered with `teardown` as soon as it exists. */
export async function startStack(
  root: string,
  settings: BenchSettings,
  teardown: Teardown,
  log: Log,
): Promise<Stack> {
  const dist = join(root, '.tmp', 'bench-dist');
  const logDir = join(root, '.tmp', 'bench-logs');
  const [redisPort, gatewayPort, ldapSyncPort, barePort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);

  log(`redis-server on ${redisPort}`);
  const redisUrl = await startRedis(redisPort, logDir, teardown);

  const database = await createBenchDatabase(settings.postgresAdminUrl).catch((error: unknown) => {
    throw new SetupError(`could not create the bench database: ${messageOf(error)}`);
  });
  teardown.add(`drop database ${database.name}`, database.drop);
  const applied = await migrate(database.url);
  log(`database ${database.name}: migrations ${applied.join(', ') || '(none)'}`);
  const seeded = await seedUsers(database.url, settings.users);
  log(`seeded ${seeded.ids.length} users with ${seeded.grants} role grants`);

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const admin = { username: 'bench-admin', password: randomBytes(18).toString('base64url') };
  const secretKeys = `bench:${randomBytes(32).toString('base64')}`;
  const appEnv: NodeJS.ProcessEnv = {
    HTTP_HOST: '127.0.0.1',
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    GATEHOUSE_SECRET_KEYS: secretKeys,
  };

  const ldapSync = nodeService(
    'ldap-sync',
    join(dist, 'apps', 'ldap-sync', 'src', 'main.js'),
    { ...appEnv, PORT: String(ldapSyncPort) },
    logDir,
    profileArgs(),
  );
  const gateway = nodeService(
    'auth-gateway',
    join(dist, 'apps', 'auth-gateway', 'src', 'main.js'),
    {
      ...appEnv,
      PORT: String(gatewayPort),
      JWT_ALGORITHM: 'RS256',
      JWT_PRIVATE_KEYS: `${KID}:${Buffer.from(privatePem).toString('base64')}`,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      ACCESS_TOKEN_TTL_SECONDS: '86400',
      GATEHOUSE_ADMIN_USERNAME: admin.username,
      GATEHOUSE_ADMIN_PASSWORD: admin.password,
      LOGIN_MAX_FAILURES: '1000',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
    },
    logDir,
    profileArgs(),
  );
  const bare = new ChildService({
    name: 'bare-server',
    command: process.execPath,
    args: [join(root, 'bench', 'auth', 'bare-server.js')],
    env: {
      ...process.env,
      PORT: String(barePort),
      HTTP_HOST: '127.0.0.1',
      BARE_PUBLIC_KEY: Buffer.from(publicPem).toString('base64'),
      BARE_KID: KID,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    },
    logPath: join(logDir, 'bare-server.log'),
  });
  teardown.add('stop ldap-sync', () => ldapSync.stop('SIGTERM', 12000));
  teardown.add('stop auth-gateway', () => gateway.stop('SIGTERM', 12000));
  teardown.add('stop bare server', () => bare.stop('SIGTERM', 5000));

  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const bareUrl = `http://127.0.0.1:${barePort}`;
  log('starting ldap-sync, auth-gateway and the bare server');
  // The gateway is probed on its public JWKS, not /health: its global token guard answers /health
  // with 401 (a finding of this benchmark), and the JWKS also proves it loaded the bench key.
  await Promise.all([
    startHttpService(ldapSync, `http://127.0.0.1:${ldapSyncPort}/health`),
    startHttpService(gateway, `${gatewayUrl}/.well-known/jwks.json`),
    startHttpService(bare, `${bareUrl}/health`),
  ]);
  const jwks = await readJson(
    await fetch(`${gatewayUrl}/.well-known/jwks.json`, { signal: AbortSignal.timeout(5000) }),
    'GET /.well-known/jwks.json',
  );
  const kids = Array.isArray(jwks.keys)
    ? jwks.keys.map((key) => (isRecord(key) ? key.kid : ''))
    : [];
  if (!kids.includes(KID)) {
    throw new SetupError(
      `the gateway does not sign with the bench key (JWKS kids: ${kids.join(',')})`,
    );
  }

  const token = await login(gatewayUrl, admin.username, admin.password);
  const stack: Stack = {
    root,
    gatewayUrl,
    bareUrl,
    redisUrl,
    databaseUrl: database.url,
    databaseName: database.name,
    secretKeys,
    token,
    admin,
    userIds: seeded.ids,
    grants: seeded.grants,
    logDir,
    helperPids: () => database.backendPids().catch(() => []),
  };
  await sanityCheck(stack);
  log('stack up; every measured route answered correctly once');
  return stack;
}
