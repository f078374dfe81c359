import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { EVENT_PATTERNS, type UnitStatusChangedEvent } from '@gatehouse/contracts';
import { PLATFORM_CONFIG, type PlatformConfig, redisTransportOptions } from '@gatehouse/platform';

/** Changes per event: a 10,000-unit first poll becomes ten events, not one huge message. */
const CHANGES_PER_EVENT = 1000;

/** Emits `integration.unitStatus.changed` on the Redis transport. The state is already stored, so
 *  a lost event (nobody listening, Redis blip) loses nothing; failures are logged, not thrown. */
@Injectable()
export class StatusEventsPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(StatusEventsPublisher.name);
  private readonly client: ClientProxy;

  constructor(@Inject(PLATFORM_CONFIG) config: PlatformConfig) {
    this.client = ClientProxyFactory.create({
      transport: Transport.REDIS,
      options: redisTransportOptions(config.REDIS_URL),
    });
  }

  async publish(event: UnitStatusChangedEvent): Promise<void> {
    const parts: UnitStatusChangedEvent[] = [];
    for (let start = 0; start < event.changes.length; start += CHANGES_PER_EVENT) {
      parts.push({ ...event, changes: event.changes.slice(start, start + CHANGES_PER_EVENT) });
    }
    await Promise.all(
      parts.map(async (part) => {
        try {
          await lastValueFrom(this.client.emit(EVENT_PATTERNS.unitStatusChanged, part), {
            defaultValue: undefined,
          });
        } catch (error: unknown) {
          const message = error instanceof Error ? error.message : String(error);
          this.logger.warn(
            `status change event of project ${event.slug} not published: ${message}`,
          );
        }
      }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
