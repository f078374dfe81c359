import { Injectable, Logger } from '@nestjs/common';
import {
  type AuthCredentialsDto,
  CONFIG_DEFAULTS,
  type IntegrationConfigView,
  type SaveIntegrationConfigRequestDto,
  type StatusMapping,
} from '@gatehouse/contracts';
import { SecretBox } from '@gatehouse/crypto';
import { integrationCredentialsAad, integrationWebhookSecretAad } from '@gatehouse/persistence';
import type { ClientCredentials } from '../outbound/client-api';
import { effectiveMapping } from '../statuses/status-mapping.util';
import {
  type ConfigRow,
  type ConfigValues,
  IntegrationConfigRepository,
} from './integration-config.repository';
import type { ProjectRow } from './projects.repository';
import { ProjectsService } from './projects.service';

const CREDENTIAL_KEYS = ['token', 'api_key', 'api_key_header', 'username', 'password'] as const;

/** Associated data binding a ciphertext to its project's row (a copy elsewhere cannot decrypt);
 *  defined in @gatehouse/persistence so `npm run reencrypt` uses the very same. */
const credentialsAad = integrationCredentialsAad;
const webhookSecretAad = integrationWebhookSecretAad;

/**
 * seed 004 "Integration Config": read and save a project's config. Credentials are one JSON object
 * sealed by libs/crypto before the row is written; answers only say `has_credentials`. As in the
 * seed, a PUT changes the fields it sends (null or absent keeps the stored value); credentials
 * absent are kept, `{}` clears them, any other object replaces them (empty values dropped).
 */
@Injectable()
export class IntegrationConfigService {
  private readonly logger = new Logger(IntegrationConfigService.name);

  constructor(
    private readonly projects: ProjectsService,
    private readonly configs: IntegrationConfigRepository,
    private readonly secretBox: SecretBox,
  ) {}

  async get(tenantId: string, slug: string): Promise<IntegrationConfigView> {
    const project = await this.projects.require(tenantId, slug);
    const config = await this.configs.find(tenantId, project.id);
    return config ? toConfigView(config) : emptyView(project);
  }

  async save(
    request: SaveIntegrationConfigRequestDto,
  ): Promise<{ project: ProjectRow; view: IntegrationConfigView; row: ConfigRow }> {
    const { tenantId, slug, ...body } = request;
    const project = await this.projects.require(tenantId, slug);
    const stored = await this.configs.find(tenantId, project.id);
    const values: ConfigValues = {
      projectId: project.id,
      tenantId,
      apiBaseUrl: body.api_base_url ?? stored?.apiBaseUrl ?? null,
      authType: body.auth_type ?? stored?.authType ?? CONFIG_DEFAULTS.auth_type,
      statusEndpoint: body.status_endpoint ?? stored?.statusEndpoint ?? null,
      statusMapping: body.status_mapping
        ? definedLists(body.status_mapping)
        : (stored?.statusMapping ?? null),
      updateMethod: body.update_method ?? stored?.updateMethod ?? CONFIG_DEFAULTS.update_method,
      pollingIntervalSeconds:
        body.polling_interval_seconds ??
        stored?.pollingIntervalSeconds ??
        CONFIG_DEFAULTS.polling_interval_seconds,
      timeoutSeconds:
        body.timeout_seconds ?? stored?.timeoutSeconds ?? CONFIG_DEFAULTS.timeout_seconds,
      retryCount: body.retry_count ?? stored?.retryCount ?? CONFIG_DEFAULTS.retry_count,
      unitsPath: body.units_path ?? stored?.unitsPath ?? CONFIG_DEFAULTS.units_path,
      unitIdField: body.unit_id_field ?? stored?.unitIdField ?? CONFIG_DEFAULTS.unit_id_field,
      unitStatusField:
        body.unit_status_field ?? stored?.unitStatusField ?? CONFIG_DEFAULTS.unit_status_field,
      authCredentialsEnc: body.auth_credentials
        ? this.sealCredentials(project.id, body.auth_credentials)
        : (stored?.authCredentialsEnc ?? null),
      webhookSecretEnc: body.webhook_secret
        ? this.secretBox.encrypt(body.webhook_secret, webhookSecretAad(project.id))
        : (stored?.webhookSecretEnc ?? null),
    };
    const row = await this.configs.upsert(values);
    this.logger.log(
      `project ${slug} (tenant ${tenantId}): integration config saved (${row.updateMethod}, credentials ${row.authCredentialsEnc ? 'set' : 'none'})`,
    );
    return { project, view: toConfigView(row), row };
  }

  /** The stored credentials, decrypted for an outbound call. */
  credentials(row: ConfigRow): ClientCredentials {
    if (!row.authCredentialsEnc) return {};
    const parsed = JSON.parse(
      this.secretBox.decrypt(row.authCredentialsEnc, credentialsAad(row.projectId)),
    ) as ClientCredentials;
    return parsed;
  }

  webhookSecret(row: ConfigRow): string | null {
    return row.webhookSecretEnc
      ? this.secretBox.decrypt(row.webhookSecretEnc, webhookSecretAad(row.projectId))
      : null;
  }

  /** `{}` (or only empty values) clears: null is stored, so `has_credentials` is false. */
  private sealCredentials(projectId: string, credentials: AuthCredentialsDto): string | null {
    const kept: Record<string, string> = {};
    for (const key of CREDENTIAL_KEYS) {
      const value = credentials[key];
      if (value) kept[key] = value;
    }
    if (Object.keys(kept).length === 0) return null;
    return this.secretBox.encrypt(JSON.stringify(kept), credentialsAad(projectId));
  }
}

function definedLists(mapping: Partial<StatusMapping>): Partial<StatusMapping> {
  return Object.fromEntries(Object.entries(mapping).filter(([, list]) => Array.isArray(list)));
}

export function toConfigView(row: ConfigRow): IntegrationConfigView {
  return {
    id: row.id,
    project_id: row.projectId,
    api_base_url: row.apiBaseUrl,
    auth_type: row.authType,
    status_endpoint: row.statusEndpoint,
    status_mapping: row.statusMapping ? effectiveMapping(row.statusMapping) : null,
    update_method: row.updateMethod,
    polling_interval_seconds: row.pollingIntervalSeconds,
    timeout_seconds: row.timeoutSeconds,
    retry_count: row.retryCount,
    units_path: row.unitsPath,
    unit_id_field: row.unitIdField,
    unit_status_field: row.unitStatusField,
    has_credentials: row.authCredentialsEnc !== null,
    has_webhook_secret: row.webhookSecretEnc !== null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** seed 004's answer when nothing is saved: ids and dates null, the schema's defaults. */
function emptyView(project: ProjectRow): IntegrationConfigView {
  return {
    id: null,
    project_id: project.id,
    api_base_url: null,
    auth_type: CONFIG_DEFAULTS.auth_type,
    status_endpoint: null,
    status_mapping: null,
    update_method: CONFIG_DEFAULTS.update_method,
    polling_interval_seconds: CONFIG_DEFAULTS.polling_interval_seconds,
    timeout_seconds: CONFIG_DEFAULTS.timeout_seconds,
    retry_count: CONFIG_DEFAULTS.retry_count,
    units_path: CONFIG_DEFAULTS.units_path,
    unit_id_field: CONFIG_DEFAULTS.unit_id_field,
    unit_status_field: CONFIG_DEFAULTS.unit_status_field,
    has_credentials: false,
    has_webhook_secret: false,
    created_at: null,
    updated_at: null,
  };
}
