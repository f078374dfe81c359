import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuthType, StatusMapping, UpdateMethod } from '@gatehouse/contracts';

export interface ConfigRow {
  id: string;
  projectId: string;
  tenantId: string;
  apiBaseUrl: string | null;
  authType: AuthType;
  statusEndpoint: string | null;
  statusMapping: Partial<StatusMapping> | null;
  updateMethod: UpdateMethod;
  pollingIntervalSeconds: number;
  timeoutSeconds: number;
  retryCount: number;
  unitsPath: string;
  unitIdField: string;
  unitStatusField: string;
  authCredentialsEnc: string | null;
  webhookSecretEnc: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type ConfigValues = Omit<ConfigRow, 'id' | 'createdAt' | 'updatedAt'>;

const COLUMNS = `id, project_id AS "projectId", tenant_id AS "tenantId",
  api_base_url AS "apiBaseUrl", auth_type AS "authType", status_endpoint AS "statusEndpoint",
  status_mapping AS "statusMapping", update_method AS "updateMethod",
  polling_interval_seconds AS "pollingIntervalSeconds", timeout_seconds AS "timeoutSeconds",
  retry_count AS "retryCount", units_path AS "unitsPath", unit_id_field AS "unitIdField",
  unit_status_field AS "unitStatusField", auth_credentials_enc AS "authCredentialsEnc",
  webhook_secret_enc AS "webhookSecretEnc", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** `integration_configs`: one per project; secrets arrive here already encrypted. */
@Injectable()
export class IntegrationConfigRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(tenantId: string, projectId: string): Promise<ConfigRow | null> {
    const rows: ConfigRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM integration_configs WHERE tenant_id = $1 AND project_id = $2`,
      [tenantId, projectId],
    );
    return rows[0] ?? null;
  }

  async upsert(values: ConfigValues): Promise<ConfigRow> {
    const rows: ConfigRow[] = await this.db.query(
      `INSERT INTO integration_configs (project_id, tenant_id, api_base_url, auth_type,
         status_endpoint, status_mapping, update_method, polling_interval_seconds, timeout_seconds,
         retry_count, units_path, unit_id_field, unit_status_field, auth_credentials_enc,
         webhook_secret_enc)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (project_id) DO UPDATE SET api_base_url = EXCLUDED.api_base_url,
         auth_type = EXCLUDED.auth_type, status_endpoint = EXCLUDED.status_endpoint,
         status_mapping = EXCLUDED.status_mapping, update_method = EXCLUDED.update_method,
         polling_interval_seconds = EXCLUDED.polling_interval_seconds,
         timeout_seconds = EXCLUDED.timeout_seconds, retry_count = EXCLUDED.retry_count,
         units_path = EXCLUDED.units_path, unit_id_field = EXCLUDED.unit_id_field,
         unit_status_field = EXCLUDED.unit_status_field,
         auth_credentials_enc = EXCLUDED.auth_credentials_enc,
         webhook_secret_enc = EXCLUDED.webhook_secret_enc, updated_at = now()
       WHERE integration_configs.tenant_id = EXCLUDED.tenant_id
       RETURNING ${COLUMNS}`,
      [
        values.projectId,
        values.tenantId,
        values.apiBaseUrl,
        values.authType,
        values.statusEndpoint,
        values.statusMapping === null ? null : JSON.stringify(values.statusMapping),
        values.updateMethod,
        values.pollingIntervalSeconds,
        values.timeoutSeconds,
        values.retryCount,
        values.unitsPath,
        values.unitIdField,
        values.unitStatusField,
        values.authCredentialsEnc,
        values.webhookSecretEnc,
      ],
    );
    const row = rows[0];
    if (!row) throw new Error(`integration config of project ${values.projectId} not written`);
    return row;
  }

  /** Every config using one update method, for schedules and stream consumers. */
  byMethod(method: UpdateMethod): Promise<ConfigRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM integration_configs
       WHERE update_method = $1 AND api_base_url IS NOT NULL`,
      [method],
    );
  }

  async findByProjectId(projectId: string): Promise<ConfigRow | null> {
    const rows: ConfigRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM integration_configs WHERE project_id = $1`,
      [projectId],
    );
    return rows[0] ?? null;
  }
}
