import { type ChildProcess, spawn } from 'node:child_process';
import type { Redis } from 'ioredis';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

/** A throwaway redis-server on a free loopback port, for tests that stop and restart Redis or
 *  must not share keys with anything else. Keeps nothing on disk. */
export class RedisServer {
  private process?: ChildProcess;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    this.process = child;
    await waitFor('redis-server to accept connections', async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      const { Redis } = await import('ioredis');
      const client = new Redis({
        port: this.port,
        host: '127.0.0.1',
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.ping()) === 'PONG' ? true : undefined;
      } finally {
        client.disconnect();
      }
    });
  }

  /** A connected client of this server that fails fast instead of retrying; quit it when done. */
  async connectClient(): Promise<Redis> {
    const ioredis = await import('ioredis');
    const client = new ioredis.Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    return client;
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}
