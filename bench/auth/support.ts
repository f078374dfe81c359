import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/** A failure of the harness itself (something could not be started, seeded or measured), as
 *  opposed to a figure that misses its target. Only these make the benchmark exit non-zero. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The repository root: the nearest folder above this file whose package.json is Gatehouse's (the
 *  compiled file sits under .tmp/bench-dist/, the source under bench/). */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
      if (isRecord(parsed) && parsed.name === 'gatehouse') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new SetupError(`no Gatehouse package.json above ${__dirname}`);
    dir = parent;
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address !== 'object' || address === null) {
        server.close();
        reject(new Error('could not read the bound port'));
        return;
      }
      const { port } = address;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns something other than undefined; fails after `timeoutMs` with the
 *  last error seen. Every wait of the benchmark is bounded by this. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing yet';
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = 'not yet';
    } catch (error: unknown) {
      if (error instanceof SetupError) throw error;
      last = messageOf(error);
    }
    await sleep(intervalMs);
  }
  throw new SetupError(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
}

/** Rejects when `work` takes longer than `ms`. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every child process the benchmark has running, so a signal can end them all. */
const running = new Set<ChildProcess>();

export function runningPids(): number[] {
  return [...running].flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
}

export function killRunningChildren(): void {
  for (const child of running) child.kill('SIGKILL');
}

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logPath: string;
}

/** A long-running child (redis-server, an app, the bare server) with its output in a log file. */
export class ChildService {
  private child?: ChildProcess;
  private spawnError?: string;

  constructor(readonly spec: ServiceSpec) {}

  start(): void {
    mkdirSync(dirname(this.spec.logPath), { recursive: true });
    const fd = openSync(this.spec.logPath, 'w');
    try {
      const child = spawn(this.spec.command, this.spec.args, {
        env: this.spec.env,
        stdio: ['ignore', fd, fd],
      });
      child.on('error', (error) => {
        this.spawnError = error.message;
      });
      running.add(child);
      child.once('exit', () => running.delete(child));
      this.child = child;
    } finally {
      closeSync(fd);
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    const child = this.child;
    return (
      child?.pid !== undefined &&
      child.exitCode === null &&
      child.signalCode === null &&
      this.spawnError === undefined
    );
  }

  /** Why the process is not running, for error messages; undefined while it runs. */
  failure(): string | undefined {
    if (this.running) return undefined;
    const child = this.child;
    if (this.spawnError) return `${this.spec.name} could not start: ${this.spawnError}`;
    if (!child) return `${this.spec.name} was never started`;
    const how =
      child.exitCode !== null
        ? `exited with ${child.exitCode}`
        : `was killed (${child.signalCode})`;
    return `${this.spec.name} ${how}; see ${this.spec.logPath}`;
  }

  /** Sends `signal`, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

export interface ScriptOutput {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs `node <args>` to completion (a load generator) and collects its output; SIGKILL past
 *  `timeoutMs`. */
export function runNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<ScriptOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      if (timedOut) {
        reject(new Error(`node ${args[0] ?? ''} was stopped after ${timeoutMs} ms`));
        return;
      }
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code,
      });
    });
  });
}

/** The last line of `text` that parses as a JSON object. */
export function lastJsonObject(text: string): Record<string, unknown> | undefined {
  const lines = text.split('\n').reverse();
  for (const line of lines) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (isRecord(parsed)) return parsed;
    } catch {
      // not JSON: keep looking
    }
  }
  return undefined;
}

/** Clean-up steps, run last-registered first, each bounded so a stuck step cannot hang the exit. */
export class Teardown {
  private readonly steps: { what: string; run: () => Promise<void> }[] = [];
  private done?: Promise<string[]>;

  add(what: string, run: () => Promise<void>): void {
    this.steps.push({ what, run });
  }

