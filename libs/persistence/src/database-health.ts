import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type ReadinessCheck, ReadinessService } from '@gatehouse/platform/health';

/** Ready when PostgreSQL answers a real query through the app's own pool. */
@Injectable()
export class DatabaseHealth implements ReadinessCheck, OnModuleInit {
  readonly name = 'database';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly readiness: ReadinessService,
  ) {}

  onModuleInit(): void {
    this.readiness.register(this);
  }

  async check(): Promise<void> {
    if (!this.dataSource.isInitialized) throw new Error('not connected');
    await this.dataSource.query('SELECT 1');
  }
}
