import { randomBytes } from 'node:crypto';
import { APP_NAMES, type AppName } from '@gatehouse/contracts';
import { AppProcess } from './app-process';
import { freePort } from './free-port';
import { RedisServer } from './redis-server';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface SuiteOptions {
  label: string;
  env?: NodeJS.ProcessEnv;
}

/** The three apps as separate processes on free ports, sharing a fresh database and a Redis of
 *  their own (RPC channels are server-wide in Redis, so a shared one would let another running
 *  Gatehouse answer this suite's calls). */
export class Suite {
  private constructor(
    readonly apps: Record<AppName, AppProcess>,
    readonly database: TestDatabase,
    readonly redis: RedisServer,
  ) {}

  static async start(options: SuiteOptions): Promise<Suite> {
    const database = await createTestDatabase(options.label);
    const redis = await RedisServer.start();
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      GATEHOUSE_SECRET_KEYS: `test:${randomBytes(32).toString('base64')}`,
      ...options.env,
    };
    const entries = await Promise.all(
      APP_NAMES.map(
        async (app) => [app, new AppProcess(app, await freePort(), env, options.label)] as const,
      ),
    );
    const apps = Object.fromEntries(entries) as Record<AppName, AppProcess>;
    const suite = new Suite(apps, database, redis);
    try {
      await Promise.all(APP_NAMES.map((app) => apps[app].start()));
    } catch (error: unknown) {
      await suite.stop();
      throw error;
    }
    return suite;
  }

  url(app: AppName, path: string): string {
    return `${this.apps[app].baseUrl}${path}`;
  }

  async stop(): Promise<void> {
    await Promise.all(APP_NAMES.map((app) => this.apps[app].stop('SIGTERM')));
    await this.redis.stop();
    await this.database.drop();
  }
}
