import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { DomainError, ErrorCode, PROJECT_SLUG } from '@gatehouse/contracts';
import { PLATFORM_CONFIG, type PlatformConfig, redisOptionsFromUrl } from '@gatehouse/platform';
import {
  type ConfigRow,
  IntegrationConfigRepository,
} from '../projects/integration-config.repository';
import { IntegrationConfigService } from '../projects/integration-config.service';
import { type ProjectRow, ProjectsRepository } from '../projects/projects.repository';
import { type IngestResult, UnitStatusService } from '../statuses/unit-status.service';

/** Ids are remembered longer than the 5-minute timestamp tolerance (older messages fail first). */
const REPLAY_WINDOW_SECONDS = 600;
/** How long a slug's projects and secrets are reused between webhook calls. */
const TARGET_CACHE_MS = 2000;

interface WebhookTarget {
  project: ProjectRow;
  config: ConfigRow;
  verifier: Webhook;
}

const UNAUTHORIZED = 'Invalid webhook signature';

/**
 * `POST /webhooks/{slug}`: Standard Webhooks signatures (HMAC-SHA256 over `id.timestamp.body`
 * with the project's secret, `webhook-id`/`webhook-timestamp`/`webhook-signature`, 5-minute
 * tolerance) verified by the `standardwebhooks` library on the raw body. Anything unsigned, badly
 * signed, stale, or for a slug without a secret is 401 and changes nothing; an id seen before is
 * 409 and changes nothing. A slug shared by several tenants is resolved by whose secret verifies.
 */
@Injectable()
export class WebhooksService implements OnApplicationShutdown {
  /** Its own connection with auto-pipelining: the replay checks of concurrent webhooks travel
   *  to Redis together. Fails fast while Redis is away (the sender retries). */
  private readonly redis: Redis;
  private readonly cache = new Map<string, { at: number; targets: WebhookTarget[] }>();

  constructor(
    private readonly projects: ProjectsRepository,
    private readonly configs: IntegrationConfigRepository,
    private readonly configService: IntegrationConfigService,
    private readonly statuses: UnitStatusService,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
  ) {
    this.redis = new Redis({
      ...redisOptionsFromUrl(config.REDIS_URL),
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectionName: 'gatehouse:integration-gateway:webhooks',
    });
    this.redis.on('error', () => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  async receive(
    slug: string,
    rawBody: Buffer | undefined,
    headers: Record<string, string>,
  ): Promise<IngestResult> {
    if (!rawBody || !PROJECT_SLUG.test(slug)) throw unauthorized(UNAUTHORIZED);
    const targets = await this.targets(slug);
    let payload: unknown;
    let target: WebhookTarget | undefined;
    let reason = UNAUTHORIZED;
    for (const candidate of targets) {
      try {
        payload = candidate.verifier.verify(rawBody, headers);
        target = candidate;
        break;
      } catch (error: unknown) {
        if (!(error instanceof WebhookVerificationError)) throw error;
        if (/timestamp/i.test(error.message))
          reason = 'Webhook timestamp outside the 5-minute tolerance';
      }
    }
    if (!target) throw unauthorized(reason);
    const id = headers['webhook-id'] ?? '';
    const replayKey = `${replayPrefix(target.project.id)}${id}`;
    const fresh = await this.redis.set(replayKey, '1', 'EX', REPLAY_WINDOW_SECONDS, 'NX');
    if (fresh !== 'OK') {
      throw new DomainError(ErrorCode.Conflict, 'Webhook id already received; ignored');
    }
    try {
      return await this.statuses.ingest(target.project, target.config, payload, 'webhook');
    } catch (error: unknown) {
      // Not stored: let the sender's retry of this id through.
      await this.redis.del(replayKey).catch(() => undefined);
      throw error;
    }
  }

  /** Forget cached targets (after a config save in this process). */
  invalidate(slug: string): void {
    this.cache.delete(slug);
  }

  /** A deleted project: its cached secret and every replay id remembered for it. */
  async forget(slug: string, projectId: string): Promise<number> {
    this.invalidate(slug);
    const match = `${replayPrefix(projectId)}*`;
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) removed += await this.redis.unlink(...keys);
    } while (cursor !== '0');
    return removed;
  }

  private async targets(slug: string): Promise<WebhookTarget[]> {
    const cached = this.cache.get(slug);
    if (cached && Date.now() - cached.at < TARGET_CACHE_MS) return cached.targets;
    const targets: WebhookTarget[] = [];
    for (const project of await this.projects.findAllBySlug(slug)) {
      const config = await this.configs.findByProjectId(project.id);
      const secret = config ? this.configService.webhookSecret(config) : null;
      if (config && secret) targets.push({ project, config, verifier: new Webhook(secret) });
    }
    this.cache.set(slug, { at: Date.now(), targets });
    return targets;
  }
}

function replayPrefix(projectId: string): string {
  return `gh:integration:webhook-id:${projectId}:`;
}

function unauthorized(message: string): DomainError {
  return new DomainError(ErrorCode.Unauthenticated, message);
}
