export * from './config.tokens';
export * from './env-schema';
export * from './platform.config';
export * from './http.config';
export * from './secret-keys.config';
