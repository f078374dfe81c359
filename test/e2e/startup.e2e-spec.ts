import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { builtEntry } from '@gatehouse/testing/app-process';
import { freePort } from '@gatehouse/testing/free-port';
import { RedisServer } from '@gatehouse/testing/redis-server';

interface Outcome {
  code: number | null;
  output: string;
}

/** Runs an app with `env` until it exits (bounded), returning its exit code and output. */
function runUntilExit(env: NodeJS.ProcessEnv, timeoutMs = 20000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtEntry('ldap-sync')], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        HTTP_HOST: '127.0.0.1',
        GATEHOUSE_SECRET_KEYS: `test:${randomBytes(32).toString('base64')}`,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`process did not exit within ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function messageOf(line: string): string {
  const parsed: unknown = JSON.parse(line);
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    'msg' in parsed &&
    typeof parsed.msg === 'string'
  ) {
    return parsed.msg;
  }
  throw new Error(`not a JSON log line: ${line}`);
}

describe('starting an app', () => {
  it.each([
    ['PORT', 'abc', 'PORT is invalid: expected an integer from 1 to 65535'],
    [
      'REDIS_URL',
      'http://127.0.0.1:6379',
      'REDIS_URL is invalid: expected a URL with scheme redis:// or rediss://',
    ],
    ['DATABASE_URL', 'not a url', 'DATABASE_URL is invalid'],
    ['RPC_TIMEOUT_MS', '0', 'RPC_TIMEOUT_MS is invalid: expected an integer from 100 to 60000'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL is invalid: expected one of fatal, error, warn, info'],
  ])('stops with one line naming %s when it is malformed', async (name, value, expected) => {
    const outcome = await runUntilExit({
      [name]: value,
      PORT: name === 'PORT' ? value : String(await freePort()),
    });
    expect(outcome.code).toBe(1);
    const lines = outcome.output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(messageOf(lines[0])).toContain(expected);
  });

  it('refuses a Redis whose maxmemory-policy would evict queue keys', async () => {
    const redis = await RedisServer.start();
    try {
      const { Redis } = await import('ioredis');
      const admin = new Redis(redis.url);
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      admin.disconnect();
      const outcome = await runUntilExit({ REDIS_URL: redis.url, PORT: String(await freePort()) });
      expect(outcome.code).toBe(1);
      const messages = outcome.output.trim().split('\n').map(messageOf);
      expect(messages.at(-1)).toContain('maxmemory-policy is "allkeys-lru"');
      expect(messages.at(-1)).toContain('needs "noeviction"');
    } finally {
      await redis.stop();
    }
  });
});
