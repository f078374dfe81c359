import { env, parseEnv, type EnvValues } from './env-schema';

/** The variables every app reads. App-specific ones live in each app's own `*.config.ts`. */
export const PLATFORM_ENV = {
  NODE_ENV: env.oneOf('Runtime mode', 'development', [
    'development',
    'test',
    'production',
  ] as const),
  LOG_LEVEL: env.oneOf('Minimum log level of the JSON logs', 'info', [
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
    'silent',
  ] as const),
  DATABASE_URL: env.url(
    'PostgreSQL connection URL; `npm run migrate` creates the database when missing',
    'postgres://postgres@127.0.0.1:5432/gatehouse',
    ['postgres:', 'postgresql:'],
  ),
  DATABASE_POOL_SIZE: env.int("Connections in each app's PostgreSQL pool", 10, 1, 200),
  REDIS_URL: env.url(
    'Redis URL for the RPC transport, queues and counters (a `/N` path selects db N)',
    'redis://127.0.0.1:6379',
    ['redis:', 'rediss:'],
  ),
  RPC_TIMEOUT_MS: env.int(
    'How long an RPC call waits for its peer before answering 503',
    2000,
    100,
    60000,
  ),
  READY_CHECK_TIMEOUT_MS: env.int(
    'How long each readiness check may take before it counts as down',
    1000,
    100,
    10000,
  ),
  SHUTDOWN_TIMEOUT_MS: env.int(
    'After SIGTERM, how long in-flight work may take before the process exits anyway',
    10000,
    1000,
    60000,
  ),
  HTTP_BODY_LIMIT: env.string('Largest accepted JSON body (express `limit` syntax)', '1mb'),
};

export type PlatformConfig = EnvValues<typeof PLATFORM_ENV>;

export function loadPlatformConfig(source: NodeJS.ProcessEnv = process.env): PlatformConfig {
  return parseEnv(PLATFORM_ENV, source);
}
