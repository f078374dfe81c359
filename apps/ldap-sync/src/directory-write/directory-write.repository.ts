import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DirectoryWriteSettingsView } from '@gatehouse/contracts';

export interface DirectoryWriteSettings {
  writable: boolean;
  objectClasses: string[];
}

export interface DirectoryWriteActor {
  actorId: string | null;
  actorName: string;
  clientAddress: string | null;
  requestId: string | null;
}

/** The write switch and object classes of a tenant's LDAP config (columns of the admin
 *  migration, read here so the shared config entity stays as it is). */
@Injectable()
export class DirectoryWriteRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Only of an enabled configuration: a disabled directory is never written. */
  async settings(tenantId: string): Promise<DirectoryWriteSettings | undefined> {
    const rows = await this.db.query<DirectoryWriteSettings[]>(
      `SELECT directory_writable AS writable, user_object_classes AS "objectClasses"
       FROM ldap_configs WHERE tenant_id = $1 AND is_enabled`,
      [tenantId],
    );
    return rows[0];
  }

  async view(tenantId: string): Promise<DirectoryWriteSettingsView | undefined> {
    const rows = await this.db.query<DirectoryWriteSettingsView[]>(
      `SELECT directory_writable AS writable, user_object_classes AS "userObjectClasses"
       FROM ldap_configs WHERE tenant_id = $1`,
      [tenantId],
    );
    return rows[0];
  }

  /** Saves the settings and appends the audit row in one transaction; undefined when the tenant
   *  has no LDAP configuration yet. */
  async save(
    tenantId: string,
    next: DirectoryWriteSettingsView,
    actor: DirectoryWriteActor,
  ): Promise<DirectoryWriteSettingsView | undefined> {
    return this.db.transaction(async (manager) => {
      const current = await manager.query<DirectoryWriteSettingsView[]>(
        `SELECT directory_writable AS writable, user_object_classes AS "userObjectClasses"
         FROM ldap_configs WHERE tenant_id = $1 FOR UPDATE`,
        [tenantId],
      );
      const before = current[0];
      if (!before) return undefined;
      await manager.query(
        `UPDATE ldap_configs SET directory_writable = $2, user_object_classes = $3,
           modified_by = $4, modifier = $5, modified_date = now()
         WHERE tenant_id = $1`,
        [
          tenantId,
          next.writable,
          next.userObjectClasses,
          actor.actorId ?? 'SYSTEM',
          actor.actorName,
        ],
      );
      await manager.query(
        `INSERT INTO audit_log (tenant_id, actor_id, actor_name, action, target_type, target_id,
                                before, after, client_address, request_id)
         VALUES ($1, $2, $3, 'ldap.directory_write.update', 'ldap_config', $1, $4, $5, $6, $7)`,
        [
          tenantId,
          actor.actorId,
          actor.actorName,
          JSON.stringify(before),
          JSON.stringify(next),
          actor.clientAddress,
          actor.requestId,
        ],
      );
      return next;
    });
  }
}
