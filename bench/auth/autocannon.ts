import { join } from 'node:path';
import { isRecord, lastJsonObject, runNode, SetupError } from './support';

export interface LoadSpec {
  url: string;
  connections: number;
  /** Run for this long… */
  seconds?: number;
  /** …or send exactly this many requests (sequential when connections is 1). */
  amount?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

/** One autocannon run, reduced to what the report needs. Latencies are autocannon's (whole ms). */
export interface LoadResult {
  /** 2xx answers per second of the run. */
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  connections: number;
}

function numberAt(source: Record<string, unknown>, ...path: string[]): number {
  let node: unknown = source;
  for (const key of path) node = isRecord(node) ? node[key] : undefined;
  if (typeof node !== 'number' || !Number.isFinite(node)) {
    throw new SetupError(`autocannon output has no number at ${path.join('.')}`);
  }
  return node;
}

/** Runs the autocannon CLI in its own process (the load comes from a second process over
 *  loopback, never from the process that reports) and parses its JSON. */
export async function runAutocannon(root: string, spec: LoadSpec): Promise<LoadResult> {
  const cli = join(root, 'node_modules', 'autocannon', 'autocannon.js');
  const args = [cli, '--json', '--no-progress', '--timeout', '10'];
  args.push('--connections', String(spec.connections));
  if (spec.amount !== undefined) args.push('--amount', String(spec.amount));
  else args.push('--duration', String(spec.seconds ?? 10));
  args.push('--method', spec.method ?? 'GET');
  const headers = { ...spec.headers };
  if (spec.body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    args.push('--body', spec.body);
  }
  for (const [name, value] of Object.entries(headers)) args.push('--headers', `${name}=${value}`);
  args.push(spec.url);

  const budgetMs =
    spec.amount !== undefined ? 60000 + spec.amount * 1000 : ((spec.seconds ?? 10) + 30) * 1000;
  const env = { ...process.env };
  delete env.PORT; // autocannon reads PORT to resolve path-only URLs
  const output = await runNode(args, env, budgetMs);
  const json = lastJsonObject(output.stdout);
  if (output.code !== 0 || !json) {
    throw new SetupError(
      `autocannon exited with ${output.code}: ${output.stderr.trim().slice(-400) || 'no output'}`,
    );
  }
  const seconds = numberAt(json, 'duration');
  const ok = numberAt(json, '2xx');
  return {
    requestsPerSecond: seconds > 0 ? Math.round((ok / seconds) * 10) / 10 : 0,
    p50Ms: numberAt(json, 'latency', 'p50'),
    p90Ms: numberAt(json, 'latency', 'p90'),
    p99Ms: numberAt(json, 'latency', 'p99'),
    meanMs: numberAt(json, 'latency', 'mean'),
    maxMs: numberAt(json, 'latency', 'max'),
    ok,
    non2xx: numberAt(json, 'non2xx'),
    errors: numberAt(json, 'errors'),
    timeouts: numberAt(json, 'timeouts'),
    seconds,
    connections: spec.connections,
  };
}
