import { Inject, Injectable, Logger } from '@nestjs/common';
import { PLATFORM_CONFIG } from '../config/config.tokens';
import type { PlatformConfig } from '../config/platform.config';
import { RedisHealth } from '../redis/redis-health';
import type { ReadinessCheck, ReadinessReport } from './readiness-check';

/** Runs every readiness check in parallel, each bounded by READY_CHECK_TIMEOUT_MS, so /ready
 *  answers within about a second even when a dependency hangs. Modules register the checks of the
 *  dependencies they own (the database, RPC peers); Redis is always checked. */
@Injectable()
export class ReadinessService {
  private readonly logger = new Logger(ReadinessService.name);
  private readonly lastState = new Map<string, string>();
  private readonly checks: ReadinessCheck[] = [];

  constructor(
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    redis: RedisHealth,
  ) {
    this.register(redis);
  }

  register(check: ReadinessCheck): void {
    if (this.checks.some((existing) => existing.name === check.name)) {
      throw new Error(`readiness check "${check.name}" registered twice`);
    }
    this.checks.push(check);
  }

  async report(): Promise<ReadinessReport> {
    const results = await Promise.all(
      this.checks.map(async (check) => ({
        name: check.name,
        error: await this.run(check),
      })),
    );
    const report: ReadinessReport = { status: 'up', checks: {}, down: [], reasons: {} };
    for (const { name, error } of results) {
      report.checks[name] = error === undefined ? 'up' : 'down';
      if (error !== undefined) {
        report.down.push(name);
        report.reasons[name] = error;
      }
      this.logTransition(name, error);
    }
    if (report.down.length > 0) report.status = 'down';
    return report;
  }

  private async run(check: ReadinessCheck): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.config.READY_CHECK_TIMEOUT_MS} ms`)),
        this.config.READY_CHECK_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([check.check(), timeout]);
      return undefined;
    } catch (error: unknown) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Logs a dependency going down or coming back once, not on every probe. */
  private logTransition(name: string, error: string | undefined): void {
    const state = error === undefined ? 'up' : 'down';
    const previous = this.lastState.get(name);
    this.lastState.set(name, state);
    if (previous === undefined || previous === state) return;
    if (state === 'down') this.logger.warn(`dependency ${name} is down: ${error}`);
    else this.logger.log(`dependency ${name} is up again`);
  }
}
