import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { APP_IDENTITY, PLATFORM_CONFIG } from './config/config.tokens';
import type { PlatformConfig } from './config/platform.config';
import { HealthController } from './health/health.controller';
import { ReadinessService } from './health/readiness.service';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { createValidationPipe } from './http/validation.pipe';
import { LoggingModule } from './logging/logging.module';
import { RequestContextMiddleware } from './logging/request-context.middleware';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { RedisHealth } from './redis/redis-health';
import { RpcContextInterceptor } from './rpc/rpc-context.interceptor';

export interface PlatformModuleOptions {
  app: string;
  config: PlatformConfig;
}

/** What every Gatehouse app shares: config, JSON logs with request ids, /health, /ready,
 *  /metrics, the envelope error mapping for HTTP and RPC, and the validation pipe. */
@Module({})
export class PlatformModule implements NestModule {
  static forRoot(options: PlatformModuleOptions): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      imports: [LoggingModule.forRoot(options.app, options.config.LOG_LEVEL)],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: PLATFORM_CONFIG, useValue: options.config },
        { provide: APP_IDENTITY, useValue: { name: options.app, startedAt: Date.now() } },
        { provide: RedisHealth, useFactory: () => new RedisHealth(options.config.REDIS_URL) },
        MetricsService,
        ReadinessService,
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: RpcContextInterceptor },
      ],
      exports: [PLATFORM_CONFIG, APP_IDENTITY, MetricsService, ReadinessService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware, HttpMetricsMiddleware).forRoutes('{*path}');
  }
}
