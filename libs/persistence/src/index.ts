export * from './data-source.options';
export * from './database-health';
export * from './ensure-database';
export * from './persistence.module';
export * from './run-migrations';
export * from './entities/tenant.entity';
export * from './entities/user.entity';
export * from './entities/ldap-config.entity';
