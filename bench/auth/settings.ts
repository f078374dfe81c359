import { SetupError } from './support';

/** What the run can be tuned with (environment variables, all optional). */
export interface BenchSettings {
  /** BENCH_SECONDS: length of each measured load phase. */
  seconds: number;
  /** BENCH_WARMUP_SECONDS: load before each measured phase, not counted. */
  warmupSeconds: number;
  /** BENCH_CONNECTIONS: concurrent HTTP connections (validation, user-info). */
  connections: number;
  /** BENCH_RPC_CONCURRENCY: RPC requests kept in flight (default: BENCH_CONNECTIONS). */
  rpcConcurrency: number;
  /** BENCH_LOGIN_CONNECTIONS: concurrent logins (argon2 is the cost; a few saturate 2 cores). */
  loginConnections: number;
  /** BENCH_BATCH_REQUESTS: sequential 1,000-id users-info requests. */
  batchRequests: number;
  /** BENCH_USERS: users inserted for the lookups (at least 1,000: the batch asks for 1,000). */
  users: number;
  /** BENCH_POSTGRES_URL (else TEST_POSTGRES_URL): an account that may create databases. */
  postgresAdminUrl: string;
  /** BENCH_OUTPUT: where the JSON results go, relative to the repository root. */
  output: string;
  /** BENCH_ONLY: the phases to measure (comma-separated names of PHASES); all when unset. */
  only: ReadonlySet<Phase>;
}

/** The phases of the run, by the names BENCH_ONLY takes. */
export const PHASES = [
  'validate',
  'rpc',
  'user-info',
  'batch',
  'local-login',
  'ldap-login',
] as const;
export type Phase = (typeof PHASES)[number];

function isPhase(name: string): name is Phase {
  return (PHASES as readonly string[]).includes(name);
}

function phasesFrom(name: string): ReadonlySet<Phase> {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return new Set(PHASES);
  const chosen = new Set<Phase>();
  for (const part of raw.split(',').map((entry) => entry.trim())) {
    if (!isPhase(part)) throw new SetupError(`${name} takes a comma list of: ${PHASES.join(', ')}`);
    chosen.add(part);
  }
  return chosen;
}

export const BATCH_SIZE = 1000;

function intFrom(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SetupError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export function readSettings(): BenchSettings {
  const connections = intFrom('BENCH_CONNECTIONS', 50, 1, 1000);
  const postgresAdminUrl =
    process.env.BENCH_POSTGRES_URL ??
    process.env.TEST_POSTGRES_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  if (!/^postgres(ql)?:\/\//.test(postgresAdminUrl)) {
    throw new SetupError('BENCH_POSTGRES_URL must be a postgres:// URL');
  }
  return {
    seconds: intFrom('BENCH_SECONDS', 10, 1, 600),
    warmupSeconds: intFrom('BENCH_WARMUP_SECONDS', 2, 0, 60),
    connections,
    rpcConcurrency: intFrom('BENCH_RPC_CONCURRENCY', connections, 1, 1000),
    loginConnections: intFrom('BENCH_LOGIN_CONNECTIONS', 4, 1, 100),
    batchRequests: intFrom('BENCH_BATCH_REQUESTS', 50, 5, 10000),
    users: intFrom('BENCH_USERS', 1200, BATCH_SIZE, 100000),
    postgresAdminUrl,
    output: process.env.BENCH_OUTPUT ?? '.tmp/bench-auth.json',
    only: phasesFrom('BENCH_ONLY'),
  };
}
