export * from './bootstrap/bootstrap-app';
export * from './config';
export * from './health';
export * from './http/validation.pipe';
export * from './logging/request-context';
export * from './metrics/metrics.service';
export * from './platform.module';
export * from './redis/redis-health';
export * from './redis/lua-script';
export * from './redis/redis-options';
export * from './rpc/rpc-client';
export * from './rpc/claiming-server-redis';
export * from './rpc/peer-readiness';
export * from './rpc/ping-reply';
export * from './rpc/rpc-data.decorator';
export * from './redis/redis.module';
export {
  httpErrorAnswer,
  type HttpErrorAnswer,
  usePlainErrorsUnder,
} from './http/http-exception.filter';
export { requestIdFor } from './logging/logging.module';
export * from './http/public.decorator';
export * from './audit/audit-mask.util';
export * from './audit/audit-actions';
export * from './sessions/session-keys';
