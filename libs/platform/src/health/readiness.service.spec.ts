import type { PlatformConfig } from '../config/platform.config';
import { loadPlatformConfig } from '../config/platform.config';
import type { RedisHealth } from '../redis/redis-health';
import { ReadinessService } from './readiness.service';

function service(timeoutMs: number): ReadinessService {
  const config: PlatformConfig = { ...loadPlatformConfig({}), READY_CHECK_TIMEOUT_MS: timeoutMs };
  const redis = { name: 'redis', check: () => Promise.resolve() } as unknown as RedisHealth;
  return new ReadinessService(config, redis);
}

describe('ReadinessService', () => {
  it('is up when every check answers', async () => {
    const readiness = service(200);
    readiness.register({ name: 'database', check: () => Promise.resolve() });
    await expect(readiness.report()).resolves.toEqual({
      status: 'up',
      checks: { redis: 'up', database: 'up' },
      down: [],
      reasons: {},
    });
  });

  it('names a failing dependency and why', async () => {
    const readiness = service(200);
    readiness.register({ name: 'database', check: () => Promise.reject(new Error('refused')) });
    const report = await readiness.report();
    expect(report.status).toBe('down');
    expect(report.down).toEqual(['database']);
    expect(report.reasons).toEqual({ database: 'refused' });
  });

  it('counts a hanging dependency as down once the timeout passes', async () => {
    const readiness = service(100);
    readiness.register({ name: 'peer', check: () => new Promise<void>(() => undefined) });
    const started = Date.now();
    const report = await readiness.report();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(report.checks.peer).toBe('down');
    expect(report.reasons.peer).toBe('no answer within 100 ms');
  });

  it('refuses the same check name twice', () => {
    const readiness = service(100);
    expect(() => readiness.register({ name: 'redis', check: () => Promise.resolve() })).toThrow(
      'readiness check "redis" registered twice',
    );
  });
});
