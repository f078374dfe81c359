/** Load generator for `auth.validateToken` over the Nest Redis transport, run as its own process by
 *  run.ts: keeps BENCH_RPC_CONCURRENCY requests in flight through one ClientRedis for a warm-up,
 *  then for BENCH_RPC_SECONDS, and prints one JSON line (RpcLoadResult). Exits 1 when the very
 *  first call does not answer with claims (nothing worth measuring). */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { ClientRedis } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { type AccessTokenClaims, RPC_PATTERNS, type RpcRequest } from '@gatehouse/contracts';

export interface RpcLoadResult {
  requestsPerSecond: number;
  ok: number;
  errors: number;
  seconds: number;
  concurrency: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  firstError?: string;
}

const CALL_TIMEOUT_MS = 5000;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return round(sorted[rank] ?? 0);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

async function main(): Promise<void> {
  const redis = new URL(required('BENCH_REDIS_URL'));
  const token = required('BENCH_TOKEN');
  const concurrency = Number(required('BENCH_RPC_CONCURRENCY'));
  const seconds = Number(required('BENCH_RPC_SECONDS'));
  const warmupSeconds = Number(process.env.BENCH_RPC_WARMUP_SECONDS ?? '0');

  const client = new ClientRedis({
    host: redis.hostname,
    port: Number(redis.port || 6379),
    retryAttempts: 3,
    retryDelay: 200,
  });
  await client.connect();

  let sequence = 0;
  const call = (): Promise<AccessTokenClaims> => {
    const request: RpcRequest<{ token: string }> = {
      meta: { requestId: `bench-rpc-${++sequence}`, deadline: Date.now() + CALL_TIMEOUT_MS },
      data: { token },
    };
    return firstValueFrom(
      client
        .send<AccessTokenClaims, RpcRequest<{ token: string }>>(
          RPC_PATTERNS.auth.validateToken,
          request,
        )
        .pipe(timeout(CALL_TIMEOUT_MS)),
    );
  };

  const first = await call();
  if (typeof first.user_id !== 'number') {
    throw new Error(`auth.validateToken answered without claims: ${JSON.stringify(first)}`);
  }

  const phase = async (
    phaseSeconds: number,
  ): Promise<{ latencies: number[]; errors: number; elapsed: number; firstError?: string }> => {
    const latencies: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    const started = performance.now();
    const end = started + phaseSeconds * 1000;
    const worker = async (): Promise<void> => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          await call();
          latencies.push(performance.now() - t0);
        } catch (error: unknown) {
          errors++;
          firstError ??= describe(error);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { latencies, errors, elapsed: (performance.now() - started) / 1000, firstError };
  };

  if (warmupSeconds > 0) await phase(warmupSeconds);
  const measured = await phase(seconds);
  await client.close();

  const sorted = measured.latencies.sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  const result: RpcLoadResult = {
    requestsPerSecond: Math.round((sorted.length / measured.elapsed) * 10) / 10,
    ok: sorted.length,
    errors: measured.errors,
    seconds: Math.round(measured.elapsed * 100) / 100,
    concurrency,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.length > 0 ? round(sum / sorted.length) : 0,
    maxMs: round(sorted[sorted.length - 1] ?? 0),
    ...(measured.firstError ? { firstError: measured.firstError } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`rpc-load: ${describe(error)}\n`);
    process.exit(1);
  },
);
