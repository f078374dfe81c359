import { Injectable, Logger } from '@nestjs/common';
import type { TestConnectionView } from '@gatehouse/contracts';
import type { Agent } from 'undici';
import { getJson, statusUrl } from '../outbound/client-api';
import { InjectOutboundAgent } from '../outbound/outbound.tokens';
import { IntegrationConfigRepository } from '../projects/integration-config.repository';
import { IntegrationConfigService } from '../projects/integration-config.service';
import { ProjectsService } from '../projects/projects.service';

const SAMPLE_ITEMS = 3;

/** seed 004 "test connection": one GET of the saved status endpoint with the saved auth and
 *  timeout, through the SSRF guard. `success` is an HTTP 200 with a JSON body. */
@Injectable()
export class ConnectionTestService {
  private readonly logger = new Logger(ConnectionTestService.name);

  constructor(
    private readonly projects: ProjectsService,
    private readonly configs: IntegrationConfigRepository,
    private readonly configService: IntegrationConfigService,
    @InjectOutboundAgent() private readonly agent: Agent,
  ) {}

  async test(tenantId: string, slug: string): Promise<TestConnectionView> {
    const project = await this.projects.require(tenantId, slug);
    const config = await this.configs.find(tenantId, project.id);
    if (!config?.apiBaseUrl) {
      return {
        success: false,
        status_code: null,
        response_time_ms: null,
        error: 'Integration not configured',
        sample_data: null,
      };
    }
    const result = await getJson(this.agent, {
      url: statusUrl(config.apiBaseUrl, config.statusEndpoint),
      authType: config.authType,
      credentials: this.configService.credentials(config),
      timeoutMs: config.timeoutSeconds * 1000,
    });
    if (!result.ok) {
      this.logger.log(`project ${slug}: connection test failed (${result.kind}): ${result.error}`);
      return {
        success: false,
        status_code: result.statusCode,
        response_time_ms: result.elapsedMs,
        error: result.error,
        sample_data: null,
      };
    }
    return {
      success: result.statusCode === 200,
      status_code: result.statusCode,
      response_time_ms: result.elapsedMs,
      error: result.statusCode === 200 ? null : `Client API answered HTTP ${result.statusCode}`,
      sample_data: result.statusCode === 200 ? sample(result.body) : null,
    };
  }
}

/** At most three items of a list: the body's own, or each list directly inside an object. */
export function sample(body: unknown): unknown {
  if (Array.isArray(body)) return body.slice(0, SAMPLE_ITEMS);
  if (typeof body !== 'object' || body === null) return body;
  return Object.fromEntries(
    Object.entries(body).map(([key, value]) => [
      key,
      Array.isArray(value) ? value.slice(0, SAMPLE_ITEMS) : value,
    ]),
  );
}
