import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { LdapConfigEntity } from '@gatehouse/persistence';

@Injectable()
export class LdapConfigRepository {
  constructor(
    @InjectRepository(LdapConfigEntity) private readonly configs: Repository<LdapConfigEntity>,
  ) {}

  /** A tenant has at most one directory connection (`tenant_id` is unique). */
  findByTenant(tenantId: string): Promise<LdapConfigEntity | null> {
    return this.configs.findOneBy({ tenantId });
  }

  /** Inserts or updates the tenant's row (by primary key). */
  save(config: LdapConfigEntity): Promise<LdapConfigEntity> {
    return this.configs.save(config);
  }
}
