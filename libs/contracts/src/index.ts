export * from './apps';
export * from './envelope';
export * from './error-codes';
export * from './domain-error';
export * from './rpc/rpc-envelope';
export * from './rpc/patterns';
export * from './rpc/ping.dto';
export * from './rpc/ldap-authenticate.dto';
