import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { PlatformConfig } from '@gatehouse/platform/config';
import { buildDataSourceOptions } from './data-source.options';
import { DatabaseHealth } from './database-health';

/** The app's TypeORM connection. A database that is not there at start is retried for about 30 s,
 *  then the process stops with the error (an orchestrator restarts it). Registers the database
 *  readiness check. */
@Module({})
export class PersistenceModule {
  static forRoot(config: PlatformConfig): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...buildDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
            retryAttempts: 15,
            retryDelay: 2000,
          }),
        }),
      ],
      providers: [DatabaseHealth],
    };
  }
}
