import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppName } from '@gatehouse/contracts';
import { statusOf } from './http-client';
import { waitFor } from './wait-for';

export const REPO_ROOT = join(__dirname, '..', '..');
export const LOG_DIR = join(REPO_ROOT, '.tmp', 'test-logs');

export function builtEntry(app: AppName): string {
  const entry = join(REPO_ROOT, 'dist', 'apps', app, 'src', 'main.js');
  if (!existsSync(entry)) {
    throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does it)`);
  }
  return entry;
}

/** One Gatehouse app running as its own `node dist/...` process, its output in a log file. */
export class AppProcess {
  private child?: ChildProcess;
  private log?: WriteStream;
  readonly logPath: string;

  constructor(
    readonly app: AppName,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    label: string,
  ) {
    mkdirSync(LOG_DIR, { recursive: true });
    this.logPath = join(LOG_DIR, `${label}-${app}-${port}.log`);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The process id while it runs (e.g. to tell which replica holds a Redis lease). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Spawns the process and waits (bounded) until /health answers 200. */
  async start(timeoutMs = 30000): Promise<void> {
    this.log = createWriteStream(this.logPath, { flags: 'a' });
    const child = spawn(process.execPath, [builtEntry(this.app)], {
      env: { ...process.env, ...this.env, PORT: String(this.port), HTTP_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    await waitFor(
      `${this.app} /health on ${this.port}`,
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`${this.app} exited with ${child.exitCode}; see ${this.logPath}`);
        }
        return (await statusOf(`${this.baseUrl}/health`)) === 200 ? true : undefined;
      },
      { timeoutMs },
    );
  }

  /** Sends `signal` and waits for the exit; resolves with the exit code and how long it took. */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
    timeoutMs = 15000,
  ): Promise<{ code: number | null; ms: number }> {
    const child = this.child;
    if (!child || !this.running) return { code: child?.exitCode ?? null, ms: 0 };
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    this.log?.end();
    return { code, ms: Date.now() - started };
  }

  logLines(): string[] {
    return existsSync(this.logPath)
      ? readFileSync(this.logPath, 'utf8').split('\n').filter(Boolean)
      : [];
  }
}
