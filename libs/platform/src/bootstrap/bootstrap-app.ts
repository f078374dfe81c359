import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { RPC_ONCE_PATTERNS } from '@gatehouse/contracts';
import { Logger } from 'nestjs-pino';
import { EnvError } from '../config/env-schema';
import type { PlatformConfig } from '../config/platform.config';
import { redisTransportOptions } from '../redis/redis-options';
import { ClaimingServerRedis } from '../rpc/claiming-server-redis';
import { waitForRedis } from './wait-for-redis';

export interface BootstrapOptions {
  app: string;
  port: number;
  host: string;
  config: PlatformConfig;
  /** Serve Redis-RPC message patterns as well as HTTP. */
  rpcServer: boolean;
  /** App-specific HTTP setup (trust proxy, cookies, CORS, headers). It runs before the JSON body
   *  parser is mounted, so what it mounts also answers requests whose body does not parse. */
  configure?: (app: NestExpressApplication) => void;
}

/** Starts one Gatehouse app: waits for Redis, builds the Nest app with JSON logs, starts the RPC
 *  server when the app has one, listens, and on SIGTERM/SIGINT closes everything in order with a
 *  hard deadline so a stuck connection cannot keep a pod terminating forever. */
export async function bootstrapApp(
  module: DynamicModule,
  options: BootstrapOptions,
): Promise<INestApplication> {
  const line = (message: string): void =>
    console.log(JSON.stringify({ level: 30, time: Date.now(), app: options.app, msg: message }));
  await waitForRedis(options.config.REDIS_URL, line);

  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // Answers are per-caller JSON, never cached: hashing each body for an ETag is wasted work.
  app.set('etag', false);
  options.configure?.(app);
  app.useBodyParser('json', { limit: options.config.HTTP_BODY_LIMIT });

  if (options.rpcServer) {
    app.connectMicroservice<MicroserviceOptions>(
      {
        strategy: new ClaimingServerRedis(
          redisTransportOptions(options.config.REDIS_URL),
          RPC_ONCE_PATTERNS,
        ),
      },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
  }

  handleShutdownSignals(app, options.config.SHUTDOWN_TIMEOUT_MS, line);
  await app.listen(options.port, options.host);
  line(`${options.app} listening on http://${options.host}:${options.port}`);
  return app;
}

/** SIGTERM/SIGINT: stop taking work (HTTP server and RPC subscriptions close first), let Nest's
 *  shutdown hooks finish in-flight work and close pools, then exit 0; past the deadline, exit 1. */
function handleShutdownSignals(
  app: INestApplication,
  ms: number,
  line: (message: string) => void,
): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    line(`${signal} received: draining, exiting within ${ms} ms`);
    setTimeout(() => {
      line(`shutdown did not finish within ${ms} ms; exiting`);
      process.exit(1);
    }, ms).unref();
    app.close().then(
      () => {
        line('stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        line(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Wraps an app's main: a bad environment prints one line naming the variable and exits 1. */
export function runMain(app: string, main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    const message =
      error instanceof EnvError
        ? `invalid configuration: ${error.message}`
        : `failed to start: ${error instanceof Error ? error.message : String(error)}`;
    console.error(JSON.stringify({ level: 60, time: Date.now(), app, msg: message }));
    process.exit(1);
  });
}
