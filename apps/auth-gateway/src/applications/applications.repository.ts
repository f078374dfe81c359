import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Queryable } from '../audit/audit.types';

export interface ApplicationView {
  id: string;
  clientId: string;
  name: string;
  grantTypes: string[];
  scopes: string[];
  redirectUris: string[];
  active: boolean;
  createdAt: string;
  secretRotatedAt: string;
  disabledAt: string | null;
  lastUsedAt: string | null;
}

/** The editable settings of an application. */
export interface ApplicationSettings {
  name: string;
  grantTypes: string[];
  scopes: string[];
  redirectUris: string[];
}

export interface ClientRecord {
  id: string;
  tenantId: string;
  clientId: string;
  secretHash: string;
  grantTypes: string[];
  scopes: string[];
  active: boolean;
}

const iso = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const COLUMNS = `id, client_id AS "clientId", name, grant_types AS "grantTypes", scopes,
  redirect_uris AS "redirectUris", active, ${iso('created_at')} AS "createdAt",
  ${iso('secret_rotated_at')} AS "secretRotatedAt", ${iso('disabled_at')} AS "disabledAt",
  ${iso('last_used_at')} AS "lastUsedAt"`;

/** OAuth client applications. The secret is stored only as a SHA-256 hash (it is 32 random
 *  bytes, so a slow hash adds nothing; the same reasoning as API keys). */
@Injectable()
export class ApplicationsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  list(tenantId: string): Promise<ApplicationView[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM client_applications WHERE tenant_id = $1 ORDER BY id`,
      [tenantId],
    );
  }

  /** `forUpdate` locks the row until the transaction ends (an edit reads its `before`). */
  async findById(
    q: Queryable,
    tenantId: string,
    id: string,
    forUpdate = false,
  ): Promise<ApplicationView | undefined> {
    const rows = await q.query<ApplicationView[]>(
      `SELECT ${COLUMNS} FROM client_applications WHERE tenant_id = $1 AND id = $2
       ${forUpdate ? 'FOR UPDATE' : ''}`,
      [tenantId, id],
    );
    return rows[0];
  }

  async update(
    q: Queryable,
    tenantId: string,
    id: string,
    settings: ApplicationSettings,
  ): Promise<void> {
    await q.query(
      `UPDATE client_applications SET name = $3, grant_types = $4, scopes = $5, redirect_uris = $6
       WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, settings.name, settings.grantTypes, settings.scopes, settings.redirectUris],
    );
  }

  async insert(
    q: Queryable,
    tenantId: string,
    input: {
      clientId: string;
      name: string;
      secretHash: string;
      grantTypes: string[];
      scopes: string[];
      redirectUris: string[];
      createdBy: string | null;
    },
  ): Promise<string> {
    const rows = await q.query<{ id: string }[]>(
      `INSERT INTO client_applications (tenant_id, client_id, name, secret_hash, grant_types,
                                        scopes, redirect_uris, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        tenantId,
        input.clientId,
        input.name,
        input.secretHash,
        input.grantTypes,
        input.scopes,
        input.redirectUris,
        input.createdBy,
      ],
    );
    return rows[0]?.id ?? '';
  }

  async setSecret(q: Queryable, tenantId: string, id: string, secretHash: string): Promise<void> {
    await q.query(
      `UPDATE client_applications SET secret_hash = $3, secret_rotated_at = now()
       WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, secretHash],
    );
  }

  async disable(q: Queryable, tenantId: string, id: string): Promise<void> {
    await q.query(
      `UPDATE client_applications SET active = false, disabled_at = COALESCE(disabled_at, now())
       WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
  }

  /** The token endpoint's lookup, by the globally unique client id. */
  async findClient(clientId: string): Promise<ClientRecord | undefined> {
    const rows = await this.db.query<ClientRecord[]>(
      `SELECT id, tenant_id AS "tenantId", client_id AS "clientId", secret_hash AS "secretHash",
              grant_types AS "grantTypes", scopes, active
       FROM client_applications WHERE client_id = $1`,
      [clientId],
    );
    return rows[0];
  }

  async touch(id: string): Promise<void> {
    await this.db.query('UPDATE client_applications SET last_used_at = now() WHERE id = $1', [id]);
  }
}