  /** Runs every step once (later calls wait for the first); resolves with the steps that failed. */
  runAll(stepTimeoutMs = 20000): Promise<string[]> {
    this.done ??= (async () => {
      const failures: string[] = [];
      for (let step = this.steps.pop(); step; step = this.steps.pop()) {
        try {
          await withTimeout(step.run(), stepTimeoutMs, step.what);
        } catch (error: unknown) {
          failures.push(`${step.what}: ${messageOf(error)}`);
        }
      }
      killRunningChildren();
      return failures;
    })();
    return this.done;
  }
}

/** Clock ticks of /proc: the whole machine's busy and total time, summed over its cores. */
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
      fields;
    const total = user + nice + system + idle + iowait + irq + softirq + steal;
    return { busy: total - idle - iowait, total };
  } catch {
    return undefined;
  }
}

/** CPU ticks of one process (utime + stime, plus its reaped children's when `withChildren`);
 *  undefined once it is gone. */
function processTicks(pid: number, withChildren: boolean): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15);
    return utime + stime + (withChildren ? cutime + cstime : 0);
  } catch {
    return undefined;
  }
}

function ticksOf(pids: number[]): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    const value = processTicks(pid, false);
    if (value !== undefined) ticks.set(pid, value);
  }
  return ticks;
}

interface CpuSnapshot {
  machine: { busy: number; total: number };
  /** This process with the children it has reaped (load generators that exited). */
  self: number;
  /** Children still running: the apps, Redis, the bare server, a running load generator. */
  children: Map<number, number>;
  /** Other processes working for this benchmark: the PostgreSQL backends of its database. */
  helpers: Map<number, number>;
}

function snapshot(helperPids: number[]): CpuSnapshot | undefined {
  const machine = machineTicks();
  if (!machine) return undefined;
  return {
    machine,
    self: processTicks(process.pid, true) ?? 0,
    children: ticksOf(runningPids()),
    helpers: ticksOf(helperPids),
  };
}

/** How the machine's CPU went while a phase ran, in % of all cores: the benchmark's own processes
 *  and everybody else's. `othersPercent` is the noise: other people's tests on the same cores. */
export interface CpuShare {
  machineBusyPercent: number;
  ownPercent: number;
  othersPercent: number;
}

export class CpuMeter {
  private constructor(private readonly first: CpuSnapshot) {}

  /** `helperPids`: local processes that work for the benchmark without being its children (the
   *  PostgreSQL backends of its database). Undefined where /proc is not there to read. */
  static start(helperPids: number[] = []): CpuMeter | undefined {
    const first = snapshot(helperPids);
    return first ? new CpuMeter(first) : undefined;
  }

  stop(helperPids: number[] = []): CpuShare | undefined {
    const last = snapshot([...new Set([...this.first.helpers.keys(), ...helperPids])]);
    if (!last) return undefined;
    const total = last.machine.total - this.first.machine.total;
    if (total <= 0) return undefined;
    const busy = last.machine.busy - this.first.machine.busy;
    let own = last.self - this.first.self;
    // A child running at both ends counts its difference, one started since counts all of it.
    for (const [pid, ticks] of last.children) own += ticks - (this.first.children.get(pid) ?? 0);
    // A child that exited since was reaped: all its ticks moved into `self`, so take back the
    // part it had used before the phase.
    for (const [pid, ticks] of this.first.children) if (!last.children.has(pid)) own -= ticks;
    // A helper gone since the start cannot be read any more; its last ticks are lost.
    for (const [pid, ticks] of last.helpers) own += ticks - (this.first.helpers.get(pid) ?? 0);
    own = Math.max(0, Math.min(busy, own));
    const percent = (ticks: number): number => Math.round((ticks / total) * 1000) / 10;
    return {
      machineBusyPercent: percent(busy),
      ownPercent: percent(own),
      othersPercent: percent(Math.max(0, busy - own)),
    };
  }
}

/** Others' share of the machine's CPU over `ms` while this benchmark waits. */
export async function othersBusyPercent(ms: number): Promise<number | undefined> {
  const meter = CpuMeter.start();
  await sleep(ms);
  return meter?.stop()?.othersPercent;
}
