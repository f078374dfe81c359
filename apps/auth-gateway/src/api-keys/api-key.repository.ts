import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
}

/** API keys are random and long, so a SHA-256 of the key is a safe and fast lookup: the database
 *  holds no key, and finding by hash compares no secret byte by byte. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

@Injectable()
export class ApiKeyRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async findActive(key: string): Promise<ApiKeyRecord | undefined> {
    // TypeORM answers an UPDATE ... RETURNING on PostgreSQL as [rows, rowCount].
    const [rows] = await this.db.query<[ApiKeyRecord[], number]>(
      `UPDATE api_keys SET last_used_at = now() WHERE key_hash = $1 AND revoked_at IS NULL
       RETURNING id, tenant_id AS "tenantId", name`,
      [hashApiKey(key)],
    );
    return rows[0];
  }

  async create(tenantId: string, name: string, key: string): Promise<string> {
    const rows = await this.db.query<{ id: string }[]>(
      `INSERT INTO api_keys (tenant_id, name, key_prefix, key_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key_hash) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
      [tenantId, name, key.slice(0, 8), hashApiKey(key)],
    );
    return rows[0]?.id ?? '';
  }

  async list(
    tenantId: string,
  ): Promise<{ id: string; name: string; keyPrefix: string; revokedAt: Date | null }[]> {
    return this.db.query(
      `SELECT id, name, key_prefix AS "keyPrefix", revoked_at AS "revokedAt", created_at AS "createdAt",
              last_used_at AS "lastUsedAt"
       FROM api_keys WHERE tenant_id = $1 ORDER BY id`,
      [tenantId],
    );
  }

  async revoke(tenantId: string, id: string): Promise<boolean> {
    const [rows] = await this.db.query<[{ id: string }[], number]>(
      `UPDATE api_keys SET revoked_at = now() WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING id`,
      [tenantId, id],
    );
    return rows.length > 0;
  }
}
