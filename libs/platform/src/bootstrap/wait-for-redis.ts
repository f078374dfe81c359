import { RedisHealth } from '../redis/redis-health';

/** Before an app starts it needs Redis: wait for it (bounded), then refuse an evicting Redis. */
export async function waitForRedis(
  url: string,
  log: (line: string) => void,
  timeoutMs = 30000,
): Promise<void> {
  const probe = new RedisHealth(url);
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  try {
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      try {
        await probe.check();
        const policy = await probe.assertNoEviction();
        if (policy === 'unknown')
          log('Redis does not allow CONFIG GET; assuming maxmemory-policy noeviction');
        return;
      } catch (error: unknown) {
        lastError = error instanceof Error ? error.message : String(error);
        if (lastError.includes('maxmemory-policy')) throw error;
        if (attempt === 0) log(`waiting for Redis at ${redact(url)}: ${lastError}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    throw new Error(`Redis at ${redact(url)} did not answer within ${timeoutMs} ms: ${lastError}`);
  } finally {
    probe.onApplicationShutdown();
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
