import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface DirectoryWriteSettings {
  writable: boolean;
  objectClasses: string[];
}

/** The write switch and object classes of a tenant's LDAP config (columns of the admin
 *  migration, read here so the shared config entity stays as it is). */
@Injectable()
export class DirectoryWriteRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async settings(tenantId: string): Promise<DirectoryWriteSettings | undefined> {
    const rows = await this.db.query<DirectoryWriteSettings[]>(
      `SELECT directory_writable AS writable, user_object_classes AS "objectClasses"
       FROM ldap_configs WHERE tenant_id = $1 AND is_enabled`,
      [tenantId],
    );
    return rows[0];
  }
}
